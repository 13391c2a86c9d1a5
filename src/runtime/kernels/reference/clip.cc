// Clip: y = min(max(x, min), max) with real bounds from ClipOptions (default -inf, inf). ONNX
// opset 11+ passes the bounds as optional inputs 1 and 2: when present they must be constant
// scalars (of the input's dtype; quantized ones are dequantized) and take precedence over the
// options. Arithmetic per dtype: clamp_op.h, shared with Relu.
#include <limits>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/reference/clamp_op.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {
namespace {

// The real value of the constant scalar `bound` (input `index` of `node`).
Status ReadBound(const Node& node, int index, float* value) {
  const Tensor* bound = node.inputs[index];
  const char* role = index == 1 ? "input 1 (min)" : "input 2 (max)";
  TMM_RETURN_IF_ERROR(CheckConstant(node, bound, role));
  TMM_RETURN_IF_ERROR(CheckDType(node, *bound, node.inputs[0]->dtype, role));
  if (bound->ElementCount() != 1)
    return Status::Error(StatusCode::kInvalidArgument,
                         "Clip node '%s': %s '%s' must hold one value, it holds %lld", node.name,
                         role, bound->name, static_cast<long long>(bound->ElementCount()));
  double real = 0;
  switch (bound->dtype) {
    case DType::kFloat32:
      real = bound->Data<float>()[0];
      break;
    case DType::kInt8:
      real = bound->Data<int8_t>()[0];
      break;
    case DType::kUInt8:
      real = bound->Data<uint8_t>()[0];
      break;
    case DType::kInt32:
      real = bound->Data<int32_t>()[0];
      break;
    case DType::kInt64:
      real = static_cast<double>(bound->Data<int64_t>()[0]);
      break;
  }
  if (bound->quant.IsPerTensor())
    real = (real - bound->quant.zero_point[0]) * static_cast<double>(bound->quant.scale[0]);
  *value = static_cast<float>(real);
  return Status::Ok();
}

Status Prepare(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(CheckArity(node, 1, 3, 1));
  FloatRange bounds = {-std::numeric_limits<float>::infinity(),
                       std::numeric_limits<float>::infinity()};
  if (const tmm::ClipOptions* options = node.op->options_as_ClipOptions())
    bounds = {options->min(), options->max()};
  if (node.Input(1)) TMM_RETURN_IF_ERROR(ReadBound(node, 1, &bounds.min));
  if (node.Input(2)) TMM_RETURN_IF_ERROR(ReadBound(node, 2, &bounds.max));
  return PrepareClamp(context, node, bounds);
}

}  // namespace

KernelRegistration Clip() { return {"Clip", Prepare, EvalClamp}; }

}  // namespace tinymlops::runtime::reference
