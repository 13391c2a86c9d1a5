// FlatConvLayout: how the float32 Conv kernels (float_conv.h, depthwise_conv.h) read a
// convolution's input (mostly without im2col) and write its output (AVX-512 or AVX2, see simd.h).
//
// The output grid of one channel is walked as one flat array: output (y, x) is flat position
// y * pitch + x, and `positions` = (out_h - 1) * pitch + out_w positions are computed, those with
// x >= out_w being computed and dropped. The input channels are laid out as "planes" such that
// tap (c, ky, kx) of every output position p reads planes[tap_offsets[tap] + p]:
// - a stride-1 convolution without padding reads the input tensor itself (pitch = in_w);
// - so does a stride-1 convolution whose padding keeps the width (out_w == in_w, as "same"
//   padding does): its taps that fall on the padding are masked off, per vector of
//   kFloatLanes positions and tap, by the tap masks (FillFlatConvTapMasks), and tap offsets may be
//   negative;
// - any other one reads planes that BuildFlatConvPlanes copies from the input at each eval:
//   the input zero-padded, then split into stride phases (plane (py, px) holds padded rows
//   py, py + stride_h, ... and columns px, px + stride_w, ...; pitch = the phase width), so that
//   every stride becomes a stride of 1. Only the phases some tap reads are built;
// - except when the phases would be wider than the output (dropped columns, stores split at
//   row ends) and the im2col of a group of a convolution that is not depthwise takes at most
//   kMaxIm2colFloats: the planes are then im2col rows, one per tap, of out_h * out_w values
//   (pitch = out_w).
// Every read of a position below `positions` stays inside the planes (or the input), so loads
// need only be masked by position, or by the tap masks where the layout has them.
// Thread-safety: pure functions over caller-owned memory.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_FLAT_CONV_LAYOUT_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_FLAT_CONV_LAYOUT_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "runtime/kernels/optimized/conv_geometry.h"
#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

namespace tinymlops::runtime::optimized {

// Distinct phases read along one axis, at most: a convolution needing more (a stride and a
// kernel both wider than this) keeps the reference kernel.
constexpr int kMaxFlatConvPhases = 8;

// The phases read along one axis of the padded input and, for each, which of its phase
// coordinates (rows or columns) fall inside the unpadded input.
struct FlatConvAxis {
  int count = 0;                              // phases read
  int phase[kMaxFlatConvPhases] = {};         // padded coordinate of the phase's first row/column
  int inside_begin[kMaxFlatConvPhases] = {};  // first phase coordinate inside the input
  int inside_end[kMaxFlatConvPhases] = {};    // one past the last one
};

// One masked store of a vector of flat positions: lanes [shift, shift + count) go to
// channel[offset ...], `mask` holding the low `count` bits.
struct FlatStoreSegment {
  int32_t offset;
  int16_t shift;
  uint16_t mask;
};

// Largest im2col (patch size * out_h * out_w floats) a layout builds instead of phase planes.
constexpr int kMaxIm2colFloats = 8192;

struct FlatConvLayout {
  bool reads_input = false;  // the planes are the input tensor itself
  bool im2col = false;       // the planes are im2col rows
  // Taps masked per vector (reads_input only): tap_masks[vector * kernel taps + tap] holds
  // the lanes of `vector` for which spatial tap (ky, kx) reads inside the input.
  bool masks_taps = false;
  int tap_mask_taps = 0;  // kernel_h * kernel_w
  const uint16_t* tap_masks = nullptr;
  int pitch = 0;           // flat positions per output row
  int positions = 0;       // flat positions computed per output channel
  int out_w = 0;           // output columns stored per output row
  int channel_floats = 0;  // floats per input channel in the planes
  // Phase planes only: phase plane size and the phases read along each axis.
  int phase_h = 0;
  int phase_w = 0;
  FlatConvAxis rows;
  FlatConvAxis columns;
  // The store plan (FillFlatConvStorePlan): store_segments entries per vector.
  int store_segments = 0;
  const FlatStoreSegment* store_plan = nullptr;
};

// Fills `layout` for `geometry`; false when the convolution reads too many phases.
bool MakeFlatConvLayout(const ConvGeometry& geometry, FlatConvLayout* layout);

// The offset of every tap (c, ky, kx) for c < `channels`, in that order (the order of a
// [*, channels, kernel_h, kernel_w] weight row): channels * kernel_h * kernel_w values.
void FillFlatConvTapOffsets(const ConvGeometry& geometry, const FlatConvLayout& layout,
                            int channels, int32_t* offsets);

// The tap masks of a layout with masks_taps: (positions + kFloatLanes - 1) / kFloatLanes *
// kernel_h * kernel_w.
size_t FlatConvTapMaskCount(const ConvGeometry& geometry, const FlatConvLayout& layout);
// Fills `masks` (FlatConvTapMaskCount entries) and points layout->tap_masks at it.
void FillFlatConvTapMasks(const ConvGeometry& geometry, FlatConvLayout* layout, uint16_t* masks);

// Floats of the planes of `channels` input channels (0 when the layout reads the input).
size_t FlatConvPlanesFloats(const FlatConvLayout& layout, int channels);

// Builds the planes of `channels` consecutive input channels starting at `input`.
void BuildFlatConvPlanes(const ConvGeometry& geometry, const FlatConvLayout& layout,
                         const float* input, int channels, float* planes);

// The store plan: how each vector of kFloatLanes flat positions of an output channel is stored, as
// `store_segments` masked stores (some with an empty mask) of lanes shifted down; none when
// pitch == out_w (the flat positions are then the output's own).
size_t FlatConvStorePlanSegments(const FlatConvLayout& layout);
// Fills `plan` (FlatConvStorePlanSegments entries) and points layout->store_plan at it.
void FillFlatConvStorePlan(FlatConvLayout* layout, FlatStoreSegment* plan);

// Stores vector `vector` (flat positions kFloatLanes * vector + lane) of one output channel,
// dropping the positions past the end and those in columns x >= out_w. Every vector costs the same
// `store_segments` stores, so the stores never depend on a branch the CPU must predict.
inline void StoreFlatVector(const FlatConvLayout& layout, float* channel, int vector,
                            FloatVector value) {
  if (layout.store_segments == 0) {  // pitch == out_w: the positions are the output's
    const int first = vector * kFloatLanes;
    const int lanes = layout.positions - first;
    if (lanes >= kFloatLanes)
      StoreFloats(channel + first, value);
    else
      StoreFloatLanes(channel + first, LaneMask(lanes), value);
    return;
  }
  const FlatStoreSegment* segment = layout.store_plan + vector * layout.store_segments;
  for (int s = 0; s < layout.store_segments; ++s, ++segment)
    StoreFloatLanes(channel + segment->offset, segment->mask,
                    ShiftLanesDown(value, segment->shift));
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_FLAT_CONV_LAYOUT_H_
