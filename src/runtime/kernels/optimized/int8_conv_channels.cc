#include "runtime/kernels/optimized/int8_conv_channels.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "runtime/kernels/linear_requantization.h"

namespace tinymlops::runtime::optimized {
namespace {

constexpr int64_t kExactFloatSum = 1 << 24;  // float32 holds every integer below it

}  // namespace

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

DotProductChannel FoldDotProductChannel(const Int8ConvChannel& channel, uint8_t input_zero,
                                        uint32_t weight_sum, int32_t weight_zero, uint32_t taps) {
  const uint32_t a = input_zero;
  return {static_cast<int32_t>(static_cast<uint32_t>(channel.bias) - a * weight_sum +
                               taps * a * static_cast<uint32_t>(weight_zero)),
          weight_zero, channel.requantization};
}

bool HasConstantConvParameters(const Node& node) {
  const Tensor* bias = node.Input(2);
  return node.inputs[1]->is_constant && (!bias || bias->is_constant);
}

int32_t ConvWeightAt(const Tensor& weights, ptrdiff_t i) {
  return weights.dtype == DType::kInt8 ? int32_t{weights.Data<int8_t>()[i]}
                                       : int32_t{weights.Data<uint8_t>()[i]};
}

bool ConvSumsExactInFloat(const Node& node, const Int8ConvChannels& channels, int patch) {
  const Tensor& input = *node.inputs[0];
  const Tensor& weights = *node.inputs[1];
  const int32_t low = input.dtype == DType::kInt8 ? -128 : 0;
  const int64_t max_input =
      std::max(low + 255 - channels.input_zero_point, channels.input_zero_point - low);
  for (int m = 0; m < weights.shape.dims[0]; ++m) {
    int64_t weight_sum = 0;
    for (int i = 0; i < patch; ++i)
      weight_sum += std::abs(ConvWeightAt(weights, ptrdiff_t{m} * patch + i) -
                             channels.channel[m].weight_zero_point);
    if (weight_sum * max_input >= kExactFloatSum) return false;
  }
  return true;
}

void CenteredFloats(const uint8_t* x, bool signed_input, int32_t zero_point, int64_t count,
                    float* floats) {
  const IntVector zero = BroadcastInt32(zero_point);
  int64_t i = 0;
  for (; i + kIntLanes <= count; i += kIntLanes)
    StoreFloats(floats + i,
                Int32ToFloats(SubtractInt32(LoadBytesAsInt32(x + i, signed_input), zero)));
  if (i < count) {  // the tail through a whole vector of bytes
    const int tail = static_cast<int>(count - i);
    uint8_t bytes[kIntLanes] = {};
    std::memcpy(bytes, x + i, tail);
    StoreFloatLanes(floats + i, LaneMask(tail),
                    Int32ToFloats(SubtractInt32(LoadBytesAsInt32(bytes, signed_input), zero)));
  }
}

void RequantizeFloatSums(const float* sums, int count, const Int8ConvChannel& channel,
                         const Int8ConvChannels& channels, uint8_t* y) {
  const IntVector bias = BroadcastInt32(channel.bias);
  const IntVector zero_point = BroadcastInt32(channels.output_zero_point);
  const IntVector low = BroadcastInt32(channels.output_min);
  const IntVector high = BroadcastInt32(channels.output_max);
  const auto requantize = [&](FloatVector floats) {
    return RequantizeVector(AddInt32(FloatsToInt32(floats), bias), channel.requantization,
                            zero_point, low, high);
  };
  int i = 0;
  for (; i + kIntLanes <= count; i += kIntLanes)
    StoreLowBytes(y + i, requantize(LoadFloats(sums + i)));
  if (i < count) {
    const int tail = count - i;
    uint8_t bytes[kIntLanes];
    StoreLowBytes(bytes, requantize(LoadFloatLanes(LaneMask(tail), sums + i)));
    std::memcpy(y + i, bytes, tail);
  }
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
