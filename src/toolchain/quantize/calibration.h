// Calibration: the real range of every float activation of a Graph, measured by running the
// float model over sample inputs.
//
// Every float tensor an op produces is made a temporary graph output, the model runs in the
// runtime with the reference kernels (portable, so the chosen ranges do not depend on the host's
// SIMD) once per sample, and each tensor's range is recorded:
// - kMinMax: the smallest and largest value seen;
// - kPercentile: the min/max range clipped to [-p, p], where p is options.percentile of |x|
//   over all samples, read from a 2048-bin histogram of |x| on [0, max|x|] (a second pass).
// Graph inputs get their range from the samples themselves.
//
// Errors: no samples; a sample that lacks a graph input, names a tensor that is not one, or
// has the wrong dtype or shape; a percentile outside (0, 100]; a non-finite activation; the
// model failing to load or run. Thread-safety: pure function.
#ifndef TINYMLOPS_TOOLCHAIN_QUANTIZE_CALIBRATION_H_
#define TINYMLOPS_TOOLCHAIN_QUANTIZE_CALIBRATION_H_

#include <map>
#include <vector>

#include "runtime/status.h"
#include "toolchain/graph/graph.h"
#include "toolchain/quantize/quantizer.h"

namespace tinymlops::toolchain {

struct TensorRange {
  float min = 0.0f;
  float max = 0.0f;
};

// Tensor index (in `graph`) -> range, for every float graph input and float op output.
Result<std::map<int, TensorRange>> CalibrateRanges(const Graph& graph,
                                                   const std::vector<CalibrationSample>& samples,
                                                   const QuantizeOptions& options);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_QUANTIZE_CALIBRATION_H_
