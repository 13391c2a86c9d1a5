// Shape arithmetic shared by the ONNX op converters: axis normalization, NumPy broadcasting,
// and printing shapes for error messages. Thread-safety: pure functions.
#ifndef TINYMLOPS_TOOLCHAIN_ONNX_ONNX_SHAPE_UTIL_H_
#define TINYMLOPS_TOOLCHAIN_ONNX_ONNX_SHAPE_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/status.h"
#include "toolchain/onnx/onnx_node.h"
#include "toolchain/onnx/onnx_tensor.h"

namespace tinymlops::toolchain {

using Shape = std::vector<int32_t>;

// Largest dimension a shape computed at import may have.
constexpr int64_t kMaxShapeDim = kMaxOnnxTensorElements;

// "[1, 3, 224, 224]".
std::string ShapeString(const Shape& shape);

// `axis` in [-rank, rank) mapped to [0, rank); an error names `what` otherwise.
Result<int> NormalizeAxis(const OnnxNode& node, int64_t axis, int rank, const char* what);

// The NumPy (multidirectional) broadcast of `a` and `b`, or an error naming both shapes.
Result<Shape> BroadcastShapes(const OnnxNode& node, const Shape& a, const Shape& b);

// Row-major strides of `shape` (in elements).
std::vector<int64_t> Strides(const Shape& shape);

// For each element of `out_shape` (row-major), the index of the element of `in_shape` that
// NumPy broadcasting maps onto it; `in_shape` must broadcast to `out_shape`.
std::vector<int64_t> BroadcastSourceIndices(const Shape& in_shape, const Shape& out_shape);

// Reads a constant integer tensor (int32 or int64) as int64 values; an error names `role`.
Result<std::vector<int64_t>> IntegerValues(const OnnxNode& node, const TensorDef& tensor,
                                           const char* role);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_ONNX_ONNX_SHAPE_UTIL_H_
