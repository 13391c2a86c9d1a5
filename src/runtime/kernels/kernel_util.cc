#include "runtime/kernels/kernel_util.h"

namespace tinymlops::runtime {
namespace {

const char* OpName(const Node& node) { return tmm::EnumNameOpType(node.op->type()); }

}  // namespace

Status CheckArity(const Node& node, int min_inputs, int max_inputs, int outputs) {
  if (node.num_inputs < min_inputs || node.num_inputs > max_inputs)
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s' has %d inputs; it takes %d to %d", OpName(node), node.name,
                         node.num_inputs, min_inputs, max_inputs);
  for (int i = 0; i < min_inputs; ++i)
    if (!node.inputs[i])
      return Status::Error(StatusCode::kInvalidArgument, "%s node '%s' lacks required input %d",
                           OpName(node), node.name, i);
  if (node.num_outputs != outputs)
    return Status::Error(StatusCode::kInvalidArgument, "%s node '%s' has %d outputs; it has %d",
                         OpName(node), node.name, node.num_outputs, outputs);
  return Status::Ok();
}

Status CheckDType(const Node& node, const Tensor& tensor, DType dtype, const char* role) {
  if (tensor.dtype == dtype) return Status::Ok();
  return Status::Error(StatusCode::kInvalidArgument, "%s node '%s': %s '%s' is %s, expected %s",
                       OpName(node), node.name, role, tensor.name, DTypeName(tensor.dtype),
                       DTypeName(dtype));
}

Status CheckConstant(const Node& node, const Tensor* tensor, const char* role) {
  if (tensor && tensor->is_constant) return Status::Ok();
  return Status::Error(StatusCode::kUnsupported,
                       "%s node '%s': %s must be a constant (an initializer) in this runtime",
                       OpName(node), node.name, role);
}

Status UnsupportedDType(const Node& node, const Tensor& tensor, const char* role) {
  return Status::Error(StatusCode::kUnsupported, "%s node '%s': %s '%s' of dtype %s is not supported",
                       OpName(node), node.name, role, tensor.name, DTypeName(tensor.dtype));
}

Status MissingOptions(const Node& node, const char* expected) {
  return Status::Error(StatusCode::kInvalidArgument, "%s node '%s' lacks its %s", OpName(node),
                       node.name, expected);
}

}  // namespace tinymlops::runtime
