// Comparing a tensor computed by tinymlops with a reference tensor (ONNX's expected outputs, or
// ONNX Runtime's), the way ONNX's backend tests do (numpy.testing.assert_allclose).
//
// Float32 elements match when |actual - expected| <= atol + rtol * |expected| + slack (NaN
// matches NaN, an infinity matches the same infinity); integer elements when |actual - expected|
// <= slack (0: equal). `slack` is Tolerance::quantization_slack, the difference one-step
// requantization differences may explain (quantization_slack.h). Dtype and shape must be equal. The
// error names the tensor, the first mismatching element and how many differ. Thread-safety: pure
// functions.
#ifndef TINYMLOPS_TESTS_CONFORMANCE_TENSOR_MATCH_H_
#define TINYMLOPS_TESTS_CONFORMANCE_TENSOR_MATCH_H_

#include "runtime/status.h"
#include "toolchain/graph/graph.h"

namespace tinymlops::conformance {

struct Tolerance {
  double rtol = 0;
  double atol = 0;
  double quantization_slack = 0;  // real units for float tensors, steps for integer tensors
};

// OK when `actual` matches `expected` within `tolerance`; else kInvalidArgument saying where
// and by how much they differ.
Status MatchTensor(const toolchain::TensorDef& actual, const toolchain::TensorDef& expected,
                   Tolerance tolerance);

}  // namespace tinymlops::conformance

#endif  // TINYMLOPS_TESTS_CONFORMANCE_TENSOR_MATCH_H_
