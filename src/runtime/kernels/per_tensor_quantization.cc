#include "runtime/kernels/per_tensor_quantization.h"

#include <cmath>

namespace tinymlops::runtime {
namespace {

const char* OpName(const Node& node) { return tmm::EnumNameOpType(node.op->type()); }

}  // namespace

Status CheckPerTensorQuantized(const Node& node, const Tensor& tensor, const char* role) {
  if (tensor.dtype != DType::kInt8 && tensor.dtype != DType::kUInt8)
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': %s '%s' is %s; quantized kernels take int8 or uint8",
                         OpName(node), node.name, role, tensor.name, DTypeName(tensor.dtype));
  if (!tensor.quant.IsPerTensor())
    return Status::Error(StatusCode::kUnsupported,
                         "%s node '%s': %s '%s' has %d quantization scales; this kernel needs "
                         "exactly one (per-tensor quantization)",
                         OpName(node), node.name, role, tensor.name, tensor.quant.count);
  const float scale = tensor.quant.scale[0];
  const int32_t zero_point = tensor.quant.zero_point[0];
  const QuantizedRange range = QuantizedDTypeRange(tensor.dtype);
  if (!(scale > 0.0f) || !std::isfinite(scale) || zero_point < range.min || zero_point > range.max)
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': %s '%s' has scale %g and zero point %d; the scale must "
                         "be positive and finite and the zero point within %s's range",
                         OpName(node), node.name, role, tensor.name, static_cast<double>(scale),
                         zero_point, DTypeName(tensor.dtype));
  return Status::Ok();
}

bool SameQuantization(const Tensor& a, const Tensor& b) {
  return a.quant.IsPerTensor() && b.quant.IsPerTensor() && a.quant.scale[0] == b.quant.scale[0] &&
         a.quant.zero_point[0] == b.quant.zero_point[0];
}

Status CheckQuantizationPreserved(const Node& node, const Tensor& input, const Tensor& output) {
  const bool preserved = input.quant.count == output.quant.count &&
                         (input.quant.count != 1 || SameQuantization(input, output));
  if (preserved) return Status::Ok();
  return Status::Error(StatusCode::kInvalidArgument,
                       "%s node '%s': output '%s' must carry the quantization of input '%s' "
                       "(this op moves values without requantizing them)",
                       OpName(node), node.name, output.name, input.name);
}

int32_t QuantizeToTensor(float real, const Tensor& tensor) {
  const QuantizedRange range = QuantizedDTypeRange(tensor.dtype);
  const double q = static_cast<double>(tensor.quant.zero_point[0]) +
                   std::round(static_cast<double>(real / tensor.quant.scale[0]));
  if (!(q > range.min)) return range.min;
  if (q > range.max) return range.max;
  return static_cast<int32_t>(q);
}

Status MakeRequantization(const Node& node, const Tensor& input, const Tensor& output,
                          Requantization* requantization) {
  const double ratio =
      static_cast<double>(input.quant.scale[0]) / static_cast<double>(output.quant.scale[0]);
  if (ratio >= 65536.0)
    return Status::Error(StatusCode::kUnsupported,
                         "%s node '%s': input '%s' (scale %g) cannot be requantized to output "
                         "'%s' (scale %g): the scale ratio exceeds 2^16",
                         OpName(node), node.name, input.name,
                         static_cast<double>(input.quant.scale[0]), output.name,
                         static_cast<double>(output.quant.scale[0]));
  requantization->input_zero_point = input.quant.zero_point[0];
  requantization->output_zero_point = output.quant.zero_point[0];
  int shift = 0;
  QuantizeMultiplier(ratio, &requantization->multiplier, &shift);
  // |q - zero_point| < 2^9, so 20 bits of headroom keep the shifted value below 2^29; the
  // final right shift (input_left_shift - shift) must stay within 31.
  constexpr int kMaxInputLeftShift = 20;
  requantization->input_left_shift =
      shift + 31 < kMaxInputLeftShift ? (shift + 31 > 0 ? shift + 31 : 0) : kMaxInputLeftShift;
  requantization->shift = shift - requantization->input_left_shift;
  return Status::Ok();
}

}  // namespace tinymlops::runtime
