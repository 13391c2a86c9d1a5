#include "runtime/interpreter.h"

#include <cstdlib>
#include <cstring>

#include "format/model_file.h"
#include "runtime/arena_planner.h"

namespace tinymlops::runtime {

// Memory that prepare asks for: lives as long as the interpreter.
class Interpreter::Persistent final : public PrepareContext {
 public:
  ~Persistent() override {
    for (void* block : blocks_) std::free(block);
  }
  void* AllocatePersistent(size_t bytes) override {
    const size_t rounded = (bytes + 15) / 16 * 16;
    void* block = std::aligned_alloc(16, rounded == 0 ? 16 : rounded);
    if (!block) return nullptr;
    std::memset(block, 0, rounded == 0 ? 16 : rounded);
    blocks_.push_back(block);
    return block;
  }
  void RequestScratch(Node& node, size_t bytes) override {
    if (bytes > node.scratch_bytes) node.scratch_bytes = bytes;
  }

 private:
  std::vector<void*> blocks_;
};

namespace {

DType ToDType(tmm::DType dtype) { return static_cast<DType>(static_cast<int>(dtype)); }

}  // namespace

Result<std::unique_ptr<Interpreter>> Interpreter::Create(const void* model_data,
                                                         size_t model_size,
                                                         const OpResolver& resolver) {
  std::unique_ptr<Interpreter> interpreter(new Interpreter());
  TMM_ASSIGN_OR_RETURN(interpreter->model_, format::VerifyModel(model_data, model_size));
  interpreter->persistent_ = std::make_unique<Persistent>();
  TMM_RETURN_IF_ERROR(interpreter->Build(resolver));
  TMM_RETURN_IF_ERROR(interpreter->PrepareNodes());
  TMM_RETURN_IF_ERROR(interpreter->PlanArena());
  return interpreter;
}

Interpreter::~Interpreter() { std::free(arena_); }

Status Interpreter::Build(const OpResolver& resolver) {
  const auto& model_tensors = *model_->tensors();
  tensors_.resize(model_tensors.size());
  for (flatbuffers::uoffset_t i = 0; i < model_tensors.size(); ++i) {
    const tmm::Tensor& source = *model_tensors.Get(i);
    Tensor& tensor = tensors_[i];
    tensor.name = source.name() ? source.name()->c_str() : "";
    tensor.dtype = ToDType(source.dtype());
    if (source.shape()) {
      tensor.shape.rank = static_cast<int>(source.shape()->size());
      for (int d = 0; d < tensor.shape.rank; ++d) tensor.shape.dims[d] = source.shape()->Get(d);
    }
    if (const tmm::Quantization* quant = source.quantization(); quant && quant->scale()) {
      tensor.quant.scale = quant->scale()->data();
      tensor.quant.zero_point = quant->zero_point()->data();
      tensor.quant.count = static_cast<int>(quant->scale()->size());
      tensor.quant.axis = quant->axis();
    }
    tensor.bytes = static_cast<size_t>(tensor.shape.ElementCount()) * DTypeSize(tensor.dtype);
    if (source.buffer() != 0) {
      const auto* data = model_->buffers()->Get(source.buffer())->data();
      tensor.data = const_cast<uint8_t*>(data->data());  // read-only by contract
      tensor.is_constant = true;
    }
  }
  if (model_->inputs())
    for (int32_t index : *model_->inputs()) inputs_.push_back(&tensors_[index]);
  if (model_->outputs())
    for (int32_t index : *model_->outputs()) outputs_.push_back(&tensors_[index]);

  const auto* ops = model_->operators();
  const size_t op_count = ops ? ops->size() : 0;
  size_t list_size = 0;
  for (size_t i = 0; i < op_count; ++i) {
    const tmm::Operator* op = ops->Get(static_cast<flatbuffers::uoffset_t>(i));
    list_size += (op->inputs() ? op->inputs()->size() : 0) +
                 (op->outputs() ? op->outputs()->size() : 0);
  }
  node_tensor_lists_.resize(list_size);
  nodes_.resize(op_count);
  prepare_fns_.resize(op_count);
  size_t next = 0;
  for (size_t i = 0; i < op_count; ++i) {
    const tmm::Operator* op = ops->Get(static_cast<flatbuffers::uoffset_t>(i));
    Node& node = nodes_[i];
    node.op = op;
    node.name = op->name() ? op->name()->c_str() : "";
    const KernelRegistration* registration = resolver.Find(op->type());
    if (!registration)
      return Status::Error(StatusCode::kUnsupported,
                           "op %s (node '%s') has no kernel in this build; register it in the "
                           "OpResolver",
                           tmm::EnumNameOpType(op->type()), node.name);
    node.eval = registration->eval;
    prepare_fns_[i] = registration->prepare;
    node.inputs = node_tensor_lists_.data() + next;
    node.num_inputs = op->inputs() ? static_cast<int>(op->inputs()->size()) : 0;
    for (int k = 0; k < node.num_inputs; ++k) {
      const int32_t index = op->inputs()->Get(k);
      node_tensor_lists_[next++] = index >= 0 ? &tensors_[index] : nullptr;
    }
    node.outputs = node_tensor_lists_.data() + next;
    node.num_outputs = op->outputs() ? static_cast<int>(op->outputs()->size()) : 0;
    for (int k = 0; k < node.num_outputs; ++k)
      node_tensor_lists_[next++] = &tensors_[op->outputs()->Get(k)];
  }
  return Status::Ok();
}

Status Interpreter::PrepareNodes() {
  for (size_t i = 0; i < nodes_.size(); ++i)
    TMM_RETURN_IF_ERROR(prepare_fns_[i](*persistent_, nodes_[i]));
  return Status::Ok();
}

Status Interpreter::PlanArena() {
  const int op_count = static_cast<int>(nodes_.size());
  const size_t tensor_count = tensors_.size();
  // Reshape outputs alias their input: follow `alias_of` to the tensor that owns the memory.
  std::vector<int> alias_of(tensor_count, -1);
  std::vector<int> first(tensor_count, -1), last(tensor_count, -1);
  auto root = [&](int index) {
    while (alias_of[index] >= 0) index = alias_of[index];
    return index;
  };
  auto touch = [&](int index, int step) {
    const int owner = root(index);
    if (first[owner] < 0 || step < first[owner]) first[owner] = step;
    if (step > last[owner]) last[owner] = step;
  };
  for (Tensor* input : inputs_) touch(static_cast<int>(input - tensors_.data()), 0);
  for (int step = 0; step < op_count; ++step) {
    const Node& node = nodes_[step];
    for (int k = 0; k < node.num_inputs; ++k)
      if (node.inputs[k] && !node.inputs[k]->is_constant)
        touch(static_cast<int>(node.inputs[k] - tensors_.data()), step);
    const bool aliases = node.op->type() == tmm::OpType::Reshape && node.num_inputs >= 1 &&
                         node.num_outputs == 1 && node.inputs[0] &&
                         node.inputs[0]->bytes == node.outputs[0]->bytes;
    for (int k = 0; k < node.num_outputs; ++k) {
      const int index = static_cast<int>(node.outputs[k] - tensors_.data());
      if (aliases && k == 0) {
        if (node.inputs[0]->is_constant) {
          node.outputs[0]->data = node.inputs[0]->data;
          node.outputs[0]->is_constant = true;
          continue;
        }
        alias_of[index] = root(static_cast<int>(node.inputs[0] - tensors_.data()));
      }
      touch(index, step);
    }
  }
  for (Tensor* output : outputs_)
    if (!output->is_constant) touch(static_cast<int>(output - tensors_.data()), op_count);

  ArenaPlanner planner;
  std::vector<int> plan_id(tensor_count, -1);
  for (size_t i = 0; i < tensor_count; ++i)
    if (alias_of[i] < 0 && first[i] >= 0 && !tensors_[i].is_constant)
      plan_id[i] = planner.Add(tensors_[i].bytes, first[i], last[i]);
  std::vector<int> scratch_id(nodes_.size(), -1);
  for (int step = 0; step < op_count; ++step)
    if (nodes_[step].scratch_bytes > 0)
      scratch_id[step] = planner.Add(nodes_[step].scratch_bytes, step, step);
  planner.Plan();
  arena_bytes_ = planner.ArenaBytes();
  liveness_lower_bound_ = planner.LivenessLowerBound();
  arena_ = std::aligned_alloc(ArenaPlanner::kAlignment, arena_bytes_ == 0 ? 16 : arena_bytes_);
  if (!arena_)
    return Status::Error(StatusCode::kResourceExhausted,
                         "cannot allocate the %zu-byte arena the model needs", arena_bytes_);
  auto* base = static_cast<uint8_t*>(arena_);
  for (size_t i = 0; i < tensor_count; ++i)
    if (plan_id[i] >= 0) tensors_[i].data = base + planner.Offset(plan_id[i]);
  for (size_t i = 0; i < tensor_count; ++i)
    if (alias_of[i] >= 0) tensors_[i].data = tensors_[root(static_cast<int>(i))].data;
  for (int step = 0; step < op_count; ++step)
    if (scratch_id[step] >= 0) nodes_[step].scratch = base + planner.Offset(scratch_id[step]);
  return Status::Ok();
}

Status Interpreter::Invoke() {
  for (Node& node : nodes_) TMM_RETURN_IF_ERROR(node.eval(node));
  return Status::Ok();
}

int Interpreter::FindInput(const char* name) const {
  for (size_t i = 0; i < inputs_.size(); ++i)
    if (std::strcmp(inputs_[i]->name, name) == 0) return static_cast<int>(i);
  return -1;
}

int Interpreter::FindOutput(const char* name) const {
  for (size_t i = 0; i < outputs_.size(); ++i)
    if (std::strcmp(outputs_[i]->name, name) == 0) return static_cast<int>(i);
  return -1;
}

}  // namespace tinymlops::runtime
