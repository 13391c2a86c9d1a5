// QuantizationSlack: how far an output of tinymlops may stray from ONNX Runtime's on an ONNX
// model with quantized ops, because of the one difference between them that is by design.
//
// tinymlops requantizes the int32 accumulators of its quantized Conv, Gemm and MatMul with
// TensorFlow Lite's integer fixed-point arithmetic (a 31-bit multiplier, then a rounding shift):
// that is the determinism contract, bit-exact results on every machine (docs/determinism.md).
// ONNX Runtime requantizes in float32. Values that fall within about 1/64 of a step of a
// rounding tie can thus round to neighbouring integers: a quantized output of those ops may
// differ from ONNX Runtime's by one quantization step, never more. Every other op must match
// to the usual float tolerance.
//
// The analysis walks the ONNX graph in order and bounds, for every value, the difference those
// one-step differences can make there (in quantization steps for integer values, in real units
// for float values):
//   - QLinearConv, QLinearMatMul, and QuantizeLinear of a Conv, Gemm or MatMul that reads a
//     DequantizeLinear (the QDQ form, which tinymlops fuses): 1 step, plus the steps the slack
//     of their data input can cause (through the largest sum of |weights| of one output);
//   - any other QuantizeLinear: ceil(input slack / scale) steps; DequantizeLinear: steps * scale;
//   - ops whose output moves at most as far as their inputs in the max norm (Relu, Clip,
//     Sigmoid, Tanh, Softmax, pools, Transpose, Reshape, Flatten, Pad, Concat): the largest
//     input slack; Add, Sub: the sum; Mul by a constant and BatchNormalization: scaled by the
//     largest factor; Conv, Gemm, MatMul with constant weights: times the largest sum of
//     |weights| of one output.
// Where a slack cannot be bounded (e.g. Mul of two values that both carry one), the output's
// slack is 0: it is compared strictly, and a mismatch there shows up as a failure.
//
// Errors: an initializer the analysis needs does not parse. Thread-safety: pure function.
#ifndef TINYMLOPS_TESTS_CONFORMANCE_QUANTIZATION_SLACK_H_
#define TINYMLOPS_TESTS_CONFORMANCE_QUANTIZATION_SLACK_H_

#include <vector>

#include "onnx/onnx_pb.h"
#include "runtime/status.h"

namespace tinymlops::conformance {

// One slack per graph output, in graph-output order: real units for float outputs, quantization
// steps for int8/uint8 outputs; 0 for outputs no quantized op reaches.
Result<std::vector<double>> QuantizationSlack(const onnx::ModelProto& model);

}  // namespace tinymlops::conformance

#endif  // TINYMLOPS_TESTS_CONFORMANCE_QUANTIZATION_SLACK_H_
