// QuantizeLinear: float32 -> int8/uint8 with the OUTPUT tensor's quantization, per tensor or per
// axis, with ONNX semantics: q = saturate(round_half_to_even(x / scale) + zero_point)
// (std::nearbyint in the default rounding mode); NaN maps to the zero point. ONNX's y_scale and
// y_zero_point inputs, when still present, are ignored: their values are the output tensor's
// quantization.
#include <cmath>
#include <type_traits>

#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/quantization_axis.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {
namespace {

Status Prepare(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(CheckArity(node, 1, 3, 1));
  const Tensor& input = *node.inputs[0];
  const Tensor& output = *node.outputs[0];
  TMM_RETURN_IF_ERROR(CheckDType(node, input, DType::kFloat32, "input 0"));
  if (output.dtype != DType::kInt8 && output.dtype != DType::kUInt8)
    return UnsupportedDType(node, output, "output");
  if (input.shape != output.shape)
    return Status::Error(StatusCode::kInvalidArgument,
                         "QuantizeLinear node '%s': output '%s' must have the shape of input "
                         "'%s'",
                         node.name, output.name, input.name);
  auto* axis = static_cast<QuantizationAxis*>(context.AllocatePersistent(sizeof(QuantizationAxis)));
  if (!axis)
    return Status::Error(StatusCode::kResourceExhausted,
                         "QuantizeLinear node '%s': no memory for the kernel's parameters",
                         node.name);
  TMM_RETURN_IF_ERROR(SplitAtQuantizationAxis(node, output, "output", axis));
  for (int c = 0; c < output.quant.count; ++c)
    if (!(output.quant.scale[c] > 0.0f) || !std::isfinite(output.quant.scale[c]))
      return Status::Error(StatusCode::kInvalidArgument,
                           "QuantizeLinear node '%s': output '%s' scale %d is %g; scales must "
                           "be positive and finite",
                           node.name, output.name, c, static_cast<double>(output.quant.scale[c]));
  node.user_data = axis;
  return Status::Ok();
}

template <typename T>
void Quantize(const QuantizationAxis& axis, const QuantParams& quant, const float* in, T* out) {
  const QuantizedRange range =
      QuantizedDTypeRange(std::is_same_v<T, int8_t> ? DType::kInt8 : DType::kUInt8);
  const float low = static_cast<float>(range.min), high = static_cast<float>(range.max);
  for (int64_t o = 0; o < axis.outer; ++o)
    for (int32_t c = 0; c < axis.channels; ++c) {
      const float scale = quant.scale[c];
      const float zero_point = static_cast<float>(quant.zero_point[c]);
      for (int64_t i = 0; i < axis.inner; ++i) {
        const float q = std::nearbyint(*in++ / scale) + zero_point;
        *out++ = static_cast<T>(q != q ? zero_point : (q < low ? low : (q > high ? high : q)));
      }
    }
}

Status Eval(Node& node) {
  const auto& axis = *static_cast<const QuantizationAxis*>(node.user_data);
  const Tensor& input = *node.inputs[0];
  Tensor& output = *node.outputs[0];
  if (output.dtype == DType::kInt8)
    Quantize(axis, output.quant, input.Data<float>(), output.Data<int8_t>());
  else
    Quantize(axis, output.quant, input.Data<float>(), output.Data<uint8_t>());
  return Status::Ok();
}

}  // namespace

KernelRegistration QuantizeLinear() { return {"QuantizeLinear", Prepare, Eval}; }

}  // namespace tinymlops::runtime::reference
