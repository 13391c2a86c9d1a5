#include "runtime/kernels/linear_requantization.h"

#include <cmath>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/per_tensor_quantization.h"

namespace tinymlops::runtime {
namespace {

const char* OpName(const Node& node) { return tmm::EnumNameOpType(node.op->type()); }

bool IsQuantizedDType(DType dtype) { return dtype == DType::kInt8 || dtype == DType::kUInt8; }

// OK when every scale of `tensor` is positive and finite and every zero point fits its dtype.
Status CheckQuantValues(const Node& node, const Tensor& tensor, const char* role) {
  const QuantizedRange range = QuantizedDTypeRange(tensor.dtype);
  for (int i = 0; i < tensor.quant.count; ++i) {
    const float scale = tensor.quant.scale[i];
    const int32_t zero_point = tensor.quant.zero_point[i];
    if (!(scale > 0.0f) || !std::isfinite(scale) || zero_point < range.min ||
        zero_point > range.max)
      return Status::Error(StatusCode::kInvalidArgument,
                           "%s node '%s': %s '%s' has scale %g and zero point %d at index %d; "
                           "scales must be positive and zero points within %s",
                           OpName(node), node.name, role, tensor.name, static_cast<double>(scale),
                           zero_point, i, DTypeName(tensor.dtype));
  }
  return Status::Ok();
}

}  // namespace

Status PrepareLinearRequantization(PrepareContext& context, const Node& node, const Tensor& input,
                                   const Tensor& weights, int weight_channel_axis, int channels,
                                   const Tensor& output, const tmm::Activation* activation,
                                   LinearRequantization* requantization) {
  TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, input, "input"));
  TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, output, "output"));
  if (output.dtype != input.dtype)
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': output '%s' is %s but input '%s' is %s; they must match",
                         OpName(node), node.name, output.name, DTypeName(output.dtype), input.name,
                         DTypeName(input.dtype));
  if (!IsQuantizedDType(weights.dtype)) return UnsupportedDType(node, weights, "weights");
  const int count = weights.quant.count;
  int axis = weights.quant.axis;
  if (axis < 0) axis += weights.shape.rank;
  const bool per_channel_ok = count == channels && (channels == 1 || axis == weight_channel_axis);
  if (count != 1 && !per_channel_ok)
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': weights '%s' have %d scales on axis %d; expected 1, or %d "
                         "on axis %d (one per output channel)",
                         OpName(node), node.name, weights.name, count, weights.quant.axis, channels,
                         weight_channel_axis);
  TMM_RETURN_IF_ERROR(CheckQuantValues(node, weights, "weights"));

  int32_t* multiplier = static_cast<int32_t*>(context.AllocatePersistent(sizeof(int32_t) * count));
  int* shift = static_cast<int*>(context.AllocatePersistent(sizeof(int) * count));
  if (!multiplier || !shift)
    return Status::Error(StatusCode::kResourceExhausted,
                         "%s node '%s': out of persistent memory for %d requantization "
                         "multipliers",
                         OpName(node), node.name, count);
  const double input_scale = input.quant.scale[0];
  const double output_scale = output.quant.scale[0];
  for (int c = 0; c < count; ++c) {
    const double real_multiplier = input_scale * weights.quant.scale[c] / output_scale;
    QuantizeMultiplier(real_multiplier, &multiplier[c], &shift[c]);
  }
  requantization->input_zero_point = input.quant.zero_point[0];
  requantization->output_zero_point = output.quant.zero_point[0];
  requantization->channel_count = count;
  requantization->weight_zero_point = weights.quant.zero_point;
  requantization->multiplier = multiplier;
  requantization->shift = shift;
  return QuantizedActivationRange(node, activation, output, &requantization->output_range);
}

Status CheckQuantizedBias(const Node& node, const Tensor& bias, const Tensor& input,
                          const Tensor& weights, int channels) {
  TMM_RETURN_IF_ERROR(CheckDType(node, bias, DType::kInt32, "bias"));
  const int count = bias.quant.count;
  if (count == 0) return Status::Ok();
  if (count != 1 && count != channels)
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': bias '%s' has %d scales; expected 1 or %d", OpName(node),
                         node.name, bias.name, count, channels);
  for (int c = 0; c < channels; ++c) {
    const int bias_index = count == 1 ? 0 : c;
    const int weight_index = weights.quant.count == 1 ? 0 : c;
    const double expected =
        static_cast<double>(input.quant.scale[0]) * weights.quant.scale[weight_index];
    const double scale = bias.quant.scale[bias_index];
    if (bias.quant.zero_point[bias_index] != 0 || std::fabs(scale - expected) > 1e-5 * expected)
      return Status::Error(StatusCode::kInvalidArgument,
                           "%s node '%s': bias '%s' has scale %g and zero point %d at index %d; "
                           "expected input scale * weight scale = %g and zero point 0",
                           OpName(node), node.name, bias.name, scale,
                           bias.quant.zero_point[bias_index], bias_index, expected);
  }
  return Status::Ok();
}

}  // namespace tinymlops::runtime
