// MatchTensor: the comparison every conformance harness relies on, and the quantization slack
// random_models_vs_ort allows: one step passes, two steps fail.
#include "tensor_match.h"

#include <gtest/gtest.h>

#include <vector>

namespace tinymlops::conformance {
namespace {

using toolchain::DType;
using toolchain::TensorDef;

template <typename T>
TensorDef Tensor(DType dtype, const std::vector<T>& values) {
  TensorDef tensor;
  tensor.name = "y";
  tensor.dtype = dtype;
  tensor.shape = {static_cast<int32_t>(values.size())};
  tensor.SetValues(values);
  return tensor;
}

const Tolerance kOrt = {1e-4, 1e-5};

TEST(MatchTensorTest, FloatsMatchWithinRelativeAndAbsoluteTolerance) {
  const TensorDef expected = Tensor<float>(DType::kFloat32, {0.0f, 100.0f, -2.0f});
  EXPECT_TRUE(
      MatchTensor(Tensor<float>(DType::kFloat32, {0.000009f, 100.009f, -2.0002f}), expected, kOrt)
          .ok());
  const Status status =
      MatchTensor(Tensor<float>(DType::kFloat32, {0.0f, 100.02f, -2.0f}), expected, kOrt);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::string(status.message()).find("element 1"), std::string::npos) << status.message();
}

TEST(MatchTensorTest, FloatSlackAllowsOneQuantizationStepButNotTwo) {
  const float step = 0.05f;
  Tolerance tolerance = kOrt;
  tolerance.quantization_slack = step;
  const TensorDef expected = Tensor<float>(DType::kFloat32, {0.5f, -1.0f});
  EXPECT_TRUE(
      MatchTensor(Tensor<float>(DType::kFloat32, {0.5f + step, -1.0f - step}), expected, tolerance)
          .ok());
  EXPECT_FALSE(
      MatchTensor(Tensor<float>(DType::kFloat32, {0.5f + 2 * step, -1.0f}), expected, tolerance)
          .ok());
  EXPECT_FALSE(
      MatchTensor(Tensor<float>(DType::kFloat32, {0.5f + step, -1.0f}), expected, kOrt).ok());
}

TEST(MatchTensorTest, IntegerSlackAllowsOneStepButNotTwo) {
  Tolerance one_step = kOrt;
  one_step.quantization_slack = 1;
  const TensorDef expected_int8 = Tensor<int8_t>(DType::kInt8, {-128, 0, 127});
  EXPECT_TRUE(
      MatchTensor(Tensor<int8_t>(DType::kInt8, {-127, 1, 126}), expected_int8, one_step).ok());
  EXPECT_FALSE(
      MatchTensor(Tensor<int8_t>(DType::kInt8, {-128, 2, 127}), expected_int8, one_step).ok());
  EXPECT_FALSE(MatchTensor(Tensor<int8_t>(DType::kInt8, {-128, 1, 127}), expected_int8, kOrt).ok());
  const TensorDef expected_uint8 = Tensor<uint8_t>(DType::kUInt8, {0, 255});
  EXPECT_TRUE(MatchTensor(Tensor<uint8_t>(DType::kUInt8, {1, 254}), expected_uint8, one_step).ok());
  EXPECT_FALSE(
      MatchTensor(Tensor<uint8_t>(DType::kUInt8, {2, 255}), expected_uint8, one_step).ok());
}

TEST(MatchTensorTest, DTypeAndShapeMustBeEqual) {
  const TensorDef expected = Tensor<float>(DType::kFloat32, {1.0f, 2.0f});
  EXPECT_FALSE(MatchTensor(Tensor<int32_t>(DType::kInt32, {1, 2}), expected, kOrt).ok());
  EXPECT_FALSE(
      MatchTensor(Tensor<float>(DType::kFloat32, {1.0f, 2.0f, 3.0f}), expected, kOrt).ok());
}

}  // namespace
}  // namespace tinymlops::conformance
