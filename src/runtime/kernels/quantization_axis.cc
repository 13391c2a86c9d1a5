#include "runtime/kernels/quantization_axis.h"

namespace tinymlops::runtime {

Status SplitAtQuantizationAxis(const Node& node, const Tensor& tensor, const char* role,
                               QuantizationAxis* split) {
  const char* op = tmm::EnumNameOpType(node.op->type());
  const QuantParams& quant = tensor.quant;
  if (!quant.IsQuantized())
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': %s '%s' has no quantization parameters", op, node.name,
                         role, tensor.name);
  *split = QuantizationAxis();
  if (quant.IsPerTensor()) {
    split->inner = tensor.ElementCount();
    return Status::Ok();
  }
  const int rank = tensor.shape.rank;
  const int axis = quant.axis < 0 ? quant.axis + rank : quant.axis;
  if (axis < 0 || axis >= rank || tensor.shape.dims[axis] != quant.count)
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': %s '%s' has %d scales on axis %d; the axis must exist "
                         "and have that many entries",
                         op, node.name, role, tensor.name, quant.count, quant.axis);
  split->channels = quant.count;
  for (int d = 0; d < axis; ++d) split->outer *= tensor.shape.dims[d];
  for (int d = axis + 1; d < rank; ++d) split->inner *= tensor.shape.dims[d];
  return Status::Ok();
}

}  // namespace tinymlops::runtime
