#include "toolchain/onnx/onnx_shape_util.h"

#include <algorithm>

namespace tinymlops::toolchain {

std::string ShapeString(const Shape& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

Result<int> NormalizeAxis(const OnnxNode& node, int64_t axis, int rank, const char* what) {
  if (axis < -rank || axis >= rank)
    return node.Error(StatusCode::kInvalidArgument, "%s %lld is out of range for rank %d", what,
                      static_cast<long long>(axis), rank);
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

Result<Shape> BroadcastShapes(const OnnxNode& node, const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int32_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int32_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return node.Error(StatusCode::kInvalidArgument, "shapes %s and %s do not broadcast",
                        ShapeString(a).c_str(), ShapeString(b).c_str());
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> Strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

std::vector<int64_t> BroadcastSourceIndices(const Shape& in_shape, const Shape& out_shape) {
  const size_t rank = out_shape.size();
  const size_t offset = rank - in_shape.size();
  const std::vector<int64_t> in_strides = Strides(in_shape);
  int64_t count = 1;
  for (int32_t d : out_shape) count *= d;
  std::vector<int64_t> sources(count);
  std::vector<int32_t> position(rank, 0);
  for (int64_t flat = 0; flat < count; ++flat) {
    int64_t source = 0;
    for (size_t i = offset; i < rank; ++i)
      if (in_shape[i - offset] != 1) source += position[i] * in_strides[i - offset];
    sources[flat] = source;
    for (int i = static_cast<int>(rank) - 1; i >= 0; --i) {
      if (++position[i] < out_shape[i]) break;
      position[i] = 0;
    }
  }
  return sources;
}

Result<std::vector<int64_t>> IntegerValues(const OnnxNode& node, const TensorDef& tensor,
                                           const char* role) {
  if (tensor.dtype == DType::kInt64) return tensor.Values<int64_t>();
  if (tensor.dtype == DType::kInt32) {
    const std::vector<int32_t> values = tensor.Values<int32_t>();
    return std::vector<int64_t>(values.begin(), values.end());
  }
  return node.Error(StatusCode::kInvalidArgument, "%s '%s' must be int64 or int32, it is %s", role,
                    tensor.name.c_str(), runtime::DTypeName(tensor.dtype));
}

}  // namespace tinymlops::toolchain
