#include "tensor_match.h"

#include <cmath>
#include <string>

namespace tinymlops::conformance {
namespace {

using toolchain::DType;
using toolchain::TensorDef;

std::string ShapeText(const std::vector<int32_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? "," : "") + std::to_string(shape[i]);
  return text + "]";
}

bool FloatsMatch(float actual, float expected, Tolerance tolerance) {
  if (std::isnan(expected) || std::isnan(actual)) return std::isnan(expected) && std::isnan(actual);
  if (std::isinf(expected) || std::isinf(actual)) return actual == expected;
  double difference = std::fabs(static_cast<double>(actual) - expected);
  return difference <= tolerance.atol + tolerance.rtol * std::fabs(static_cast<double>(expected)) +
                           tolerance.quantization_slack;
}

// Compares element by element as T, using `match`; reports the first mismatch and the count.
template <typename T, typename Match>
Status MatchElements(const TensorDef& actual, const TensorDef& expected, double slack,
                     Match match) {
  std::vector<T> actual_values = actual.Values<T>();
  std::vector<T> expected_values = expected.Values<T>();
  int64_t mismatches = 0;
  size_t first = 0;
  double largest_difference = 0;
  for (size_t i = 0; i < expected_values.size(); ++i) {
    if (match(actual_values[i], expected_values[i])) continue;
    if (mismatches++ == 0) first = i;
    double difference = std::fabs(static_cast<double>(actual_values[i]) - expected_values[i]);
    if (!(difference <= largest_difference)) largest_difference = difference;
  }
  if (mismatches == 0) return Status::Ok();
  return Status::Error(StatusCode::kInvalidArgument,
                       "'%s': %lld of %zu elements differ; element %zu is %.9g, expected %.9g "
                       "(largest difference %.3g, quantization slack %.3g)",
                       expected.name.c_str(), static_cast<long long>(mismatches),
                       expected_values.size(), first, static_cast<double>(actual_values[first]),
                       static_cast<double>(expected_values[first]), largest_difference, slack);
}

}  // namespace

Status MatchTensor(const TensorDef& actual, const TensorDef& expected, Tolerance tolerance) {
  if (actual.dtype != expected.dtype || actual.shape != expected.shape) {
    return Status::Error(StatusCode::kInvalidArgument, "'%s' is %s %s, expected %s %s",
                         expected.name.c_str(), runtime::DTypeName(actual.dtype),
                         ShapeText(actual.shape).c_str(), runtime::DTypeName(expected.dtype),
                         ShapeText(expected.shape).c_str());
  }
  size_t bytes = static_cast<size_t>(expected.ElementCount()) * runtime::DTypeSize(expected.dtype);
  if (actual.data.size() != bytes || expected.data.size() != bytes) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "'%s' holds %zu bytes, the reference %zu; both should hold %zu",
                         expected.name.c_str(), actual.data.size(), expected.data.size(), bytes);
  }
  const double slack = tolerance.quantization_slack;
  auto within_slack = [slack](auto a, auto e) {
    return std::fabs(static_cast<double>(a) - static_cast<double>(e)) <= slack;
  };
  switch (expected.dtype) {
    case DType::kFloat32:
      return MatchElements<float>(actual, expected, slack, [tolerance](float a, float e) {
        return FloatsMatch(a, e, tolerance);
      });
    case DType::kInt8:
      return MatchElements<int8_t>(actual, expected, slack, within_slack);
    case DType::kUInt8:
      return MatchElements<uint8_t>(actual, expected, slack, within_slack);
    case DType::kInt32:
      return MatchElements<int32_t>(actual, expected, slack, within_slack);
    case DType::kInt64:
      return MatchElements<int64_t>(actual, expected, slack, within_slack);
  }
  return Status::Error(StatusCode::kInternal, "'%s' has an unknown dtype %d", expected.name.c_str(),
                       static_cast<int>(expected.dtype));
}

}  // namespace tinymlops::conformance
