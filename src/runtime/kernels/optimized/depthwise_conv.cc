#include "runtime/kernels/optimized/depthwise_conv.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

#include <algorithm>

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = 16;

int PaddedWidth(const ConvGeometry& g) { return g.in_w + g.pad_left + g.pad_right; }
int PaddedHeight(const ConvGeometry& g) { return g.in_h + g.pad_top + g.pad_bottom; }
bool IsFlat(const ConvGeometry& g) { return g.stride_h == 1 && g.stride_w == 1; }

// The padded plane plus slack for the last vector's loads past its end (two vectors for the
// stride-2 pair of loads, and the kernel's horizontal reach).
size_t PlaneFloats(const ConvGeometry& g) {
  return static_cast<size_t>(PaddedHeight(g)) * PaddedWidth(g) + 2 * kLanes +
         static_cast<size_t>(g.kernel_w - 1) * g.dilation_w;
}

// The flat path's output: out_h rows of the padded width, plus one vector of slack.
size_t FlatOutputFloats(const ConvGeometry& g) {
  return static_cast<size_t>(g.out_h) * PaddedWidth(g) + kLanes;
}

void PadPlane(const ConvGeometry& g, const float* channel, float* plane) {
  const int padded_w = PaddedWidth(g);
  const int plane_floats = static_cast<int>(PlaneFloats(g));
  if (padded_w == g.in_w) {  // no horizontal padding: the rows are one contiguous block
    const int top = g.pad_top * padded_w, body = g.in_h * g.in_w;
    ZeroFloats(plane, top);
    CopyFloats(plane + top, channel, body);
    ZeroFloats(plane + top + body, plane_floats - top - body);
    return;
  }
  ZeroFloats(plane, plane_floats);
  float* row = plane + g.pad_top * padded_w + g.pad_left;
  for (int y = 0; y < g.in_h; ++y, row += padded_w) CopyFloats(row, channel + y * g.in_w, g.in_w);
}

__m512 Clamp(__m512 value, __m512 lo, __m512 hi) {
  return _mm512_min_ps(hi, _mm512_max_ps(lo, value));
}

// Stride 1: output (y, x) sits at flat index y * padded_w + x of `flat`; columns x >= out_w
// of each row are computed and dropped.
void FlatChannel(const ConvGeometry& g, const float* plane, const float* weights, float bias,
                 __m512 lo, __m512 hi, float* flat, float* output) {
  const int padded_w = PaddedWidth(g);
  const int total = g.out_h * padded_w;
  for (int p = 0; p < total; p += kLanes) {
    __m512 acc = _mm512_set1_ps(bias);
    for (int i = 0; i < g.kernel_h; ++i) {
      const float* row = plane + p + i * g.dilation_h * padded_w;
      for (int j = 0; j < g.kernel_w; ++j)
        acc = _mm512_fmadd_ps(_mm512_set1_ps(weights[i * g.kernel_w + j]),
                              _mm512_loadu_ps(row + j * g.dilation_w), acc);
    }
    _mm512_storeu_ps(flat + p, Clamp(acc, lo, hi));
  }
  for (int y = 0; y < g.out_h; ++y) CopyFloats(output + y * g.out_w, flat + y * padded_w, g.out_w);
}

// Any vertical stride, horizontal stride kStrideW (1 or 2), one output row at a time.
template <int kStrideW>
void RowChannel(const ConvGeometry& g, const float* plane, const float* weights, float bias,
                __m512 lo, __m512 hi, float* output) {
  const int padded_w = PaddedWidth(g);
  const __m512i even_lanes =
      _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  for (int y = 0; y < g.out_h; ++y) {
    for (int x0 = 0; x0 < g.out_w; x0 += kLanes) {
      const __mmask16 mask =
          static_cast<__mmask16>((1u << std::min(kLanes, g.out_w - x0)) - 1u);
      __m512 acc = _mm512_set1_ps(bias);
      for (int i = 0; i < g.kernel_h; ++i) {
        const float* row = plane + (y * g.stride_h + i * g.dilation_h) * padded_w + kStrideW * x0;
        for (int j = 0; j < g.kernel_w; ++j) {
          const float* source = row + j * g.dilation_w;
          __m512 x;
          if constexpr (kStrideW == 1)
            x = _mm512_loadu_ps(source);
          else
            x = _mm512_permutex2var_ps(_mm512_loadu_ps(source), even_lanes,
                                       _mm512_loadu_ps(source + kLanes));
          acc = _mm512_fmadd_ps(_mm512_set1_ps(weights[i * g.kernel_w + j]), x, acc);
        }
      }
      _mm512_mask_storeu_ps(output + y * g.out_w + x0, mask, Clamp(acc, lo, hi));
    }
  }
}

}  // namespace

bool DepthwiseConvFloatSupports(const ConvGeometry& geometry) {
  return geometry.IsDepthwise() && (geometry.stride_w == 1 || geometry.stride_w == 2);
}

size_t DepthwiseConvFloatScratchFloats(const ConvGeometry& geometry) {
  return PlaneFloats(geometry) + (IsFlat(geometry) ? FlatOutputFloats(geometry) : 0);
}

void DepthwiseConvFloat(const ConvGeometry& geometry, const float* input, const float* weights,
                        const float* bias, const FloatRange& clamp, float* scratch,
                        float* output) {
  const ConvGeometry& g = geometry;
  const __m512 lo = _mm512_set1_ps(clamp.min);
  const __m512 hi = _mm512_set1_ps(clamp.max);
  const int taps = g.kernel_h * g.kernel_w;
  float* plane = scratch;
  float* flat = scratch + PlaneFloats(g);
  for (int c = 0; c < g.in_channels; ++c) {
    PadPlane(g, input + static_cast<ptrdiff_t>(c) * g.in_plane(), plane);
    const float* channel_weights = weights + c * taps;
    const float channel_bias = bias ? bias[c] : 0.0f;
    float* channel_output = output + static_cast<ptrdiff_t>(c) * g.out_plane();
    if (IsFlat(g))
      FlatChannel(g, plane, channel_weights, channel_bias, lo, hi, flat, channel_output);
    else if (g.stride_w == 1)
      RowChannel<1>(g, plane, channel_weights, channel_bias, lo, hi, channel_output);
    else
      RowChannel<2>(g, plane, channel_weights, channel_bias, lo, hi, channel_output);
  }
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
