#include "toolchain/onnx/onnx_node.h"

#include <cstdarg>
#include <cstdio>

namespace tinymlops::toolchain {

OnnxNode::OnnxNode(const onnx::NodeProto& proto, OnnxImportState& state)
    : proto_(proto), state_(state) {
  name_ = proto.name();
  if (name_.empty() && proto.output_size() > 0) name_ = proto.output(0);
}

Status OnnxNode::ResolveInputs() {
  inputs_.clear();
  for (const std::string& input_name : proto_.input()) {
    if (input_name.empty()) {
      inputs_.push_back(-1);
      continue;
    }
    auto found = state_.tensor_by_name.find(input_name);
    if (found == state_.tensor_by_name.end())
      return Error(StatusCode::kInvalidArgument,
                   "input '%s' is not defined by an earlier node, an initializer or a graph "
                   "input (the nodes must be topologically sorted)",
                   input_name.c_str());
    inputs_.push_back(found->second);
  }
  return Status::Ok();
}

Status OnnxNode::Error(StatusCode code, const char* format, ...) const {
  char detail[Status::kMaxMessage];
  va_list args;
  va_start(args, format);
  std::vsnprintf(detail, sizeof(detail), format, args);
  va_end(args);
  return Status::Error(code, "ONNX node '%s' (%s): %s", name_.c_str(), op_type().c_str(), detail);
}

Status OnnxNode::CheckArity(int min_inputs, int max_inputs, int min_outputs,
                            int max_outputs) const {
  if (input_count() < min_inputs || input_count() > max_inputs)
    return Error(StatusCode::kInvalidArgument, "has %d inputs, expected %d to %d", input_count(),
                 min_inputs, max_inputs);
  for (int i = 0; i < min_inputs; ++i)
    if (Input(i) < 0) return Error(StatusCode::kInvalidArgument, "required input %d is empty", i);
  if (output_count() < min_outputs || output_count() > max_outputs)
    return Error(StatusCode::kUnsupported, "has %d outputs; tinymlops supports %d to %d",
                 output_count(), min_outputs, max_outputs);
  for (int i = 0; i < min_outputs; ++i)
    if (!HasOutput(i)) return Error(StatusCode::kInvalidArgument, "output %d is empty", i);
  return Status::Ok();
}

Result<const TensorDef*> OnnxNode::ConstantInput(int i, const char* role) const {
  if (Input(i) < 0)
    return Error(StatusCode::kInvalidArgument, "input %d (%s) is required", i, role);
  const TensorDef& tensor = InputTensor(i);
  if (!tensor.is_constant)
    return Error(StatusCode::kUnsupported,
                 "input %d '%s' (%s) must be constant at import; bind it with "
                 "OnnxImportOptions::constant_inputs (or make it an initializer)",
                 i, tensor.name.c_str(), role);
  return &tensor;
}

Result<float> OnnxNode::ScalarInput(int i, const char* role) const {
  TMM_ASSIGN_OR_RETURN(const TensorDef* tensor, ConstantInput(i, role));
  if (tensor->ElementCount() != 1)
    return Error(StatusCode::kUnsupported, "input %d (%s) must hold one value, it holds %lld", i,
                 role, static_cast<long long>(tensor->ElementCount()));
  switch (tensor->dtype) {
    case DType::kFloat32:
      return tensor->Values<float>()[0];
    case DType::kInt8:
      return static_cast<float>(tensor->Values<int8_t>()[0]);
    case DType::kUInt8:
      return static_cast<float>(tensor->Values<uint8_t>()[0]);
    case DType::kInt32:
      return static_cast<float>(tensor->Values<int32_t>()[0]);
    case DType::kInt64:
      return static_cast<float>(tensor->Values<int64_t>()[0]);
  }
  return Error(StatusCode::kInternal, "input %d has an unknown dtype", i);
}

const onnx::AttributeProto* OnnxNode::FindAttribute(const char* name) const {
  for (const onnx::AttributeProto& attribute : proto_.attribute())
    if (attribute.name() == name) return &attribute;
  return nullptr;
}

Result<int64_t> OnnxNode::IntAttribute(const char* name, int64_t default_value) const {
  const onnx::AttributeProto* attribute = FindAttribute(name);
  if (!attribute) return default_value;
  if (attribute->type() != onnx::AttributeProto::INT)
    return Error(StatusCode::kInvalidArgument, "attribute '%s' must be an int", name);
  return attribute->i();
}

Result<float> OnnxNode::FloatAttribute(const char* name, float default_value) const {
  const onnx::AttributeProto* attribute = FindAttribute(name);
  if (!attribute) return default_value;
  if (attribute->type() != onnx::AttributeProto::FLOAT)
    return Error(StatusCode::kInvalidArgument, "attribute '%s' must be a float", name);
  return attribute->f();
}

Result<std::vector<int64_t>> OnnxNode::IntsAttribute(const char* name) const {
  const onnx::AttributeProto* attribute = FindAttribute(name);
  if (!attribute) return std::vector<int64_t>();
  if (attribute->type() != onnx::AttributeProto::INTS)
    return Error(StatusCode::kInvalidArgument, "attribute '%s' must be a list of ints", name);
  return std::vector<int64_t>(attribute->ints().begin(), attribute->ints().end());
}

Result<std::string> OnnxNode::StringAttribute(const char* name,
                                              const std::string& default_value) const {
  const onnx::AttributeProto* attribute = FindAttribute(name);
  if (!attribute) return default_value;
  if (attribute->type() != onnx::AttributeProto::STRING)
    return Error(StatusCode::kInvalidArgument, "attribute '%s' must be a string", name);
  return attribute->s();
}

int OnnxNode::AddOutput(int i, DType dtype, std::vector<int32_t> shape) {
  TensorDef tensor;
  tensor.name = proto_.output(i);
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  const int index = state_.graph.AddTensor(std::move(tensor));
  state_.tensor_by_name[proto_.output(i)] = index;
  return index;
}

int OnnxNode::AddConstantOutput(int i, TensorDef value) {
  value.name = proto_.output(i);
  value.is_constant = true;
  const int index = state_.graph.AddTensor(std::move(value));
  state_.tensor_by_name[proto_.output(i)] = index;
  return index;
}

void OnnxNode::BindOutput(int i, int tensor) { state_.tensor_by_name[proto_.output(i)] = tensor; }

void OnnxNode::AddOp(tmm::OpType type, std::vector<int> inputs, std::vector<int> outputs,
                     tmm::OpOptionsUnion options) {
  OpDef op;
  op.type = type;
  op.name = name_;
  op.inputs = std::move(inputs);
  op.outputs = std::move(outputs);
  op.options = std::move(options);
  state_.graph.ops.push_back(std::move(op));
}

}  // namespace tinymlops::toolchain
