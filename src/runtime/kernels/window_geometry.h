// WindowGeometry: where the sliding windows of Conv, MaxPool and AveragePool fall on an NCHW
// input with 1 to 3 spatial dims. It is normalized to exactly three spatial dims (depth,
// height, width): an op with fewer gets leading dims of size 1 with kernel 1, stride 1,
// dilation 1 and no padding, so one triple loop serves 1-D, 2-D and 3-D ops.
//
// Output position o along a dim reads input coordinates o * stride - pad_begin + k * dilation
// for k in [0, kernel); coordinates outside [0, input) are padding.
// MakeWindowGeometry checks, at prepare time, that the attributes fit the input (one stride and
// dilation per spatial dim, or none for 1; begin and end pads per spatial dim, or none for 0;
// all positive, pads non-negative) and that the output tensor's spatial size follows from them.
// Errors name the node and the tensor. Thread-safety: pure functions.
#ifndef TINYMLOPS_RUNTIME_KERNELS_WINDOW_GEOMETRY_H_
#define TINYMLOPS_RUNTIME_KERNELS_WINDOW_GEOMETRY_H_

#include <cstdint>

#include "runtime/kernel.h"

namespace tinymlops::runtime {

constexpr int kWindowDims = 3;

struct WindowGeometry {
  int32_t input[kWindowDims];
  int32_t output[kWindowDims];
  int32_t kernel[kWindowDims];
  int32_t stride[kWindowDims];
  int32_t dilation[kWindowDims];
  int32_t pad_begin[kWindowDims];
  int32_t pad_end[kWindowDims];

  // Input coordinate of kernel tap `tap` of the window at output position `out` along `dim`.
  int32_t InputCoordinate(int dim, int32_t out, int32_t tap) const {
    return out * stride[dim] - pad_begin[dim] + tap * dilation[dim];
  }
  bool InsideInput(int dim, int32_t coordinate) const {
    return coordinate >= 0 && coordinate < input[dim];
  }
  // Inside the input or its explicit padding.
  bool InsidePaddedInput(int dim, int32_t coordinate) const {
    return coordinate >= -pad_begin[dim] && coordinate < input[dim] + pad_end[dim];
  }
  int32_t InputSize() const { return input[0] * input[1] * input[2]; }
  int32_t OutputSize() const { return output[0] * output[1] * output[2]; }
  int32_t KernelSize() const { return kernel[0] * kernel[1] * kernel[2]; }
};

// How the output size relates to the padded input: Conv uses floor division; pools accept
// floor or ceil (ceil_mode is resolved by the importer), with the last window starting inside
// the input or its begin padding.
enum class WindowOutputRule { kFloor, kFloorOrCeil };

// The spatial attributes of a windowed op, as stored in its options table (each may be null).
struct WindowAttributes {
  const flatbuffers::Vector<int32_t>* strides;
  const flatbuffers::Vector<int32_t>* dilations;
  const flatbuffers::Vector<int32_t>* pads;
};

// Builds the geometry of `node` from `input` and `output` (rank 3 to 5, NC + spatial), the
// kernel's spatial size `kernel` (spatial-rank entries) and `attributes`.
Status MakeWindowGeometry(const Node& node, const Tensor& input, const Tensor& output,
                          const int32_t* kernel, const WindowAttributes& attributes,
                          WindowOutputRule rule, WindowGeometry* geometry);

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_KERNELS_WINDOW_GEOMETRY_H_
