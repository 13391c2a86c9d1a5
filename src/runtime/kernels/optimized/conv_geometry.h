// ConvGeometry: the sizes of a 1-D or 2-D NCHW convolution node (format/tmm.fbs ConvOptions),
// read once at prepare time by the optimized Conv kernels from the shared WindowGeometry
// (window_geometry.h); a 1-D convolution is a 2-D one of height 1.
// ReadConvGeometry returns false when the node is not one the optimized kernels handle (3-D,
// or attributes the reference prepare would reject); the caller then keeps the reference
// kernel, whose prepare has already validated the node.
// Thread-safety: pure functions.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_CONV_GEOMETRY_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_CONV_GEOMETRY_H_

#include "runtime/kernel.h"
#include "runtime/kernels/window_geometry.h"

namespace tinymlops::runtime::optimized {

struct ConvGeometry {
  int batch = 0;
  int in_channels = 0;
  int in_h = 0;
  int in_w = 0;
  int out_channels = 0;
  int out_h = 0;
  int out_w = 0;
  int kernel_h = 0;
  int kernel_w = 0;
  int stride_h = 1;
  int stride_w = 1;
  int dilation_h = 1;
  int dilation_w = 1;
  int pad_top = 0;
  int pad_left = 0;
  int pad_bottom = 0;
  int pad_right = 0;
  int group = 1;

  int in_channels_per_group() const { return in_channels / group; }
  int out_channels_per_group() const { return out_channels / group; }
  // Length of one im2col column: the weights of one output channel.
  int patch_size() const { return in_channels_per_group() * kernel_h * kernel_w; }
  int in_plane() const { return in_h * in_w; }
  int out_plane() const { return out_h * out_w; }
  bool IsDepthwise() const { return group == in_channels && out_channels == in_channels; }
  bool IsPointwise() const {
    return kernel_h == 1 && kernel_w == 1 && stride_h == 1 && stride_w == 1 && pad_top == 0 &&
           pad_left == 0 && pad_bottom == 0 && pad_right == 0;
  }
};

// ceil(a / b) for any sign of a and b > 0.
inline int CeilDiv(int a, int b) { return a >= 0 ? (a + b - 1) / b : -(-a / b); }

// Fills `geometry` from node inputs 0 (X) and 1 (W), output 0 and the ConvOptions.
bool ReadConvGeometry(const Node& node, ConvGeometry* geometry);

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_CONV_GEOMETRY_H_
