// Test support for the windowed ops (Conv, MaxPool, AveragePool): obviously-correct reference
// computations in double precision that follow the ONNX operator definitions directly, over any
// number of spatial dims, by decomposing every flat output index into coordinates. They share
// no code with the kernels under test.
#ifndef TINYMLOPS_TESTS_RUNTIME_KERNELS_WINDOW_OP_REFERENCE_H_
#define TINYMLOPS_TESTS_RUNTIME_KERNELS_WINDOW_OP_REFERENCE_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace tinymlops::kernel_test {

// The spatial layout of a windowed op: every attribute spelled out (no defaults).
struct WindowSpec {
  std::vector<int32_t> input;      // [N, C, spatial...]
  std::vector<int32_t> kernel;     // one per spatial dim
  std::vector<int32_t> strides;    // one per spatial dim
  std::vector<int32_t> dilations;  // one per spatial dim
  std::vector<int32_t> pads;       // begins, then ends
  bool ceil_mode = false;          // pools only

  size_t SpatialDims() const { return kernel.size(); }
  // ONNX's output size: floor (or ceil, dropping a last window that starts in the end padding).
  std::vector<int32_t> OutputSpatial() const {
    std::vector<int32_t> out;
    for (size_t d = 0; d < SpatialDims(); ++d) {
      const int32_t extent = dilations[d] * (kernel[d] - 1) + 1;
      const int32_t span = input[2 + d] + pads[d] + pads[SpatialDims() + d] - extent;
      int32_t size = (ceil_mode ? (span + strides[d] - 1) / strides[d] : span / strides[d]) + 1;
      if (ceil_mode && (size - 1) * strides[d] >= input[2 + d] + pads[d]) --size;
      out.push_back(size);
    }
    return out;
  }
};

inline int64_t ElementCount(const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

// Coordinates of flat index `index` in `shape` (row-major).
inline std::vector<int32_t> Coordinates(int64_t index, const std::vector<int32_t>& shape) {
  std::vector<int32_t> coordinates(shape.size());
  for (size_t k = shape.size(); k-- > 0;) {
    coordinates[k] = static_cast<int32_t>(index % shape[k]);
    index /= shape[k];
  }
  return coordinates;
}

// Flat index of `coordinates` in `shape`.
inline int64_t FlatIndex(const std::vector<int32_t>& coordinates,
                         const std::vector<int32_t>& shape) {
  int64_t index = 0;
  for (size_t k = 0; k < shape.size(); ++k) index = index * shape[k] + coordinates[k];
  return index;
}

// ONNX Conv: y[n, m, o] = bias[m] + sum over c < C / group and kernel taps t of
// x[n, g * C / group + c, o * stride - pad_begin + t * dilation] * w[m, c, t], where
// g = m / (M / group) and taps outside the input read 0. `bias` may be empty.
inline std::vector<double> NaiveConv(const WindowSpec& spec, int32_t filters, int32_t group,
                                     const std::vector<double>& x, const std::vector<double>& w,
                                     const std::vector<double>& bias) {
  const size_t dims = spec.SpatialDims();
  const int32_t group_channels = spec.input[1] / group;
  std::vector<int32_t> out_shape = {spec.input[0], filters};
  for (int32_t d : spec.OutputSpatial()) out_shape.push_back(d);
  std::vector<int32_t> w_shape = {filters, group_channels};
  for (int32_t k : spec.kernel) w_shape.push_back(k);
  std::vector<double> y(static_cast<size_t>(ElementCount(out_shape)));
  for (int64_t i = 0; i < ElementCount(out_shape); ++i) {
    const std::vector<int32_t> o = Coordinates(i, out_shape);
    const int32_t m = o[1];
    const int32_t g = m / (filters / group);
    double sum = bias.empty() ? 0.0 : bias[m];
    for (int32_t c = 0; c < group_channels; ++c) {
      for (int64_t t = 0; t < ElementCount(spec.kernel); ++t) {
        const std::vector<int32_t> tap = Coordinates(t, spec.kernel);
        std::vector<int32_t> in = {o[0], g * group_channels + c};
        bool inside = true;
        for (size_t d = 0; d < dims; ++d) {
          const int32_t coordinate =
              o[2 + d] * spec.strides[d] - spec.pads[d] + tap[d] * spec.dilations[d];
          inside = inside && coordinate >= 0 && coordinate < spec.input[2 + d];
          in.push_back(coordinate);
        }
        if (!inside) continue;
        std::vector<int32_t> wc = {m, c};
        wc.insert(wc.end(), tap.begin(), tap.end());
        sum += x[FlatIndex(in, spec.input)] * w[FlatIndex(wc, w_shape)];
      }
    }
    y[i] = sum;
  }
  return y;
}

enum class PoolKind { kMax, kAverage };

// ONNX MaxPool / AveragePool: over the window's taps inside the input; AveragePool divides by
// their number, or with count_include_pad by the number of taps inside the input and its
// explicit pads (taps beyond the pads, from ceil_mode, never count).
inline std::vector<double> NaivePool(const WindowSpec& spec, PoolKind kind, bool count_include_pad,
                                     const std::vector<double>& x) {
  const size_t dims = spec.SpatialDims();
  std::vector<int32_t> out_shape = {spec.input[0], spec.input[1]};
  for (int32_t d : spec.OutputSpatial()) out_shape.push_back(d);
  std::vector<double> y(static_cast<size_t>(ElementCount(out_shape)));
  for (int64_t i = 0; i < ElementCount(out_shape); ++i) {
    const std::vector<int32_t> o = Coordinates(i, out_shape);
    double maximum = -std::numeric_limits<double>::infinity();
    double sum = 0.0;
    int64_t inputs = 0, padded = 0;
    for (int64_t t = 0; t < ElementCount(spec.kernel); ++t) {
      const std::vector<int32_t> tap = Coordinates(t, spec.kernel);
      std::vector<int32_t> in = {o[0], o[1]};
      bool inside = true, inside_pads = true;
      for (size_t d = 0; d < dims; ++d) {
        const int32_t coordinate =
            o[2 + d] * spec.strides[d] - spec.pads[d] + tap[d] * spec.dilations[d];
        inside = inside && coordinate >= 0 && coordinate < spec.input[2 + d];
        inside_pads = inside_pads && coordinate >= -spec.pads[d] &&
                      coordinate < spec.input[2 + d] + spec.pads[dims + d];
        in.push_back(coordinate);
      }
      if (inside_pads) ++padded;
      if (!inside) continue;
      ++inputs;
      const double value = x[FlatIndex(in, spec.input)];
      maximum = std::max(maximum, value);
      sum += value;
    }
    y[i] = kind == PoolKind::kMax ? maximum
                                  : sum / static_cast<double>(count_include_pad ? padded : inputs);
  }
  return y;
}

}  // namespace tinymlops::kernel_test

#endif  // TINYMLOPS_TESTS_RUNTIME_KERNELS_WINDOW_OP_REFERENCE_H_
