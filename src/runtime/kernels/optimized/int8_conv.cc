#include "runtime/kernels/optimized/int8_conv.h"

#ifdef TINYMLOPS_OPTIMIZED_INT8_CONV

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "runtime/kernels/optimized/conv_geometry.h"
#include "runtime/kernels/optimized/int8_conv_channels.h"
#include "runtime/kernels/optimized/int8_depthwise_conv.h"
#include "runtime/kernels/optimized/int8_pixel_depthwise_conv.h"
#include "runtime/kernels/optimized/strided_load.h"

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = 16;      // output pixels per vector
constexpr int kRows = 4;        // output channels per tile
constexpr int kMaxVectors = 4;  // pixel vectors per tile
// An im2col layout is used when it fills the vectors' bytes at least this much better than
// the planes (few input channels, narrow output rows) and takes at most kMaxIm2colBytes.
constexpr double kIm2colGain = 1.1;
// The patch layout's rows are rebuilt from the planes at every run, one pass per patch element,
// so it must gain more: ResNet-8's and MobileNet's 3-channel 3x3 first layers (a gain of 1.35,
// 7 patch quads against 9 taps) ran 1.5-2x slower in it than in the planes, DS-CNN's 1-channel
// 10x4 one (10 quads against 40 taps) 2-3x faster.
constexpr double kPatchIm2colGain = 2.0;
constexpr size_t kMaxIm2colBytes = size_t{256} << 10;

// How a tile reads its input (see int8_conv.h).
enum class Int8ConvLayout : uint8_t {
  kPlanes,       // channel-quad planes, one output row at a time
  kQuadIm2col,   // rows of the planes' taps (channel quads), all pixels as one row
  kPatchIm2col,  // rows of patch-element quads (for fewer than 4 channels), as one row
};

struct Int8ConvData;
// Computes output channels [0, rows) (rows <= kRows) of `count` pixels (<= 16 * NV) of one row.
using TileFn = void (*)(const Int8ConvData& data, const uint32_t* pixels, const int8_t* weights,
                        const DotProductChannel* channel, int rows, int count, uint8_t* out);

struct Int8ConvData {
  ConvGeometry g;  // a pointwise conv is flattened to one row of in_h * in_w pixels
  Int8ConvLayout layout;
  int channel_quads;  // ceil(input channels per group / 4)
  int patch_quads;    // ceil(patch size / 4)
  int im2col_pitch;   // im2col layouts: dwords per tap row (out_plane and slack)
  int padded_h;
  int padded_w;
  int taps;                      // channel_quads * kernel_h * kernel_w: dwords per weight row
  int rows_padded;               // output channels per group, rounded up to kRows
  uint8_t flip;                  // 0x80 for int8 input (to unsigned), 0 for uint8
  bool signed_output;            // int8 output (else uint8)
  uint32_t pad_full;             // the zero point of 4 channels, unsigned domain
  uint32_t pad_last;             // the same for the last quad; channels past the group's are 0
  const int32_t* tap_offset;     // taps entries: dword offset of a tap in what tiles read
  const int32_t* plane_offset;   // channel_quads * kernel taps: of a tap in the planes
  const int8_t* packed_weights;  // [group][rows_padded][taps][4]
  const DotProductChannel* channel;    // one per output channel
  int32_t output_zero_point;
  int32_t output_min;
  int32_t output_max;
  size_t plane_dwords;       // channel_quads * padded_h * padded_w
  size_t slack_dwords;       // read (never used) past the plane by the last tile of a row
  TileFn tile[kMaxVectors];  // by vector count - 1
};

// Stores the 64 int32 lanes of y[0..3], each in the output dtype's range (int8 when
// `signed_output`, else uint8), as 64 bytes. The packs work within 128-bit blocks, so block
// k of the packed vector holds lanes 4k..4k+3 of y[0], y[1], y[2], y[3]; a dword permutation
// puts them in order.
inline void StorePackedBytes(const __m512i y[4], bool signed_output, uint8_t* destination) {
  const __m512i low_pairs = _mm512_packs_epi32(y[0], y[1]);
  const __m512i high_pairs = _mm512_packs_epi32(y[2], y[3]);
  const __m512i packed = signed_output ? _mm512_packs_epi16(low_pairs, high_pairs)
                                       : _mm512_packus_epi16(low_pairs, high_pairs);
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  _mm512_storeu_si512(destination, _mm512_permutexvar_epi32(order, packed));
}

template <int NV, int kStride, bool kWeightOffsets, bool kRoundNegatives>
void ConvTile(const Int8ConvData& data, const uint32_t* pixels, const int8_t* weights,
              const DotProductChannel* channel, int rows, int count, uint8_t* out) {
  __m512i acc[kRows][NV];
  __m512i sums[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    sums[v] = _mm512_setzero_si512();
#pragma GCC unroll 4
    for (int r = 0; r < kRows; ++r) acc[r][v] = _mm512_setzero_si512();
  }
  const int stride = kStride == 0 ? data.g.stride_w : kStride;
  const __m512i gather_index = kStride == 0 ? StridedGatherIndex(stride) : _mm512_setzero_si512();
  const ptrdiff_t step = ptrdiff_t{kLanes} * stride;
  const ptrdiff_t weight_row = ptrdiff_t{data.taps} * 4;
  const __m512i ones = _mm512_set1_epi8(1);
  int t = 0;
  // A do-while (taps >= 1) and, below, loops over the compile-time row count: with a loop that
  // might run zero times, or acc indexed by the run-time `rows`, GCC keeps acc in memory.
  do {
    const uint32_t* source = pixels + data.tap_offset[t];
    __m512i b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) b[v] = LoadStrided<kStride>(source + v * step, gather_index);
    if constexpr (kWeightOffsets) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) sums[v] = _mm512_dpbusd_epi32(sums[v], b[v], ones);
    }
#pragma GCC unroll 4
    for (int r = 0; r < kRows; ++r) {
      int32_t quad;
      std::memcpy(&quad, weights + r * weight_row + 4 * t, sizeof(quad));
      const __m512i w = _mm512_set1_epi32(quad);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], b[v], w);
    }
  } while (++t < data.taps);
  const __m512i zero_point = _mm512_set1_epi32(data.output_zero_point);
  const __m512i low = _mm512_set1_epi32(data.output_min);
  const __m512i high = _mm512_set1_epi32(data.output_max);
  const ptrdiff_t out_plane = data.g.out_plane();
  // Copies, so that the stores (bytes, which may alias anything) do not force reloads.
  DotProductChannel c[kRows];
  std::memcpy(c, channel, sizeof(DotProductChannel) * rows);
#pragma GCC unroll 4
  for (int r = 0; r < kRows; ++r) {
    if (r >= rows) break;
    if constexpr (NV == 4) {
      if (count == 4 * kLanes) {  // 64 contiguous bytes: packed, then one store
        __m512i y[4];
#pragma GCC unroll 4
        for (int v = 0; v < 4; ++v)
          y[v] = RequantizeDotProducts<kWeightOffsets, kRoundNegatives>(acc[r][v], sums[v], c[r],
                                                                        zero_point, low, high);
        StorePackedBytes(y, data.signed_output, out + r * out_plane);
        continue;
      }
    }
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      const int remaining = count - v * kLanes;
      const __m128i y = _mm512_cvtepi32_epi8(RequantizeDotProducts<kWeightOffsets, kRoundNegatives>(
          acc[r][v], sums[v], c[r], zero_point, low, high));
      StoreByteLanes(out + r * out_plane + v * kLanes, y, remaining);
    }
  }
}

template <int kStride, bool kWeightOffsets, bool kRoundNegatives>
void SelectTiles(TileFn* tile) {
  tile[0] = ConvTile<1, kStride, kWeightOffsets, kRoundNegatives>;
  tile[1] = ConvTile<2, kStride, kWeightOffsets, kRoundNegatives>;
  tile[2] = ConvTile<3, kStride, kWeightOffsets, kRoundNegatives>;
  tile[3] = ConvTile<4, kStride, kWeightOffsets, kRoundNegatives>;
}

// The tiles for stride kStride (0: any, gathered), with or without the weight-offset sums and
// the rounding of negative products (RequantizeVector).
template <int kStride>
void SelectTiles(bool weight_offsets, bool round_negatives, TileFn* tile) {
  if (weight_offsets)
    round_negatives ? SelectTiles<kStride, true, true>(tile)
                    : SelectTiles<kStride, true, false>(tile);
  else
    round_negatives ? SelectTiles<kStride, false, true>(tile)
                    : SelectTiles<kStride, false, false>(tile);
}

void FillDwords(uint32_t* destination, uint32_t value, ptrdiff_t count) {
  const __m512i pattern = _mm512_set1_epi32(static_cast<int32_t>(value));
  for (; count >= kLanes; count -= kLanes, destination += kLanes)
    _mm512_storeu_si512(destination, pattern);
  if (count > 0)
    _mm512_mask_storeu_epi32(destination, static_cast<__mmask16>((1u << count) - 1), pattern);
}

// destination[i] = the bytes rows[0..3][offset + i] (each XOR flip; an absent row gives 0), for
// i in [0, count). 64 pixels at a time: the byte and word unpacks interleave the rows within
// each 128-bit block (block k of q[m] holds pixels 16k + 4m .. 16k + 4m + 3), and a 4x4
// transpose of the blocks puts the pixels in order.
void InterleaveQuad(const uint8_t* const rows[4], ptrdiff_t offset, int count, uint8_t flip,
                    uint32_t* destination) {
  uint32_t flip_bytes = 0;  // flip on the bytes of the rows present
  for (int j = 0; j < 4; ++j)
    if (rows[j]) flip_bytes |= uint32_t{flip} << (8 * j);
  const __m512i flip_dwords = _mm512_set1_epi32(static_cast<int32_t>(flip_bytes));
  for (int i = 0; i < count; i += 4 * kLanes) {
    const int n = std::min(4 * kLanes, count - i);
    const __mmask64 mask = n == 4 * kLanes ? ~__mmask64{0} : (__mmask64{1} << n) - 1;
    __m512i v[4];
    for (int j = 0; j < 4; ++j)
      v[j] = rows[j] ? _mm512_maskz_loadu_epi8(mask, rows[j] + offset + i) : _mm512_setzero_si512();
    const __m512i ab_low = _mm512_unpacklo_epi8(v[0], v[1]);
    const __m512i ab_high = _mm512_unpackhi_epi8(v[0], v[1]);
    const __m512i cd_low = _mm512_unpacklo_epi8(v[2], v[3]);
    const __m512i cd_high = _mm512_unpackhi_epi8(v[2], v[3]);
    const __m512i q0 = _mm512_unpacklo_epi16(ab_low, cd_low);
    const __m512i q1 = _mm512_unpackhi_epi16(ab_low, cd_low);
    const __m512i q2 = _mm512_unpacklo_epi16(ab_high, cd_high);
    const __m512i q3 = _mm512_unpackhi_epi16(ab_high, cd_high);
    const __m512i t0 = _mm512_shuffle_i32x4(q0, q1, 0x44);  // q0.0 q0.1 q1.0 q1.1
    const __m512i t1 = _mm512_shuffle_i32x4(q2, q3, 0x44);
    const __m512i t2 = _mm512_shuffle_i32x4(q0, q1, 0xEE);  // q0.2 q0.3 q1.2 q1.3
    const __m512i t3 = _mm512_shuffle_i32x4(q2, q3, 0xEE);
    const __m512i quads[4] = {
        _mm512_shuffle_i32x4(t0, t1, 0x88), _mm512_shuffle_i32x4(t0, t1, 0xDD),  // blocks 0, 1
        _mm512_shuffle_i32x4(t2, t3, 0x88), _mm512_shuffle_i32x4(t2, t3, 0xDD)};
    for (int k = 0; k < 4 && 16 * k < n; ++k)
      _mm512_mask_storeu_epi32(destination + i + 16 * k, LaneMask(std::min(kLanes, n - 16 * k)),
                               _mm512_xor_si512(quads[k], flip_dwords));
  }
}

// Copies one group of one image (`x`: its first channel plane) into `plane`: channel quads of
// padded rows, the padding holding the input zero point; then zeroes the slack past it.
void BuildPlane(const Int8ConvData& data, const uint8_t* x, uint32_t* plane) {
  const ConvGeometry& g = data.g;
  const int channels = g.in_channels_per_group();
  const ptrdiff_t quad_dwords = ptrdiff_t{data.padded_h} * data.padded_w;
  const int right = data.padded_w - g.pad_left - g.in_w;
  for (int quad = 0; quad < data.channel_quads; ++quad) {
    uint32_t* q = plane + quad * quad_dwords;
    const uint32_t pad = quad + 1 < data.channel_quads ? data.pad_full : data.pad_last;
    const uint8_t* rows[4];
    for (int j = 0; j < 4; ++j) {
      const int c = 4 * quad + j;
      rows[j] = c < channels ? x + ptrdiff_t{c} * g.in_plane() : nullptr;
    }
    FillDwords(q, pad, ptrdiff_t{g.pad_top} * data.padded_w);
    for (int ih = 0; ih < g.in_h; ++ih) {
      uint32_t* row = q + ptrdiff_t{g.pad_top + ih} * data.padded_w;
      FillDwords(row, pad, g.pad_left);
      InterleaveQuad(rows, ptrdiff_t{ih} * g.in_w, g.in_w, data.flip, row + g.pad_left);
      FillDwords(row + g.pad_left + g.in_w, pad, right);
    }
    FillDwords(q + ptrdiff_t{g.pad_top + g.in_h} * data.padded_w, pad,
               ptrdiff_t{data.padded_h - g.pad_top - g.in_h} * data.padded_w);
  }
  FillDwords(plane + data.plane_dwords, 0, static_cast<ptrdiff_t>(data.slack_dwords));
}

// Copies the channel-quad plane of a group of fewer than 4 channels (one quad) into rows of
// patch-element quads: dword (q, p) holds patch elements 4q..4q+3 of output pixel p, each the
// byte of its channel in the plane dword its tap reads for p (so padding holds the input zero
// point); elements past the patch are 0.
template <int kStride>
void BuildPatchIm2col(const Int8ConvData& data, const uint32_t* plane, uint32_t* rows) {
  const ConvGeometry& g = data.g;
  const int patch = g.patch_size(), kernel = g.kernel_h * g.kernel_w;
  const __m512i gather_index = StridedGatherIndex(g.stride_w);
  for (int q = 0; q < data.patch_quads; ++q) {
    const int elements = std::min(4, patch - 4 * q);
    const uint32_t* source[4];
    __m512i to_byte[4];  // moves element j's channel byte of each dword to byte j
    for (int j = 0; j < elements; ++j) {
      const int e = 4 * q + j, channel = e / kernel;
      source[j] = plane + data.plane_offset[e % kernel];
      alignas(64) uint8_t control[64];
      for (int i = 0; i < 64; ++i)
        control[i] = i % 4 == j ? static_cast<uint8_t>(i % 16 - j + channel) : uint8_t{0x80};
      to_byte[j] = _mm512_load_si512(control);
    }
    uint32_t* row = rows + ptrdiff_t{q} * data.im2col_pitch;
    for (int oh = 0; oh < g.out_h; ++oh) {
      const ptrdiff_t input_row = ptrdiff_t{oh} * g.stride_h * data.padded_w;
      // Full vectors: a row's last one runs into the next row (written after it) or the slack.
      for (int ow = 0; ow < g.out_w; ow += kLanes) {
        const ptrdiff_t at = input_row + ptrdiff_t{ow} * g.stride_w;
        __m512i quads = _mm512_setzero_si512();
        for (int j = 0; j < elements; ++j)
          quads = _mm512_or_si512(
              quads,
              _mm512_shuffle_epi8(LoadStrided<kStride>(source[j] + at, gather_index), to_byte[j]));
        _mm512_storeu_si512(row + ptrdiff_t{oh} * g.out_w + ow, quads);
      }
    }
    FillDwords(row + g.out_plane(), 0, data.im2col_pitch - g.out_plane());
  }
}

// Copies the channel-quad planes' taps into rows: dword (t, p) = the dword tap t reads for
// output pixel p, so that all pixels of a group form one row.
template <int kStride>
void BuildQuadIm2col(const Int8ConvData& data, const uint32_t* plane, uint32_t* rows) {
  const ConvGeometry& g = data.g;
  const __m512i gather_index = StridedGatherIndex(g.stride_w);
  for (int t = 0; t < data.taps; ++t) {
    uint32_t* row = rows + ptrdiff_t{t} * data.im2col_pitch;
    for (int oh = 0; oh < g.out_h; ++oh) {
      const uint32_t* source =
          plane + data.plane_offset[t] + ptrdiff_t{oh} * g.stride_h * data.padded_w;
      for (int ow = 0; ow < g.out_w; ow += kLanes)
        _mm512_mask_storeu_epi32(
            row + ptrdiff_t{oh} * g.out_w + ow, LaneMask(std::min(kLanes, g.out_w - ow)),
            LoadStrided<kStride>(source + ptrdiff_t{ow} * g.stride_w, gather_index));
    }
    FillDwords(row + g.out_plane(), 0, data.im2col_pitch - g.out_plane());
  }
}

// Output channels of one group from im2col quads: the pixels as one row of out_plane.
void ConvolveIm2col(const Int8ConvData& data, const uint32_t* quads, const int8_t* weights,
                    const DotProductChannel* channel, uint8_t* y_group) {
  const ConvGeometry& g = data.g;
  const int out_group = g.out_channels_per_group();
  const ptrdiff_t weight_row = ptrdiff_t{data.taps} * 4;
  for (int p = 0; p < g.out_plane(); p += kLanes * kMaxVectors) {
    const int count = std::min(kLanes * kMaxVectors, g.out_plane() - p);
    const TileFn tile = data.tile[(count + kLanes - 1) / kLanes - 1];
    for (int m = 0; m < out_group; m += kRows)
      tile(data, quads + p, weights + m * weight_row, channel + m, std::min(kRows, out_group - m),
           count, y_group + m * g.out_plane() + p);
  }
}

// Output channels of one group from channel-quad planes, row by row.
void ConvolvePlanes(const Int8ConvData& data, const uint32_t* plane, const int8_t* weights,
                    const DotProductChannel* channel, uint8_t* y_group) {
  const ConvGeometry& g = data.g;
  const int out_group = g.out_channels_per_group();
  const ptrdiff_t weight_row = ptrdiff_t{data.taps} * 4;
  for (int oh = 0; oh < g.out_h; ++oh) {
    for (int ow = 0; ow < g.out_w; ow += kLanes * kMaxVectors) {
      const int count = std::min(kLanes * kMaxVectors, g.out_w - ow);
      const TileFn tile = data.tile[(count + kLanes - 1) / kLanes - 1];
      const uint32_t* pixels =
          plane + ptrdiff_t{oh} * g.stride_h * data.padded_w + ptrdiff_t{ow} * g.stride_w;
      uint8_t* out = y_group + ptrdiff_t{oh} * g.out_w + ow;
      for (int m = 0; m < out_group; m += kRows)
        tile(data, pixels, weights + m * weight_row, channel + m, std::min(kRows, out_group - m),
             count, out + m * g.out_plane());
    }
  }
}

Status EvalInt8Conv(Node& node) {
  const auto& data = *static_cast<const Int8ConvData*>(node.user_data);
  const ConvGeometry& g = data.g;
  const auto* x = static_cast<const uint8_t*>(node.inputs[0]->data);
  auto* y = static_cast<uint8_t*>(node.outputs[0]->data);
  // Scratch: the planes, their slack, then the im2col rows.
  auto* plane = static_cast<uint32_t*>(node.scratch);
  uint32_t* im2col = plane + data.plane_dwords + data.slack_dwords;
  const int in_group = g.in_channels_per_group(), out_group = g.out_channels_per_group();
  const ptrdiff_t weight_row = ptrdiff_t{data.taps} * 4;
  for (int n = 0; n < g.batch; ++n) {
    for (int group = 0; group < g.group; ++group) {
      const uint8_t* x_group = x + (ptrdiff_t{n} * g.in_channels + group * in_group) * g.in_plane();
      const int8_t* weights = data.packed_weights + group * data.rows_padded * weight_row;
      const DotProductChannel* channel = data.channel + group * out_group;
      uint8_t* y_group = y + (ptrdiff_t{n} * g.out_channels + group * out_group) * g.out_plane();
      switch (data.layout) {
        case Int8ConvLayout::kPlanes:
          BuildPlane(data, x_group, plane);
          ConvolvePlanes(data, plane, weights, channel, y_group);
          break;
        case Int8ConvLayout::kQuadIm2col:
          BuildPlane(data, x_group, plane);
          if (g.stride_w == 1)
            BuildQuadIm2col<1>(data, plane, im2col);
          else if (g.stride_w == 2)
            BuildQuadIm2col<2>(data, plane, im2col);
          else
            BuildQuadIm2col<0>(data, plane, im2col);
          ConvolveIm2col(data, im2col, weights, channel, y_group);
          break;
        case Int8ConvLayout::kPatchIm2col:
          BuildPlane(data, x_group, plane);
          if (g.stride_w == 1)
            BuildPatchIm2col<1>(data, plane, im2col);
          else if (g.stride_w == 2)
            BuildPatchIm2col<2>(data, plane, im2col);
          else
            BuildPatchIm2col<0>(data, plane, im2col);
          ConvolveIm2col(data, im2col, weights, channel, y_group);
          break;
      }
    }
  }
  return Status::Ok();
}

// The unsigned-domain byte of value `v` of a tensor whose data is flipped by `flip`.
uint8_t Flipped(int32_t v, uint8_t flip) { return static_cast<uint8_t>(v) ^ flip; }

// Packs the weights in the order the layout reads them: patch im2col, patch elements in quads
// (the weight row as it is, zero-padded); the others, channel quads per tap.
void PackWeights(const Tensor& weights, const Int8ConvData& data, int8_t* packed) {
  const ConvGeometry& g = data.g;
  const auto* w = static_cast<const uint8_t*>(weights.data);
  const uint8_t flip = weights.dtype == DType::kUInt8 ? 0x80 : 0;
  const int in_group = g.in_channels_per_group(), out_group = g.out_channels_per_group();
  const int kernel = g.kernel_h * g.kernel_w;
  for (int group = 0; group < g.group; ++group)
    for (int r = 0; r < out_group; ++r) {
      const int m = group * out_group + r;
      int8_t* row = packed + (ptrdiff_t{group} * data.rows_padded + r) * data.taps * 4;
      if (data.layout == Int8ConvLayout::kPatchIm2col) {
        for (int e = 0; e < data.taps * 4; ++e)
          row[e] = e < g.patch_size()
                       ? static_cast<int8_t>(Flipped(w[ptrdiff_t{m} * g.patch_size() + e], flip))
                       : int8_t{0};
        continue;
      }
      for (int quad = 0; quad < data.channel_quads; ++quad)
        for (int k = 0; k < kernel; ++k)
          for (int j = 0; j < 4; ++j) {
            const int c = 4 * quad + j;
            row[(quad * kernel + k) * 4 + j] =
                c < in_group ? static_cast<int8_t>(
                                   Flipped(w[(ptrdiff_t{m} * in_group + c) * kernel + k], flip))
                             : int8_t{0};
          }
    }
}

// Relative throughput of a tile of 1 to kMaxVectors vectors (measured on ResNet-8's 3x3
// layers): a tile of few vectors has few independent dpbusd chains and waits on their latency.
constexpr double kTileThroughput[kMaxVectors] = {0.6, 0.95, 0.97, 1.0};

// The expected efficiency of tiles over rows of `pixels` pixels whose dwords use `used` of
// `quads` * 4 bytes: the share of real data in the vectors' bytes times the tiles' throughput.
double Efficiency(int used, int quads, int pixels) {
  const int vectors = (pixels + kLanes - 1) / kLanes;
  double throughput = 0;  // over the row's tiles, weighted by their vectors
  for (int v = 0; v < vectors; v += kMaxVectors) {
    const int tile = std::min(kMaxVectors, vectors - v);
    throughput += tile * kTileThroughput[tile - 1];
  }
  return static_cast<double>(used) / (4.0 * quads) * pixels /
         (static_cast<double>(kLanes) * vectors) * throughput / vectors;
}

// The most efficient layout: an im2col one only when kIm2colGain (kPatchIm2colGain) times better
// than the planes and within kMaxIm2colBytes. A pointwise convolution is already one row.
Int8ConvLayout ChooseLayout(const ConvGeometry& g) {
  if (g.IsPointwise()) return Int8ConvLayout::kPlanes;
  const int patch = g.patch_size(), in_group = g.in_channels_per_group();
  const int channel_quads = (in_group + 3) / 4, patch_quads = (patch + 3) / 4;
  const int kernel = g.kernel_h * g.kernel_w;
  const double planes = Efficiency(in_group, channel_quads, g.out_w);
  const double quad_rows = Efficiency(in_group, channel_quads, g.out_plane());
  const double patch_rows = Efficiency(patch, patch_quads, g.out_plane());
  const size_t pixels = static_cast<size_t>(g.out_plane()) + kLanes;
  if (in_group < 4 && patch_rows >= kPatchIm2colGain * planes &&
      size_t{4} * patch_quads * pixels <= kMaxIm2colBytes)
    return Int8ConvLayout::kPatchIm2col;
  if (quad_rows >= kIm2colGain * planes &&
      size_t{4} * channel_quads * kernel * pixels <= kMaxIm2colBytes)
    return Int8ConvLayout::kQuadIm2col;
  return Int8ConvLayout::kPlanes;
}

}  // namespace

Status PrepareInt8Conv(PrepareContext& context, Node& node) {
  if (!HasConstantConvParameters(node)) return Status::Ok();
  ConvGeometry g;
  if (!ReadConvGeometry(node, &g)) return Status::Ok();
  if (g.IsDepthwise()) {
#ifdef TINYMLOPS_OPTIMIZED_INT8_PIXEL_DEPTHWISE
    bool prepared = false;
    TMM_RETURN_IF_ERROR(PrepareInt8PixelDepthwiseConv(context, node, g, &prepared));
    if (prepared) return Status::Ok();
#endif
    return PrepareInt8DepthwiseConv(context, node, g);
  }
  if (g.IsPointwise()) {  // one row of every pixel
    g.in_w *= g.in_h;
    g.in_h = 1;
    g.out_w *= g.out_h;
    g.out_h = 1;
  }
  Int8ConvChannels channels;
  TMM_RETURN_IF_ERROR(PrepareInt8ConvChannels(context, node, &channels));
  const Tensor& weights = *node.inputs[1];
  const int in_group = g.in_channels_per_group(), out_group = g.out_channels_per_group();
  const int kernel = g.kernel_h * g.kernel_w;
  const int channel_quads = (in_group + 3) / 4;
  const Int8ConvLayout layout = ChooseLayout(g);
  const int patch_quads = (g.patch_size() + 3) / 4;
  const int taps = layout == Int8ConvLayout::kPatchIm2col ? patch_quads : channel_quads * kernel;
  const int rows_padded = (out_group + kRows - 1) / kRows * kRows;
  const size_t tap_bytes = sizeof(int32_t) * (taps + channel_quads * kernel);
  const size_t weight_bytes = size_t{4} * taps * rows_padded * g.group;
  const size_t channel_bytes = sizeof(DotProductChannel) * g.out_channels;
  auto* data = static_cast<Int8ConvData*>(context.AllocatePersistent(sizeof(Int8ConvData)));
  auto* tap_offset = static_cast<int32_t*>(context.AllocatePersistent(tap_bytes));
  auto* packed = static_cast<int8_t*>(context.AllocatePersistent(weight_bytes));
  auto* channel = static_cast<DotProductChannel*>(context.AllocatePersistent(channel_bytes));
  if (!data || !tap_offset || !packed || !channel)
    return Status::Error(StatusCode::kResourceExhausted,
                         "Conv node '%s': cannot allocate %zu bytes for packed weights", node.name,
                         sizeof(Int8ConvData) + tap_bytes + weight_bytes + channel_bytes);
  *data = Int8ConvData{};
  data->g = g;
  data->layout = layout;
  data->channel_quads = channel_quads;
  data->patch_quads = patch_quads;
  data->im2col_pitch = g.out_plane() + kLanes;
  data->padded_h = g.pad_top + g.in_h + g.pad_bottom;
  data->padded_w = g.pad_left + g.in_w + g.pad_right;
  data->taps = taps;
  data->rows_padded = rows_padded;
  data->flip = node.inputs[0]->dtype == DType::kInt8 ? 0x80 : 0;
  data->signed_output = node.outputs[0]->dtype == DType::kInt8;
  const uint8_t pad = Flipped(channels.input_zero_point, data->flip);
  data->pad_full = 0x01010101u * pad;
  const int last_channels = in_group - 4 * (channel_quads - 1);
  data->pad_last = last_channels == 4 ? data->pad_full
                                      : data->pad_full & ((uint32_t{1} << (8 * last_channels)) - 1);
  int32_t* plane_offset = tap_offset + taps;
  for (int quad = 0; quad < channel_quads; ++quad)
    for (int kh = 0; kh < g.kernel_h; ++kh)
      for (int kw = 0; kw < g.kernel_w; ++kw)
        plane_offset[(quad * g.kernel_h + kh) * g.kernel_w + kw] =
            (quad * data->padded_h + kh * g.dilation_h) * data->padded_w + kw * g.dilation_w;
  for (int t = 0; t < taps; ++t)
    tap_offset[t] = layout == Int8ConvLayout::kPlanes ? plane_offset[t] : t * data->im2col_pitch;
  data->tap_offset = tap_offset;
  data->plane_offset = plane_offset;
  PackWeights(weights, *data, packed);
  data->packed_weights = packed;

  const uint8_t weight_flip = weights.dtype == DType::kUInt8 ? 0x80 : 0;
  const uint32_t depth = static_cast<uint32_t>(in_group * kernel);
  bool weight_offsets = false;
  for (int m = 0; m < g.out_channels; ++m) {
    const int group = m / out_group, r = m % out_group;
    const int8_t* row = packed + (ptrdiff_t{group} * rows_padded + r) * taps * 4;
    uint32_t weight_sum = 0;
    for (int i = 0; i < taps * 4; ++i) weight_sum += static_cast<uint32_t>(int32_t{row[i]});
    const int32_t b = channels.channel[m].weight_zero_point - (weight_flip ? 128 : 0);
    weight_offsets = weight_offsets || b != 0;
    channel[m] = FoldDotProductChannel(channels.channel[m], pad, weight_sum, b, depth);
  }
  data->channel = channel;
  data->output_zero_point = channels.output_zero_point;
  data->output_min = channels.output_min;
  data->output_max = channels.output_max;
  const size_t plane_dwords = static_cast<size_t>(channel_quads) * data->padded_h * data->padded_w;
  data->plane_dwords = plane_dwords;
  data->slack_dwords = size_t{4} * kLanes * g.stride_w + kLanes;
  const size_t im2col_bytes =  // after the planes and their slack
      layout == Int8ConvLayout::kPlanes ? 0 : size_t{4} * taps * data->im2col_pitch;
  const bool round_negatives = channels.output_min < channels.output_zero_point;
  if (layout != Int8ConvLayout::kPlanes || g.stride_w == 1)
    SelectTiles<1>(weight_offsets, round_negatives, data->tile);
  else if (g.stride_w == 2)
    SelectTiles<2>(weight_offsets, round_negatives, data->tile);
  else
    SelectTiles<0>(weight_offsets, round_negatives, data->tile);
  context.RequestScratch(
      node, (data->plane_dwords + data->slack_dwords) * sizeof(uint32_t) + im2col_bytes);
  node.user_data = data;
  node.eval = EvalInt8Conv;
  return Status::Ok();
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_INT8_CONV
