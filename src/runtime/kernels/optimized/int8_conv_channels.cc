#include "runtime/kernels/optimized/int8_conv_channels.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "runtime/kernels/linear_requantization.h"

namespace tinymlops::runtime::optimized {
namespace {

constexpr int64_t kExactFloatSum = 1 << 24;  // float32 holds every integer below it

// kIntLanes bytes as int32 lanes, sign- or zero-extended.
IntVector LoadBytesAsInt32(const uint8_t* bytes, bool signed_input) {
#ifdef TINYMLOPS_OPTIMIZED_AVX512
  const __m128i loaded = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes));
  return signed_input ? _mm512_cvtepi8_epi32(loaded) : _mm512_cvtepu8_epi32(loaded);
#else
  const __m128i loaded = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(bytes));
  return signed_input ? _mm256_cvtepi8_epi32(loaded) : _mm256_cvtepu8_epi32(loaded);
#endif
}

// The low byte of every int32 lane, to kIntLanes bytes.
void StoreLowBytes(uint8_t* bytes, IntVector value) {
#ifdef TINYMLOPS_OPTIMIZED_AVX512
  _mm_storeu_si128(reinterpret_cast<__m128i*>(bytes), _mm512_cvtepi32_epi8(value));
#else
  // Bytes 0, 4, 8, 12 of each 128-bit half, then the two halves' first dwords together.
  const __m256i low_bytes = _mm256_shuffle_epi8(
      value, _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8,
                              12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
  const __m256i together =
      _mm256_permutevar8x32_epi32(low_bytes, _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(bytes), _mm256_castsi256_si128(together));
#endif
}

#ifdef TINYMLOPS_OPTIMIZED_AVX512
inline __m512 Int32ToFloats(__m512i value) { return _mm512_cvtepi32_ps(value); }
inline __m512i FloatsToInt32(__m512 value) { return _mm512_cvtps_epi32(value); }
#else
inline __m256 Int32ToFloats(__m256i value) { return _mm256_cvtepi32_ps(value); }
inline __m256i FloatsToInt32(__m256 value) { return _mm256_cvtps_epi32(value); }
#endif

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
