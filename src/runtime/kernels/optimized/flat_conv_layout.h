// FlatConvLayout: how the float32 Conv kernels (float_conv.h, depthwise_conv.h) read a
// convolution's input without im2col, and write its output (AVX-512, see simd.h).
//
// The output grid of one channel is walked as one flat array: output (y, x) is flat position
// y * pitch + x, and `positions` = (out_h - 1) * pitch + out_w positions are computed, those with
// x >= out_w being computed and dropped. The input channels are laid out as "planes" such that
// tap (c, ky, kx) of every output position p reads planes[tap_offsets[tap] + p]:
// - a stride-1 convolution without padding reads the input tensor itself (pitch = in_w);
// - any other one reads planes that BuildFlatConvPlanes copies from the input at each eval:
//   the input zero-padded, then split into stride phases (plane (py, px) holds padded rows
//   py, py + stride_h, ... and columns px, px + stride_w, ...; pitch = the phase width), so that
//   every stride becomes a stride of 1. Only the phases some tap reads are built.
// Every read of a position below `positions` stays inside the planes (or the input), so loads
// past the end need only be masked by position.
// Thread-safety: pure functions over caller-owned memory.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_FLAT_CONV_LAYOUT_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_FLAT_CONV_LAYOUT_H_

#include <cstddef>
#include <cstdint>

#include "runtime/kernels/optimized/conv_geometry.h"
#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

namespace tinymlops::runtime::optimized {

// Distinct phases read along one axis, at most: a convolution needing more (a stride and a
// kernel both wider than this) keeps the reference kernel.
constexpr int kMaxFlatConvPhases = 8;

// The phases read along one axis of the padded input and, for each, which of its phase
// coordinates (rows or columns) fall inside the unpadded input.
struct FlatConvAxis {
  int count = 0;                         // phases read
  int phase[kMaxFlatConvPhases] = {};    // padded coordinate of the phase's first row/column
  int inside_begin[kMaxFlatConvPhases] = {};  // first phase coordinate inside the input
  int inside_end[kMaxFlatConvPhases] = {};    // one past the last one
};

struct FlatConvLayout {
  bool reads_input = false;  // the planes are the input tensor itself
  int pitch = 0;             // flat positions per output row
  int positions = 0;         // flat positions computed per output channel
  int out_w = 0;             // output columns stored per output row
  int channel_floats = 0;    // floats per input channel in the planes
  // Built planes only: phase plane size and the phases read along each axis.
  int phase_h = 0;
  int phase_w = 0;
  FlatConvAxis rows;
  FlatConvAxis columns;
};

// Fills `layout` for `geometry`; false when the convolution reads too many phases.
bool MakeFlatConvLayout(const ConvGeometry& geometry, FlatConvLayout* layout);

// The offset of every tap (c, ky, kx) for c < `channels`, in that order (the order of a
// [*, channels, kernel_h, kernel_w] weight row): channels * kernel_h * kernel_w values.
void FillFlatConvTapOffsets(const ConvGeometry& geometry, const FlatConvLayout& layout,
                            int channels, int32_t* offsets);

// Floats of the planes of `channels` input channels (0 when the layout reads the input).
size_t FlatConvPlanesFloats(const FlatConvLayout& layout, int channels);

// Builds the planes of `channels` consecutive input channels starting at `input`.
void BuildFlatConvPlanes(const ConvGeometry& geometry, const FlatConvLayout& layout,
                         const float* input, int channels, float* planes);

// Where a flat position lies in the output grid; advanced as positions are walked.
struct FlatCursor {
  int y = 0;
  int x = 0;

  void Advance(int count, int pitch) {
    x += count;
    while (x >= pitch) x -= pitch, ++y;
  }
};

// Stores flat positions [p, p + lanes) of one output channel (lane i holds position p + i, and
// `at` is where p lies) into `channel`, dropping the columns x >= out_w.
inline void StoreFlatVector(const FlatConvLayout& layout, float* channel, int p, FlatCursor at,
                            int lanes, __m512 value) {
  if (layout.pitch == layout.out_w) {
    _mm512_mask_storeu_ps(channel + p, LaneMask(lanes), value);
    return;
  }
  const __m512i lane_index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int first = 0; first < lanes;) {
    const int in_row = std::min(lanes - first, layout.pitch - at.x);
    const int kept = std::min(in_row, layout.out_w - at.x);
    if (kept > 0) {
      const __m512 row = first == 0 ? value
                                    : _mm512_permutexvar_ps(
                                          _mm512_add_epi32(lane_index, _mm512_set1_epi32(first)),
                                          value);
      _mm512_mask_storeu_ps(channel + at.y * layout.out_w + at.x, LaneMask(kept), row);
    }
    first += in_row;
    at.x = 0;
    ++at.y;
  }
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_FLAT_CONV_LAYOUT_H_
