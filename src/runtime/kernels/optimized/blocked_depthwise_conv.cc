#include "runtime/kernels/optimized/blocked_depthwise_conv.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

#include <algorithm>
#include <cstdint>

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = kFloatLanes;

// Tile rows (or columns) along one axis: the padded input the outputs read, and at least the
// input itself after the leading padding.
int PaddedExtent(int in, int pad_before, int out, int stride, int kernel, int dilation) {
  return std::max(pad_before + in, (out - 1) * stride + (kernel - 1) * dilation + 1);
}

int Blocks(const ConvGeometry& g) { return (g.in_channels + kLanes - 1) / kLanes; }
int RoundedPixels(const ConvGeometry& g) { return (g.out_plane() + 3) / 4 * 4; }
int PaddingPixels(const ConvGeometry& g) {
  return PaddedExtent(g.in_h, g.pad_top, g.out_h, g.stride_h, g.kernel_h, g.dilation_h) *
             PaddedExtent(g.in_w, g.pad_left, g.out_w, g.stride_w, g.kernel_w, g.dilation_w) -
         g.in_plane();
}
int RoundedInputPixels(const ConvGeometry& g) {
  return (g.in_plane() + kLanes - 1) / kLanes * kLanes;
}

// Transposes kLanes vectors as a kLanes x kLanes matrix: lane j of v[i] becomes lane i of v[j].
#ifdef TINYMLOPS_OPTIMIZED_AVX512
void TransposeLanes(FloatVector v[kLanes]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(v[i], v[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(v[i], v[i + 1]);
  }
  // Per 128-bit lane k, u[4 * g + m] holds column 4k + m of rows 4g .. 4g + 3.
  __m512 u[16];
  const auto pd = [](__m512 x) { return _mm512_castps_pd(x); };
  for (int i = 0; i < 16; i += 4) {
    u[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(pd(t[i]), pd(t[i + 2])));
    u[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(pd(t[i]), pd(t[i + 2])));
    u[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(pd(t[i + 1]), pd(t[i + 3])));
    u[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(pd(t[i + 1]), pd(t[i + 3])));
  }
  for (int m = 0; m < 4; ++m) {
    const __m512 x_low = _mm512_shuffle_f32x4(u[m], u[4 + m], 0x88);
    const __m512 y_low = _mm512_shuffle_f32x4(u[m], u[4 + m], 0xDD);
    const __m512 x_high = _mm512_shuffle_f32x4(u[8 + m], u[12 + m], 0x88);
    const __m512 y_high = _mm512_shuffle_f32x4(u[8 + m], u[12 + m], 0xDD);
    v[m] = _mm512_shuffle_f32x4(x_low, x_high, 0x88);
    v[4 + m] = _mm512_shuffle_f32x4(y_low, y_high, 0x88);
    v[8 + m] = _mm512_shuffle_f32x4(x_low, x_high, 0xDD);
    v[12 + m] = _mm512_shuffle_f32x4(y_low, y_high, 0xDD);
  }
}
#else
void TransposeLanes(FloatVector v[kLanes]) {
  __m256 t[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(v[i], v[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(v[i], v[i + 1]);
  }
  // Per 128-bit half k, u[4 * g + m] holds column 4k + m of rows 4g .. 4g + 3.
  __m256 u[8];
  const auto pd = [](__m256 x) { return _mm256_castps_pd(x); };
  for (int i = 0; i < 8; i += 4) {
    u[i] = _mm256_castpd_ps(_mm256_unpacklo_pd(pd(t[i]), pd(t[i + 2])));
    u[i + 1] = _mm256_castpd_ps(_mm256_unpackhi_pd(pd(t[i]), pd(t[i + 2])));
    u[i + 2] = _mm256_castpd_ps(_mm256_unpacklo_pd(pd(t[i + 1]), pd(t[i + 3])));
    u[i + 3] = _mm256_castpd_ps(_mm256_unpackhi_pd(pd(t[i + 1]), pd(t[i + 3])));
  }
  for (int m = 0; m < 4; ++m) {
    v[m] = _mm256_permute2f128_ps(u[m], u[4 + m], 0x20);
    v[4 + m] = _mm256_permute2f128_ps(u[m], u[4 + m], 0x31);
  }
}
#endif

// Builds the zero-padded tile of the `channels` (1 to kLanes) planes at `input`.
void BuildTile(const BlockedDepthwiseConv& conv, const float* input, int channels, float* tile) {
  const ConvGeometry& g = conv.geometry;
  const FloatVector zero = ZeroFloatVector();
  const int32_t* padding = conv.padding_offsets;  // locals: the stores may alias `conv`
  const int padding_pixels = conv.padding_pixels;
  for (int i = 0; i < padding_pixels; ++i) StoreFloats(tile + padding[i], zero);
  const int plane = g.in_plane();
  for (int first = 0; first < plane; first += kLanes) {
    const LaneBits mask = LaneMask(std::min(kLanes, plane - first));
    FloatVector v[kLanes];
    if (channels == kLanes) {
      for (int c = 0; c < kLanes; ++c)
        v[c] = LoadFloatLanes(mask, input + ptrdiff_t{c} * plane + first);
    } else {
      for (int c = 0; c < kLanes; ++c)
        v[c] = LoadFloatLanes(c < channels ? mask : 0,
                              input + ptrdiff_t{std::min(c, channels - 1)} * plane + first);
    }
    TransposeLanes(v);
    // Unconditional: the pixels past the plane go to the slack vector after the tile.
    const int32_t* offsets = conv.input_offsets + first;
    for (int j = 0; j < kLanes; ++j) StoreFloats(tile + offsets[j], v[j]);
  }
}

// Output pixels pixel_offsets[0 .. N) of one block into v[0 .. N): kKernel x kKernel taps when
// kKernel > 0 (and dilation_w 1), else the geometry's. With kKernel > 0 the tap weights stay in
// registers and the pixels run 4 at a time, as 4 independent FMA chains over the taps.
template <int kKernel, int N>
void OutputPixels(const BlockedDepthwiseConv& conv, const float* tile, const float* weights,
                  FloatVector bias, const int32_t* pixel_offsets, FloatVector v[kLanes]) {
  const ConvGeometry& g = conv.geometry;
  const int row_step = g.dilation_h * conv.padded_w * kLanes;
  const int column_step = g.dilation_w * kLanes;
  if constexpr (kKernel > 0) {
    // Column steps of one vector (dilation_w == 1): immediate displacements.
    constexpr int kTaps = kKernel * kKernel;
    FloatVector tap_weights[kTaps];
#pragma GCC unroll 16
    for (int t = 0; t < kTaps; ++t) tap_weights[t] = LoadFloats(weights + t * kLanes);
#pragma GCC unroll 4
    for (int r0 = 0; r0 < N; r0 += 4) {
      const float* sources[4];
#pragma GCC unroll 4
      for (int r = 0; r < 4; ++r) {
        sources[r] = tile + pixel_offsets[r0 + r];
        v[r0 + r] = bias;
      }
#pragma GCC unroll 16
      for (int t = 0; t < kTaps; ++t) {
        const int offset = t / kKernel * row_step + t % kKernel * kLanes;
#pragma GCC unroll 4
        for (int r = 0; r < 4; ++r)
          v[r0 + r] = MultiplyAdd(tap_weights[t], LoadFloats(sources[r] + offset), v[r0 + r]);
      }
    }
  } else {
    for (int r = 0; r < N; ++r) v[r] = bias;
    for (int ky = 0; ky < g.kernel_h; ++ky)
      for (int kx = 0; kx < g.kernel_w; ++kx) {
        const int offset = ky * row_step + kx * column_step;
        const FloatVector weight = LoadFloats(weights + (ky * g.kernel_w + kx) * kLanes);
        for (int r = 0; r < N; ++r)
          v[r] = MultiplyAdd(weight, LoadFloats(tile + pixel_offsets[r] + offset), v[r]);
      }
  }
  const FloatVector lo = BroadcastFloat(conv.clamp.min);
  const FloatVector hi = BroadcastFloat(conv.clamp.max);
  for (int r = 0; r < N; ++r) v[r] = MinFloats(hi, MaxFloats(lo, v[r]));
  for (int r = N; r < kLanes; ++r) v[r] = ZeroFloatVector();
}

// OutputPixels<kKernel, N> for the first `quads` * 4 (1 to N / 4 quads) pixels of a vector.
template <int kKernel, int N = kLanes>
void OutputQuads(int quads, const BlockedDepthwiseConv& conv, const float* tile,
                 const float* weights, FloatVector bias, const int32_t* pixel_offsets,
                 FloatVector v[kLanes]) {
  if constexpr (N > 4) {
    if (quads < N / 4)
      return OutputQuads<kKernel, N - 4>(quads, conv, tile, weights, bias, pixel_offsets, v);
  }
  OutputPixels<kKernel, N>(conv, tile, weights, bias, pixel_offsets, v);
}

// The outputs of one block: kLanes pixels at a time, transposed into the `channels` planes at
// `output`.
template <int kKernel>
void OutputBlock(const BlockedDepthwiseConv& conv, const float* tile, const float* weights,
                 FloatVector bias, int channels, float* output) {
  const int plane = conv.geometry.out_plane();
  for (int first = 0; first < plane; first += kLanes) {
    const int pixels = std::min(kLanes, plane - first);
    FloatVector v[kLanes];
    OutputQuads<kKernel>((pixels + 3) / 4, conv, tile, weights, bias, conv.pixel_offsets + first,
                         v);
    TransposeLanes(v);
    const LaneBits mask = LaneMask(pixels);
    for (int c = 0; c < kLanes; ++c)  // unrolled: the missing channels store nothing
      StoreFloatLanes(output + ptrdiff_t{std::min(c, channels - 1)} * plane + first,
                      c < channels ? mask : 0, v[c]);
  }
}

}  // namespace

bool BlockedDepthwiseConvFits(const ConvGeometry& g) {
  if (!g.IsDepthwise() || g.in_channels < kLanes) return false;
  const int64_t rows =
      PaddedExtent(g.in_h, g.pad_top, g.out_h, g.stride_h, g.kernel_h, g.dilation_h);
  const int64_t columns =
      PaddedExtent(g.in_w, g.pad_left, g.out_w, g.stride_w, g.kernel_w, g.dilation_w);
  return kLanes * rows * columns <= kMaxBlockedDepthwiseTileFloats;
}

size_t BlockedDepthwiseConvPersistentFloats(const ConvGeometry& g) {
  const size_t blocks = Blocks(g);
  return blocks * kLanes * (g.kernel_h * g.kernel_w + 1) + RoundedPixels(g) +
         RoundedInputPixels(g) + PaddingPixels(g);
}

void MakeBlockedDepthwiseConv(const ConvGeometry& g, const float* weights, const float* bias,
                              FloatRange clamp, float* persistent, BlockedDepthwiseConv* conv) {
  const int taps = g.kernel_h * g.kernel_w;
  const int blocks = Blocks(g);
  float* packed_weights = persistent;
  float* packed_bias = packed_weights + ptrdiff_t{blocks} * taps * kLanes;
  auto* pixel_offsets = reinterpret_cast<int32_t*>(packed_bias + blocks * kLanes);
  for (int c = 0; c < blocks * kLanes; ++c) {
    const int block = c / kLanes, lane = c % kLanes;
    for (int t = 0; t < taps; ++t)
      packed_weights[(ptrdiff_t{block} * taps + t) * kLanes + lane] =
          c < g.in_channels ? weights[ptrdiff_t{c} * taps + t] : 0.0f;
    packed_bias[c] = c < g.in_channels && bias ? bias[c] : 0.0f;
  }
  *conv = BlockedDepthwiseConv{};
  conv->geometry = g;
  conv->padded_h = PaddedExtent(g.in_h, g.pad_top, g.out_h, g.stride_h, g.kernel_h, g.dilation_h);
  conv->padded_w = PaddedExtent(g.in_w, g.pad_left, g.out_w, g.stride_w, g.kernel_w, g.dilation_w);
  for (int p = 0; p < RoundedPixels(g); ++p) {
    const int pixel = std::min(p, g.out_plane() - 1);
    const int y = pixel / g.out_w, x = pixel % g.out_w;
    pixel_offsets[p] = (y * g.stride_h * conv->padded_w + x * g.stride_w) * kLanes;
  }
  auto* input_offsets = pixel_offsets + RoundedPixels(g);
  const int tile_floats = kLanes * conv->padded_h * conv->padded_w;
  for (int p = 0; p < RoundedInputPixels(g); ++p) {
    const int y = p / g.in_w, x = p % g.in_w;
    input_offsets[p] = p < g.in_plane()
                           ? ((g.pad_top + y) * conv->padded_w + g.pad_left + x) * kLanes
                           : tile_floats;
  }
  auto* padding_offsets = input_offsets + RoundedInputPixels(g);
  int padding = 0;
  for (int y = 0; y < conv->padded_h; ++y)
    for (int x = 0; x < conv->padded_w; ++x)
      if (y < g.pad_top || y >= g.pad_top + g.in_h || x < g.pad_left || x >= g.pad_left + g.in_w)
        padding_offsets[padding++] = (y * conv->padded_w + x) * kLanes;
  conv->weights = packed_weights;
  conv->bias = packed_bias;
  conv->pixel_offsets = pixel_offsets;
  conv->input_offsets = input_offsets;
  conv->padding_offsets = padding_offsets;
  conv->padding_pixels = padding;
  conv->clamp = clamp;
}

size_t BlockedDepthwiseConvScratchFloats(const BlockedDepthwiseConv& conv) {
  return static_cast<size_t>(kLanes) * (conv.padded_h * conv.padded_w + 2);
}

void BlockedDepthwiseConvFloat(const BlockedDepthwiseConv& conv, const float* input, float* scratch,
                               float* output) {
  const ConvGeometry& g = conv.geometry;
  const int taps = g.kernel_h * g.kernel_w;
  const bool three_by_three = g.kernel_h == 3 && g.kernel_w == 3 && g.dilation_w == 1;
  // Pixels aligned to their size, so none straddles a cache line (one vector of slack for this).
  constexpr uintptr_t kPixelBytes = sizeof(FloatVector);
  float* tile = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(scratch) + kPixelBytes - 1) /
                                         kPixelBytes * kPixelBytes);
  for (int block = 0; block < Blocks(g); ++block) {
    const int first = block * kLanes;
    const int channels = std::min(kLanes, g.in_channels - first);
    BuildTile(conv, input + ptrdiff_t{first} * g.in_plane(), channels, tile);
    const float* weights = conv.weights + ptrdiff_t{block} * taps * kLanes;
    const FloatVector bias = LoadFloats(conv.bias + first);
    float* block_output = output + ptrdiff_t{first} * g.out_plane();
    if (three_by_three)
      OutputBlock<3>(conv, tile, weights, bias, channels, block_output);
    else
      OutputBlock<0>(conv, tile, weights, bias, channels, block_output);
  }
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
