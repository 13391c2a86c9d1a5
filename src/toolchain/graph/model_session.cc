#include "toolchain/graph/model_session.h"

#include <cstdlib>
#include <cstring>

#include "toolchain/graph/tmm_writer.h"

namespace tinymlops::toolchain {
namespace {

Status CopyIn(const TensorDef& source, runtime::Tensor& target) {
  std::vector<int32_t> shape(target.shape.dims, target.shape.dims + target.shape.rank);
  if (source.dtype != target.dtype || source.shape != shape ||
      source.data.size() != target.bytes) {
    std::string expected, got;
    for (int32_t d : shape) expected += std::to_string(d) + "x";
    for (int32_t d : source.shape) got += std::to_string(d) + "x";
    if (!expected.empty()) expected.pop_back();
    if (!got.empty()) got.pop_back();
    return Status::Error(StatusCode::kInvalidArgument,
                         "input '%s' must be %s of shape [%s], got %s of shape [%s]", target.name,
                         runtime::DTypeName(target.dtype), expected.c_str(),
                         runtime::DTypeName(source.dtype), got.c_str());
  }
  if (target.bytes > 0) std::memcpy(target.data, source.data.data(), target.bytes);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<ModelSession>> ModelSession::Load(const std::vector<uint8_t>& tmm_bytes,
                                                         KernelSet kernels) {
  std::unique_ptr<ModelSession> session(new ModelSession());
  session->size_ = tmm_bytes.size();
  session->bytes_ = static_cast<uint8_t*>(std::aligned_alloc(16, (tmm_bytes.size() + 15) / 16 * 16 + 16));
  std::memcpy(session->bytes_, tmm_bytes.data(), tmm_bytes.size());
  runtime::OpResolver resolver;
  if (kernels == KernelSet::kReference)
    runtime::AddReferenceKernels(resolver);
  else
    runtime::AddOptimizedKernels(resolver);
  TMM_ASSIGN_OR_RETURN(session->interpreter_,
                       runtime::Interpreter::Create(session->bytes_, session->size_, resolver));
  return session;
}

Result<std::unique_ptr<ModelSession>> ModelSession::FromGraph(const Graph& graph,
                                                              KernelSet kernels) {
  TMM_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, WriteTmm(graph));
  return Load(bytes, kernels);
}

ModelSession::~ModelSession() {
  interpreter_.reset();
  std::free(bytes_);
}

Result<std::vector<TensorDef>> ModelSession::Run(const std::map<std::string, TensorDef>& inputs) {
  for (int i = 0; i < interpreter_->input_count(); ++i) {
    runtime::Tensor& target = *interpreter_->input(i);
    auto found = inputs.find(target.name);
    if (found == inputs.end())
      return Status::Error(StatusCode::kNotFound, "no value given for model input '%s'",
                           target.name);
    TMM_RETURN_IF_ERROR(CopyIn(found->second, target));
  }
  return RunBound();
}

Result<std::vector<TensorDef>> ModelSession::Run(const std::vector<TensorDef>& inputs) {
  if (static_cast<int>(inputs.size()) != interpreter_->input_count())
    return Status::Error(StatusCode::kInvalidArgument, "the model takes %d inputs, got %zu",
                         interpreter_->input_count(), inputs.size());
  for (int i = 0; i < interpreter_->input_count(); ++i)
    TMM_RETURN_IF_ERROR(CopyIn(inputs[i], *interpreter_->input(i)));
  return RunBound();
}

Result<std::vector<TensorDef>> ModelSession::RunBound() {
  TMM_RETURN_IF_ERROR(interpreter_->Invoke());
  std::vector<TensorDef> outputs;
  for (int i = 0; i < interpreter_->output_count(); ++i) {
    const runtime::Tensor& tensor = *interpreter_->output(i);
    TensorDef output;
    output.name = tensor.name;
    output.dtype = tensor.dtype;
    output.shape.assign(tensor.shape.dims, tensor.shape.dims + tensor.shape.rank);
    if (tensor.quant.IsQuantized()) {
      output.quant.scale.assign(tensor.quant.scale, tensor.quant.scale + tensor.quant.count);
      output.quant.zero_point.assign(tensor.quant.zero_point,
                                     tensor.quant.zero_point + tensor.quant.count);
      output.quant.axis = tensor.quant.axis;
    }
    const auto* bytes = static_cast<const uint8_t*>(tensor.data);
    output.data.assign(bytes, bytes + tensor.bytes);
    output.is_constant = true;
    outputs.push_back(std::move(output));
  }
  return outputs;
}

}  // namespace tinymlops::toolchain
