#include "runtime/kernels/optimized/depthwise_conv.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

#include <algorithm>

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = 16;
constexpr int kTileVectors = 4;  // independent accumulators per channel walk

// Flat positions [first, first + kTileVectors * 16) of one channel, or fewer with kPartial:
// vector v then holds lanes[v] (0 to 16) positions.
template <bool kPartial>
void DepthwiseTile(const DepthwiseConvFloatParams& params, const float* planes,
                   const float* weights, float bias, int first, FlatCursor at,
                   const int* lanes, __m512 lo, __m512 hi, float* output) {
  const int taps = params.geometry->kernel_h * params.geometry->kernel_w;
  __mmask16 masks[kTileVectors];
  for (int v = 0; v < kTileVectors; ++v) masks[v] = kPartial ? LaneMask(lanes[v]) : 0xFFFF;
  __m512 acc[kTileVectors];
  for (int v = 0; v < kTileVectors; ++v) acc[v] = _mm512_set1_ps(bias);
  for (int tap = 0; tap < taps; ++tap) {
    const float* source = planes + params.tap_offsets[tap] + first;
    const __m512 weight = _mm512_set1_ps(weights[tap]);
    for (int v = 0; v < kTileVectors; ++v) {
      const __m512 x = kPartial ? _mm512_maskz_loadu_ps(masks[v], source + v * kLanes)
                                : _mm512_loadu_ps(source + v * kLanes);
      acc[v] = _mm512_fmadd_ps(weight, x, acc[v]);
    }
  }
  for (int v = 0; v < kTileVectors; ++v) {
    if (kPartial && lanes[v] == 0) break;
    StoreFlatVector(*params.layout, output, first + v * kLanes, at, kPartial ? lanes[v] : kLanes,
                    _mm512_min_ps(hi, _mm512_max_ps(lo, acc[v])));
    at.Advance(kLanes, params.layout->pitch);
  }
}

}  // namespace

size_t DepthwiseConvFloatScratchFloats(const FlatConvLayout& layout) {
  return FlatConvPlanesFloats(layout, 1);
}

void DepthwiseConvFloat(const DepthwiseConvFloatParams& params, const float* input,
                        float* scratch, float* output) {
  const ConvGeometry& g = *params.geometry;
  const FlatConvLayout& layout = *params.layout;
  const __m512 lo = _mm512_set1_ps(params.clamp.min);
  const __m512 hi = _mm512_set1_ps(params.clamp.max);
  const int taps = g.kernel_h * g.kernel_w;
  constexpr int kTile = kTileVectors * kLanes;
  const int full_tiles_end = layout.positions / kTile * kTile;
  int lanes[kTileVectors];
  for (int v = 0; v < kTileVectors; ++v)
    lanes[v] = std::clamp(layout.positions - full_tiles_end - v * kLanes, 0, kLanes);
  for (int c = 0; c < g.in_channels; ++c) {
    const float* channel = input + static_cast<ptrdiff_t>(c) * g.in_plane();
    const float* planes = channel;
    if (!layout.reads_input) {
      BuildFlatConvPlanes(g, layout, channel, 1, scratch);
      planes = scratch;
    }
    const float* weights = params.weights + c * taps;
    const float bias = params.bias ? params.bias[c] : 0.0f;
    float* channel_output = output + static_cast<ptrdiff_t>(c) * g.out_plane();
    FlatCursor at;
    for (int first = 0; first < full_tiles_end; first += kTile) {
      DepthwiseTile<false>(params, planes, weights, bias, first, at, lanes, lo, hi,
                           channel_output);
      at.Advance(kTile, layout.pitch);
    }
    if (full_tiles_end < layout.positions)
      DepthwiseTile<true>(params, planes, weights, bias, full_tiles_end, at, lanes, lo, hi,
                          channel_output);
  }
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
