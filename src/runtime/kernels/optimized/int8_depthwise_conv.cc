#include "runtime/kernels/optimized/int8_depthwise_conv.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

#include <cstdint>

#include "runtime/kernels/optimized/int8_conv_channels.h"
#include "runtime/kernels/optimized/strided_load.h"

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = 16;

struct DepthwiseData {
  ConvGeometry g;
  int padded_h;
  int padded_w;
  int kernel_size;            // kernel_h * kernel_w
  bool signed_input;          // int8 (else uint8)
  const int32_t* weights;     // [channels][kernel_size]: w - w_zero_point
  const int32_t* tap_offset;  // kernel_size entries: int32 offset of a tap in the plane
  Int8ConvChannels channels;
  size_t plane_ints;  // padded_h * padded_w
  size_t slack_ints;  // read (never used) past the plane by the last vectors
  size_t flat_bytes;  // stride 1: out_h * padded_w outputs, plus one vector
};

__mmask16 FirstLanes(int count) {
  return count >= kLanes ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << count) - 1);
}

void ZeroInts(int32_t* destination, ptrdiff_t count) {
  for (; count >= kLanes; count -= kLanes, destination += kLanes)
    _mm512_storeu_si512(destination, _mm512_setzero_si512());
  if (count > 0)
    _mm512_mask_storeu_epi32(destination, FirstLanes(static_cast<int>(count)),
                             _mm512_setzero_si512());
}

// plane = the padded channel `x` minus the input zero point, zeros in the padding.
void BuildPlane(const DepthwiseData& data, const uint8_t* x, int32_t* plane) {
  const ConvGeometry& g = data.g;
  const __m512i zero_point = _mm512_set1_epi32(data.channels.input_zero_point);
  const int right = data.padded_w - g.pad_left - g.in_w;
  ZeroInts(plane, ptrdiff_t{g.pad_top} * data.padded_w);
  for (int ih = 0; ih < g.in_h; ++ih) {
    int32_t* row = plane + ptrdiff_t{g.pad_top + ih} * data.padded_w;
    const uint8_t* source = x + ptrdiff_t{ih} * g.in_w;
    ZeroInts(row, g.pad_left);
    for (int i = 0; i < g.in_w; i += kLanes) {
      const __mmask16 mask = FirstLanes(g.in_w - i);
      const __m128i bytes = _mm_maskz_loadu_epi8(mask, source + i);
      const __m512i values =
          data.signed_input ? _mm512_cvtepi8_epi32(bytes) : _mm512_cvtepu8_epi32(bytes);
      _mm512_mask_storeu_epi32(row + g.pad_left + i, mask, _mm512_sub_epi32(values, zero_point));
    }
    ZeroInts(row + g.pad_left + g.in_w, right);
  }
  ZeroInts(plane + ptrdiff_t{g.pad_top + g.in_h} * data.padded_w,
           ptrdiff_t{data.padded_h - g.pad_top - g.in_h} * data.padded_w);
}

// The requantized outputs of 16 output pixels whose window starts at `source`.
template <int kStride>
__m128i OutputVector(const DepthwiseData& data, const int32_t* source, const int32_t* weights,
                     const Int8ConvChannel& channel, __m512i gather_index) {
  __m512i acc = _mm512_set1_epi32(channel.bias);
  for (int t = 0; t < data.kernel_size; ++t)
    acc = _mm512_add_epi32(
        acc, _mm512_mullo_epi32(LoadStrided<kStride>(source + data.tap_offset[t], gather_index),
                                _mm512_set1_epi32(weights[t])));
  const Int8ConvChannels& c = data.channels;
  return _mm512_cvtepi32_epi8(
      RequantizeVector(acc, channel.requantization, _mm512_set1_epi32(c.output_zero_point),
                       _mm512_set1_epi32(c.output_min), _mm512_set1_epi32(c.output_max)));
}

// Stride 1: outputs at every position of the padded rows [0, out_h), then the valid columns.
void ConvolveFlat(const DepthwiseData& data, const int32_t* plane, const int32_t* weights,
                  const Int8ConvChannel& channel, uint8_t* flat, uint8_t* y) {
  const ConvGeometry& g = data.g;
  const int total = g.out_h * data.padded_w;
  const __m512i unused = _mm512_setzero_si512();
  for (int f = 0; f < total; f += kLanes)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(flat + f),
                     OutputVector<1>(data, plane + f, weights, channel, unused));
  for (int oh = 0; oh < g.out_h; ++oh)
    for (int ow = 0; ow < g.out_w; ow += kLanes) {
      const __mmask16 mask = FirstLanes(g.out_w - ow);
      _mm_mask_storeu_epi8(y + ptrdiff_t{oh} * g.out_w + ow, mask,
                           _mm_maskz_loadu_epi8(mask, flat + ptrdiff_t{oh} * data.padded_w + ow));
    }
}

template <int kStride>
void ConvolveRows(const DepthwiseData& data, const int32_t* plane, const int32_t* weights,
                  const Int8ConvChannel& channel, uint8_t* y) {
  const ConvGeometry& g = data.g;
  const __m512i gather_index = StridedGatherIndex(g.stride_w);
  for (int oh = 0; oh < g.out_h; ++oh) {
    const int32_t* row = plane + ptrdiff_t{oh} * g.stride_h * data.padded_w;
    for (int ow = 0; ow < g.out_w; ow += kLanes)
      _mm_mask_storeu_epi8(y + ptrdiff_t{oh} * g.out_w + ow, FirstLanes(g.out_w - ow),
                           OutputVector<kStride>(data, row + ptrdiff_t{ow} * g.stride_w, weights,
                                                 channel, gather_index));
  }
}

Status EvalInt8Depthwise(Node& node) {
  const auto& data = *static_cast<const DepthwiseData*>(node.user_data);
  const ConvGeometry& g = data.g;
  const auto* x = static_cast<const uint8_t*>(node.inputs[0]->data);
  auto* y = static_cast<uint8_t*>(node.outputs[0]->data);
  auto* plane = static_cast<int32_t*>(node.scratch);
  auto* flat = reinterpret_cast<uint8_t*>(plane + data.plane_ints + data.slack_ints);
  ZeroInts(plane + data.plane_ints, static_cast<ptrdiff_t>(data.slack_ints));
  const bool unit_stride = g.stride_h == 1 && g.stride_w == 1;
  for (int n = 0; n < g.batch; ++n)
    for (int c = 0; c < g.in_channels; ++c) {
      const ptrdiff_t image_channel = ptrdiff_t{n} * g.in_channels + c;
      BuildPlane(data, x + image_channel * g.in_plane(), plane);
      const int32_t* weights = data.weights + ptrdiff_t{c} * data.kernel_size;
      const Int8ConvChannel& channel = data.channels.channel[c];
      uint8_t* y_channel = y + image_channel * g.out_plane();
      if (unit_stride)
        ConvolveFlat(data, plane, weights, channel, flat, y_channel);
      else if (g.stride_w == 1)
        ConvolveRows<1>(data, plane, weights, channel, y_channel);
      else if (g.stride_w == 2)
        ConvolveRows<2>(data, plane, weights, channel, y_channel);
      else
        ConvolveRows<0>(data, plane, weights, channel, y_channel);
    }
  return Status::Ok();
}

}  // namespace

Status PrepareInt8DepthwiseConv(PrepareContext& context, Node& node, const ConvGeometry& g) {
  Int8ConvChannels channels;
  TMM_RETURN_IF_ERROR(PrepareInt8ConvChannels(context, node, &channels));
  const Tensor& weights = *node.inputs[1];
  const int kernel_size = g.kernel_h * g.kernel_w;
  const size_t weight_bytes = sizeof(int32_t) * kernel_size * g.in_channels;
  auto* data = static_cast<DepthwiseData*>(context.AllocatePersistent(sizeof(DepthwiseData)));
  auto* tap_offset =
      static_cast<int32_t*>(context.AllocatePersistent(sizeof(int32_t) * kernel_size));
  auto* packed = static_cast<int32_t*>(context.AllocatePersistent(weight_bytes));
  if (!data || !tap_offset || !packed)
    return Status::Error(StatusCode::kResourceExhausted,
                         "Conv node '%s': cannot allocate %zu bytes for depthwise weights",
                         node.name, weight_bytes);
  *data = DepthwiseData{};
  data->g = g;
  data->padded_h = g.pad_top + g.in_h + g.pad_bottom;
  data->padded_w = g.pad_left + g.in_w + g.pad_right;
  data->kernel_size = kernel_size;
  data->signed_input = node.inputs[0]->dtype == DType::kInt8;
  for (int kh = 0; kh < g.kernel_h; ++kh)
    for (int kw = 0; kw < g.kernel_w; ++kw)
      tap_offset[kh * g.kernel_w + kw] = kh * g.dilation_h * data->padded_w + kw * g.dilation_w;
  for (int c = 0; c < g.in_channels; ++c)
    for (int k = 0; k < kernel_size; ++k) {
      const ptrdiff_t i = ptrdiff_t{c} * kernel_size + k;
      const int32_t w = weights.dtype == DType::kInt8 ? int32_t{weights.Data<int8_t>()[i]}
                                                      : int32_t{weights.Data<uint8_t>()[i]};
      packed[i] = w - channels.channel[c].weight_zero_point;
    }
  data->weights = packed;
  data->tap_offset = tap_offset;
  data->channels = channels;
  data->plane_ints = static_cast<size_t>(data->padded_h) * data->padded_w;
  // Flat stride 1 overshoots by up to a row, strided rows by up to two vectors' strided reads.
  data->slack_ints = static_cast<size_t>(data->padded_w) + size_t{2} * kLanes * g.stride_w + kLanes;
  data->flat_bytes = static_cast<size_t>(g.out_h) * data->padded_w + kLanes;
  context.RequestScratch(
      node, (data->plane_ints + data->slack_ints) * sizeof(int32_t) + data->flat_bytes);
  node.user_data = data;
  node.eval = EvalInt8Depthwise;
  return Status::Ok();
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
