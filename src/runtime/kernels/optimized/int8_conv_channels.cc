#include "runtime/kernels/optimized/int8_conv_channels.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

#include "runtime/kernels/linear_requantization.h"

namespace tinymlops::runtime::optimized {

Status PrepareInt8ConvChannels(PrepareContext& context, const Node& node,
                               Int8ConvChannels* channels) {
  const Tensor& input = *node.inputs[0];
  const Tensor& weights = *node.inputs[1];
  const Tensor* bias = node.Input(2);
  const int count = weights.shape.dims[0];
  LinearRequantization requantization;
  TMM_RETURN_IF_ERROR(PrepareLinearRequantization(
      context, node, input, weights, /*weight_channel_axis=*/0, count, *node.outputs[0],
      node.op->options_as_ConvOptions()->activation(), &requantization));
  auto* channel =
      static_cast<Int8ConvChannel*>(context.AllocatePersistent(sizeof(Int8ConvChannel) * count));
  if (!channel)
    return Status::Error(StatusCode::kResourceExhausted,
                         "Conv node '%s': out of persistent memory for %d channel parameters",
                         node.name, count);
  for (int m = 0; m < count; ++m) {
    const int index = requantization.channel_count == 1 ? 0 : m;
    channel[m].bias = bias ? bias->Data<int32_t>()[m] : 0;
    channel[m].weight_zero_point = requantization.weight_zero_point[index];
    channel[m].requantization = ChannelRequantization::FromShift(requantization.multiplier[index],
                                                                 requantization.shift[index]);
  }
  channels->channel = channel;
  channels->input_zero_point = requantization.input_zero_point;
  channels->output_zero_point = requantization.output_zero_point;
  channels->output_min = requantization.output_range.min;
  channels->output_max = requantization.output_range.max;
  return Status::Ok();
}

bool HasConstantConvParameters(const Node& node) {
  const Tensor* bias = node.Input(2);
  return node.inputs[1]->is_constant && (!bias || bias->is_constant);
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
