#include "runtime/kernels/optimized/flat_conv_layout.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

#include <algorithm>

namespace tinymlops::runtime::optimized {
namespace {

// Ceiling of a / b for b > 0 and any a.
int CeilDiv(int a, int b) { return a >= 0 ? (a + b - 1) / b : -(-a / b); }

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

// dest[i] = source[2 * i] for i < count, reading no further than source[2 * count - 2].
void GatherEven(const float* source, int count, float* dest) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  for (; count > 16; count -= 16, source += 32, dest += 16)
    _mm512_storeu_ps(dest, _mm512_permutex2var_ps(_mm512_loadu_ps(source), even,
                                                  _mm512_loadu_ps(source + 16)));
  if (count <= 0) return;
  const int needed = 2 * count - 1;
  const __m512 low = _mm512_maskz_loadu_ps(LaneMask(std::min(needed, 16)), source);
  const __m512 high = _mm512_maskz_loadu_ps(LaneMask(std::max(needed - 16, 0)), source + 16);
  _mm512_mask_storeu_ps(dest, LaneMask(count), _mm512_permutex2var_ps(low, even, high));
}

// One row of a phase plane: phase_w values whose columns [begin, end) come from `source`
// (the input row, already offset to the first of them) every `stride` floats, the rest zero.
void BuildPhaseRow(const float* source, int stride, int begin, int end, int phase_w,
                   float* dest) {
  ZeroFloats(dest, begin);
  const int count = end - begin;
  if (stride == 1)
    CopyFloats(dest + begin, source, count);
  else if (stride == 2)
    GatherEven(source, count, dest + begin);
  else
    for (int q = 0; q < count; ++q) dest[begin + q] = source[q * stride];
  ZeroFloats(dest + end, phase_w - end);
}

}  // namespace

bool MakeFlatConvLayout(const ConvGeometry& g, FlatConvLayout* layout) {
  FlatConvLayout l;
  l.out_w = g.out_w;
  l.reads_input = g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 && g.pad_left == 0 &&
                  g.pad_bottom == 0 && g.pad_right == 0;
  if (l.reads_input) {
    l.pitch = g.in_w;
    l.channel_floats = g.in_plane();
  } else {
    l.phase_h = CeilDiv(g.in_h + g.pad_top + g.pad_bottom, g.stride_h);
    l.phase_w = CeilDiv(g.in_w + g.pad_left + g.pad_right, g.stride_w);
    if (!MakeAxis(g.kernel_h, g.dilation_h, g.stride_h, g.pad_top, g.in_h, l.phase_h, &l.rows) ||
        !MakeAxis(g.kernel_w, g.dilation_w, g.stride_w, g.pad_left, g.in_w, l.phase_w,
                  &l.columns))
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
          offset += dy * g.in_w + dx;
        } else {
          const int plane = PhaseSlot(layout.rows, dy % g.stride_h) * layout.columns.count +
                            PhaseSlot(layout.columns, dx % g.stride_w);
          offset += (plane * layout.phase_h + dy / g.stride_h) * layout.phase_w + dx / g.stride_w;
        }
        *offsets++ = offset;
      }
}

size_t FlatConvPlanesFloats(const FlatConvLayout& layout, int channels) {
  return layout.reads_input ? 0 : static_cast<size_t>(channels) * layout.channel_floats;
}

void BuildFlatConvPlanes(const ConvGeometry& g, const FlatConvLayout& layout,
                         const float* input, int channels, float* planes) {
  const int phase_floats = layout.phase_h * layout.phase_w;
  for (int c = 0; c < channels; ++c, input += g.in_plane())
    for (int py = 0; py < layout.rows.count; ++py) {
      const int row_begin = layout.rows.inside_begin[py], row_end = layout.rows.inside_end[py];
      const int first_input_row = row_begin * g.stride_h + layout.rows.phase[py] - g.pad_top;
      for (int px = 0; px < layout.columns.count; ++px, planes += phase_floats) {
        const int begin = layout.columns.inside_begin[px], end = layout.columns.inside_end[px];
        const int first_input_column = begin * g.stride_w + layout.columns.phase[px] - g.pad_left;
        ZeroFloats(planes, row_begin * layout.phase_w);
        for (int r = row_begin; r < row_end; ++r)
          BuildPhaseRow(input + (first_input_row + (r - row_begin) * g.stride_h) * g.in_w +
                            first_input_column,
                        g.stride_w, begin, end, layout.phase_w, planes + r * layout.phase_w);
        ZeroFloats(planes + row_end * layout.phase_w, (layout.phase_h - row_end) * layout.phase_w);
      }
    }
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
