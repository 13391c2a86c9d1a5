// PoolWindow: the windows of a MaxPool or AveragePool node (format/tmm.fbs PoolOptions) over
// its NCHW input, and the loops that visit them. Each (batch, channel) plane is pooled on its
// own with the same windows; a window reaching past the padded input (ceil_mode) is cut off.
//
// PreparePoolWindow (prepare time) checks one input and one output of the same dtype, the
// options (one kernel size per spatial dim, strides, dilations, pads), that the output shape
// [N, C, spatial...] follows from them (floor or ceil), and that every window covers at least
// one input element. Errors name the node and tensor. Thread-safety: pure functions.
#ifndef TINYMLOPS_RUNTIME_KERNELS_POOL_WINDOW_H_
#define TINYMLOPS_RUNTIME_KERNELS_POOL_WINDOW_H_

#include <cstdint>

#include "runtime/kernel.h"
#include "runtime/kernels/window_geometry.h"

namespace tinymlops::runtime {

struct PoolWindow {
  WindowGeometry geometry;
  int64_t planes;  // batch * channels
};

Status PreparePoolWindow(const Node& node, PoolWindow* pool);

// Calls fn(plane_offset, od, oh, ow) for every output element in output order; plane_offset
// is the element offset of the element's input plane.
template <typename Fn>
void ForEachPoolOutput(const PoolWindow& pool, const Fn& fn) {
  const WindowGeometry& g = pool.geometry;
  for (int64_t plane = 0; plane < pool.planes; ++plane)
    for (int32_t od = 0; od < g.output[0]; ++od)
      for (int32_t oh = 0; oh < g.output[1]; ++oh)
        for (int32_t ow = 0; ow < g.output[2]; ++ow) fn(plane * g.InputSize(), od, oh, ow);
}

// Calls fn(offset) for the offset within its plane of every input element the window at
// output position (od, oh, ow) covers; padding is skipped.
template <typename Fn>
void ForEachWindowInput(const WindowGeometry& g, int32_t od, int32_t oh, int32_t ow, const Fn& fn) {
  for (int32_t kd = 0; kd < g.kernel[0]; ++kd) {
    const int32_t id = g.InputCoordinate(0, od, kd);
    if (!g.InsideInput(0, id)) continue;
    for (int32_t kh = 0; kh < g.kernel[1]; ++kh) {
      const int32_t ih = g.InputCoordinate(1, oh, kh);
      if (!g.InsideInput(1, ih)) continue;
      for (int32_t kw = 0; kw < g.kernel[2]; ++kw) {
        const int32_t iw = g.InputCoordinate(2, ow, kw);
        if (!g.InsideInput(2, iw)) continue;
        fn((int64_t{id} * g.input[1] + ih) * g.input[2] + iw);
      }
    }
  }
}

// The number of taps of the window at (od, oh, ow) inside the input or its explicit padding
// (AveragePool's divisor with count_include_pad).
int32_t PaddedWindowSize(const WindowGeometry& g, int32_t od, int32_t oh, int32_t ow);

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_KERNELS_POOL_WINDOW_H_
