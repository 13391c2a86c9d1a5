#include "runtime/kernels/optimized/flat_conv_layout.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

#include <algorithm>

namespace tinymlops::runtime::optimized {
namespace {

// Fills `axis` for taps 0 .. kernel-1 at `dilation` along an axis of `stride`, whose input of
// `size` has `pad_begin` zeros before it; `phase_size` is the phase coordinates per phase.
// False when more than kMaxFlatConvPhases phases are read.
bool MakeAxis(int kernel, int dilation, int stride, int pad_begin, int size, int phase_size,
              FlatConvAxis* axis) {
  *axis = FlatConvAxis{};
  for (int tap = 0; tap < kernel; ++tap) {
    const int phase = tap * dilation % stride;
    if (std::find(axis->phase, axis->phase + axis->count, phase) != axis->phase + axis->count)
      continue;
    if (axis->count == kMaxFlatConvPhases) return false;
    // Phase coordinate q is padded coordinate q * stride + phase, input coordinate that minus
    // pad_begin.
    const int begin = std::clamp(CeilDiv(pad_begin - phase, stride), 0, phase_size);
    const int end = std::clamp(CeilDiv(size + pad_begin - phase, stride), begin, phase_size);
    axis->phase[axis->count] = phase;
    axis->inside_begin[axis->count] = begin;
    axis->inside_end[axis->count] = end;
    ++axis->count;
  }
  return true;
}

int PhaseSlot(const FlatConvAxis& axis, int phase) {
  return static_cast<int>(std::find(axis.phase, axis.phase + axis.count, phase) - axis.phase);
}

constexpr int kLanes = kFloatLanes;

// Copies `count` values spaced `stride` floats apart in a source row into consecutive floats,
// for every row of one column phase: the masks of a short row (the common case in small
// planes) are computed once, not per row.
class PhaseRowGather {
 public:
  PhaseRowGather(int stride, int count) : stride_(stride), count_(count) {
    const int span = (count - 1) * stride + 1;  // source floats from the first to the last
    low_ = LaneMask(std::clamp(span, 0, kLanes));
    high_ = LaneMask(std::clamp(span - kLanes, 0, kLanes));
    store_ = LaneMask(std::min(count, kLanes));
  }

  void operator()(const float* source, float* dest) const {
    if (stride_ == 1) {
      if (count_ <= kLanes)
        StoreFloatLanes(dest, store_, LoadFloatLanes(low_, source));
      else
        CopyFloats(dest, source, count_);
    } else if (stride_ == 2) {
      int count = count_;
      // Whole vectors while the pair of loads stays before the last value.
      for (; count > kLanes; count -= kLanes, source += 2 * kLanes, dest += kLanes)
        StoreFloats(dest, EvenLanes(LoadFloats(source), LoadFloats(source + kLanes)));
      const bool short_row = count == count_;
      const int span = 2 * count - 1;
      const LaneBits low = short_row ? low_ : LaneMask(std::min(span, kLanes));
      const LaneBits high = short_row ? high_ : LaneMask(std::max(span - kLanes, 0));
      const LaneBits store = short_row ? store_ : LaneMask(count);
      StoreFloatLanes(
          dest, store,
          EvenLanes(LoadFloatLanes(low, source), LoadFloatLanes(high, source + kLanes)));
    } else {
      for (int q = 0; q < count_; ++q) dest[q] = source[q * stride_];
    }
  }

 private:
  int stride_;
  int count_;
  LaneBits low_, high_, store_;
};

// The im2col rows of `channels` input channels: row (c, ky, kx) holds, for every output pixel,
// the input value tap (ky, kx) reads, or 0 on the padding.
void BuildIm2col(const ConvGeometry& g, const float* input, int channels, float* rows) {
  ZeroFloats(rows, channels * g.kernel_h * g.kernel_w * g.out_plane());
  for (int kx = 0; kx < g.kernel_w; ++kx) {
    // Output columns [begin, end) read inside the input, from input column `first_column`.
    const int dx = kx * g.dilation_w - g.pad_left;
    const int begin = std::clamp(CeilDiv(-dx, g.stride_w), 0, g.out_w);
    const int end = std::clamp(CeilDiv(g.in_w - dx, g.stride_w), begin, g.out_w);
    if (begin == end) continue;
    const PhaseRowGather gather(g.stride_w, end - begin);
    const int first_column = begin * g.stride_w + dx;
    for (int c = 0; c < channels; ++c)
      for (int ky = 0; ky < g.kernel_h; ++ky) {
        float* row = rows + ((c * g.kernel_h + ky) * g.kernel_w + kx) * g.out_plane() + begin;
        const float* channel = input + static_cast<ptrdiff_t>(c) * g.in_plane();
        for (int y = 0; y < g.out_h; ++y) {
          const int input_row = y * g.stride_h + ky * g.dilation_h - g.pad_top;
          if (input_row >= 0 && input_row < g.in_h)
            gather(channel + input_row * g.in_w + first_column, row + y * g.out_w);
        }
      }
  }
}

// The segments of vector `vector`, appended to `plan` when not null; returns their count.
int VectorSegments(const FlatConvLayout& layout, int vector, FlatStoreSegment* plan) {
  const int first_position = vector * kLanes;
  const int lanes = std::min(kLanes, layout.positions - first_position);
  int y = first_position / layout.pitch, x = first_position % layout.pitch;
  int count = 0;
  for (int first = 0; first < lanes; x = 0, ++y) {
    const int in_row = std::min(lanes - first, layout.pitch - x);
    const int kept = std::min(in_row, layout.out_w - x);
    if (kept > 0) {
      if (plan)
        plan[count] = {y * layout.out_w + x, static_cast<int16_t>(first),
                       static_cast<uint16_t>(LaneMask(kept))};
      ++count;
    }
    first += in_row;
  }
  return count;
}

}  // namespace

bool MakeFlatConvLayout(const ConvGeometry& g, FlatConvLayout* layout) {
  FlatConvLayout l;
  l.out_w = g.out_w;
  const bool unit_stride = g.stride_h == 1 && g.stride_w == 1;
  const bool padded = g.pad_top != 0 || g.pad_left != 0 || g.pad_bottom != 0 || g.pad_right != 0;
  l.masks_taps = unit_stride && padded && g.out_w == g.in_w;
  l.reads_input = unit_stride && (!padded || l.masks_taps);
  if (l.reads_input) {
    l.pitch = g.in_w;
    l.channel_floats = g.in_plane();
  } else if (CeilDiv(g.in_w + g.pad_left + g.pad_right, g.stride_w) != g.out_w &&
             !g.IsDepthwise() &&
             static_cast<int64_t>(g.patch_size()) * g.out_plane() <= kMaxIm2colFloats) {
    // Phase planes would be wider than the output: a small im2col has no dropped columns.
    l.im2col = true;
    l.pitch = g.out_w;
    l.channel_floats = g.kernel_h * g.kernel_w * g.out_plane();
  } else {
    l.phase_h = CeilDiv(g.in_h + g.pad_top + g.pad_bottom, g.stride_h);
    l.phase_w = CeilDiv(g.in_w + g.pad_left + g.pad_right, g.stride_w);
    if (!MakeAxis(g.kernel_h, g.dilation_h, g.stride_h, g.pad_top, g.in_h, l.phase_h, &l.rows) ||
        !MakeAxis(g.kernel_w, g.dilation_w, g.stride_w, g.pad_left, g.in_w, l.phase_w, &l.columns))
      return false;
    l.pitch = l.phase_w;
    l.channel_floats = l.rows.count * l.columns.count * l.phase_h * l.phase_w;
  }
  l.positions = (g.out_h - 1) * l.pitch + g.out_w;
  *layout = l;
  return true;
}

void FillFlatConvTapOffsets(const ConvGeometry& g, const FlatConvLayout& layout, int channels,
                            int32_t* offsets) {
  for (int c = 0; c < channels; ++c)
    for (int ky = 0; ky < g.kernel_h; ++ky)
      for (int kx = 0; kx < g.kernel_w; ++kx) {
        const int dy = ky * g.dilation_h, dx = kx * g.dilation_w;
        int offset = c * layout.channel_floats;
        if (layout.reads_input) {
          offset += (dy - g.pad_top) * g.in_w + dx - g.pad_left;
        } else if (layout.im2col) {
          offset += (ky * g.kernel_w + kx) * g.out_plane();
        } else {
          const int plane = PhaseSlot(layout.rows, dy % g.stride_h) * layout.columns.count +
                            PhaseSlot(layout.columns, dx % g.stride_w);
          offset += (plane * layout.phase_h + dy / g.stride_h) * layout.phase_w + dx / g.stride_w;
        }
        *offsets++ = offset;
      }
}

size_t FlatConvTapMaskCount(const ConvGeometry& g, const FlatConvLayout& layout) {
  return layout.masks_taps ? static_cast<size_t>((layout.positions + kLanes - 1) / kLanes) *
                                 g.kernel_h * g.kernel_w
                           : 0;
}

void FillFlatConvTapMasks(const ConvGeometry& g, FlatConvLayout* layout, uint16_t* masks) {
  layout->tap_masks = masks;
  layout->tap_mask_taps = g.kernel_h * g.kernel_w;
  if (!layout->masks_taps) return;
  const int vectors = (layout->positions + kLanes - 1) / kLanes;
  for (int vector = 0; vector < vectors; ++vector)
    for (int ky = 0; ky < g.kernel_h; ++ky)
      for (int kx = 0; kx < g.kernel_w; ++kx) {
        const int dy = ky * g.dilation_h - g.pad_top, dx = kx * g.dilation_w - g.pad_left;
        uint16_t mask = 0;
        for (int lane = 0; lane < kLanes; ++lane) {
          const int p = vector * kLanes + lane;
          const int y = p / g.in_w + dy, x = p % g.in_w + dx;
          if (p < layout->positions && y >= 0 && y < g.in_h && x >= 0 && x < g.in_w)
            mask = static_cast<uint16_t>(mask | (1u << lane));
        }
        *masks++ = mask;
      }
}

size_t FlatConvPlanesFloats(const FlatConvLayout& layout, int channels) {
  return layout.reads_input ? 0 : static_cast<size_t>(channels) * layout.channel_floats;
}

void BuildFlatConvPlanes(const ConvGeometry& g, const FlatConvLayout& layout, const float* input,
                         int channels, float* planes) {
  if (layout.im2col) return BuildIm2col(g, input, channels, planes);
  const int phase_floats = layout.phase_h * layout.phase_w;
  const int phases = layout.rows.count * layout.columns.count;
  // Zeroing everything first is cheaper than zeroing the padding of each (short) row.
  ZeroFloats(planes, static_cast<int>(FlatConvPlanesFloats(layout, channels)));
  for (int py = 0; py < layout.rows.count; ++py) {
    const int row_begin = layout.rows.inside_begin[py], row_end = layout.rows.inside_end[py];
    if (row_begin == row_end) continue;
    const int first_input_row = row_begin * g.stride_h + layout.rows.phase[py] - g.pad_top;
    for (int px = 0; px < layout.columns.count; ++px) {
      const int begin = layout.columns.inside_begin[px], end = layout.columns.inside_end[px];
      if (begin == end) continue;
      const PhaseRowGather gather(g.stride_w, end - begin);
      const int first_input_column = begin * g.stride_w + layout.columns.phase[px] - g.pad_left;
      float* phase_plane = planes + (py * layout.columns.count + px) * phase_floats + begin;
      const float* channel_input = input + first_input_row * g.in_w + first_input_column;
      for (int c = 0; c < channels; ++c) {
        for (int r = row_begin; r < row_end; ++r)
          gather(channel_input + (r - row_begin) * g.stride_h * g.in_w,
                 phase_plane + r * layout.phase_w);
        channel_input += g.in_plane();
        phase_plane += static_cast<ptrdiff_t>(phases) * phase_floats;
      }
    }
  }
}

size_t FlatConvStorePlanSegments(const FlatConvLayout& layout) {
  if (layout.pitch == layout.out_w) return 0;
  const int vectors = (layout.positions + kLanes - 1) / kLanes;
  int most = 0;
  for (int vector = 0; vector < vectors; ++vector)
    most = std::max(most, VectorSegments(layout, vector, nullptr));
  return static_cast<size_t>(vectors) * most;
}

void FillFlatConvStorePlan(FlatConvLayout* layout, FlatStoreSegment* plan) {
  const int vectors = (layout->positions + kLanes - 1) / kLanes;
  layout->store_plan = plan;
  layout->store_segments = 0;
  if (layout->pitch == layout->out_w) return;
  layout->store_segments = static_cast<int>(FlatConvStorePlanSegments(*layout) / vectors);
  for (int vector = 0; vector < vectors; ++vector, plan += layout->store_segments) {
    const int count = VectorSegments(*layout, vector, plan);
    for (int s = count; s < layout->store_segments; ++s) plan[s] = {0, 0, 0};
  }
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
