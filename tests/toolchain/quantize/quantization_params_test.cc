#include "toolchain/quantize/quantization_params.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace tinymlops::toolchain {
namespace {

TensorDef FloatConstant(const std::vector<int32_t>& shape, const std::vector<float>& values) {
  TensorDef tensor;
  tensor.name = "w";
  tensor.shape = shape;
  tensor.SetValues(values);
  return tensor;
}

TEST(ChooseActivationParams, ReluRangeUsesAllLevelsWithZeroAtMinus128) {
  const QuantInfo params = ChooseActivationParams(0.0f, 2.55f);
  ASSERT_EQ(params.scale.size(), 1u);
  EXPECT_FLOAT_EQ(params.scale[0], 2.55f / 255.0f);
  EXPECT_EQ(params.zero_point[0], -128);
}

TEST(ChooseActivationParams, RangeIsWidenedToHoldZero) {
  // [2, 5] is treated as [0, 5]; [-3, -1] as [-3, 0].
  const QuantInfo positive = ChooseActivationParams(2.0f, 5.0f);
  EXPECT_FLOAT_EQ(positive.scale[0], 5.0f / 255.0f);
  EXPECT_EQ(positive.zero_point[0], -128);
  const QuantInfo negative = ChooseActivationParams(-3.0f, -1.0f);
  EXPECT_FLOAT_EQ(negative.scale[0], 3.0f / 255.0f);
  EXPECT_EQ(negative.zero_point[0], 127);
}

TEST(ChooseActivationParams, ZeroPointPutsRealZeroOnTheGrid) {
  // [-1, 3]: scale 4/255; zero point -128 + 1 / (4/255) = -64.25, rounded to -64.
  const QuantInfo params = ChooseActivationParams(-1.0f, 3.0f);
  EXPECT_FLOAT_EQ(params.scale[0], 4.0f / 255.0f);
  EXPECT_EQ(params.zero_point[0], -64);
}

TEST(ChooseActivationParams, AllZeroRangeGetsAUsableScale) {
  const QuantInfo params = ChooseActivationParams(0.0f, 0.0f);
  EXPECT_GT(params.scale[0], 0.0f);
  EXPECT_EQ(params.zero_point[0], 0);
}

TEST(FixedOutputParams, FollowTfliteConventions) {
  EXPECT_FLOAT_EQ(SoftmaxOutputParams().scale[0], 1.0f / 256.0f);
  EXPECT_EQ(SoftmaxOutputParams().zero_point[0], -128);
  EXPECT_FLOAT_EQ(SigmoidOutputParams().scale[0], 1.0f / 256.0f);
  EXPECT_EQ(SigmoidOutputParams().zero_point[0], -128);
  EXPECT_FLOAT_EQ(TanhOutputParams().scale[0], 1.0f / 128.0f);
  EXPECT_EQ(TanhOutputParams().zero_point[0], 0);
}

TEST(QuantizeWeightsPerChannel, SymmetricScalePerOutputChannelOnAxis0) {
  // Conv weights [M=2, C=1, 1, 2]: channel 0 = {1, -0.25}, channel 1 = {0.1, -0.4}.
  const TensorDef weights = FloatConstant({2, 1, 1, 2}, {1.0f, -0.25f, 0.1f, -0.4f});
  Result<TensorDef> quantized = QuantizeWeightsPerChannel(weights, 0);
  ASSERT_TRUE(quantized.ok()) << quantized.status().message();
  EXPECT_EQ(quantized->dtype, DType::kInt8);
  EXPECT_EQ(quantized->shape, weights.shape);
  EXPECT_EQ(quantized->quant.axis, 0);
  ASSERT_EQ(quantized->quant.scale.size(), 2u);
  EXPECT_FLOAT_EQ(quantized->quant.scale[0], 1.0f / 127.0f);
  EXPECT_FLOAT_EQ(quantized->quant.scale[1], 0.4f / 127.0f);
  EXPECT_EQ(quantized->quant.zero_point, (std::vector<int32_t>{0, 0}));
  // -0.25 * 127 = -31.75 -> -32; 0.1 / 0.4 * 127 = 31.75 -> 32.
  EXPECT_EQ(quantized->Values<int8_t>(), (std::vector<int8_t>{127, -32, 32, -127}));
}

TEST(QuantizeWeightsPerChannel, InnerAxisOfGemmWeights) {
  // Gemm B [K=2, N=3] without trans_b: channels run along axis 1.
  const TensorDef weights = FloatConstant({2, 3}, {1.0f, 2.0f, -4.0f, -0.25f, 0.75f, 3.0f});
  Result<TensorDef> quantized = QuantizeWeightsPerChannel(weights, 1);
  ASSERT_TRUE(quantized.ok()) << quantized.status().message();
  EXPECT_EQ(quantized->quant.axis, 1);
  ASSERT_EQ(quantized->quant.scale.size(), 3u);
  EXPECT_FLOAT_EQ(quantized->quant.scale[0], 1.0f / 127.0f);
  EXPECT_FLOAT_EQ(quantized->quant.scale[1], 2.0f / 127.0f);
  EXPECT_FLOAT_EQ(quantized->quant.scale[2], 4.0f / 127.0f);
  EXPECT_EQ(quantized->Values<int8_t>(), (std::vector<int8_t>{127, 127, -127, -32, 48, 95}));
}

TEST(QuantizeWeightsPerChannel, AllZeroChannelStaysZero) {
  const TensorDef weights = FloatConstant({2, 2}, {0.0f, 0.0f, 0.5f, -0.5f});
  Result<TensorDef> quantized = QuantizeWeightsPerChannel(weights, 0);
  ASSERT_TRUE(quantized.ok());
  EXPECT_GT(quantized->quant.scale[0], 0.0f);
  EXPECT_EQ(quantized->Values<int8_t>(), (std::vector<int8_t>{0, 0, 127, -127}));
}

TEST(QuantizeWeightsPerChannel, AxisOutsideTheTensorIsAnError) {
  const TensorDef weights = FloatConstant({2, 2}, {1, 2, 3, 4});
  Result<TensorDef> quantized = QuantizeWeightsPerChannel(weights, 2);
  ASSERT_FALSE(quantized.ok());
  EXPECT_NE(std::string(quantized.status().message()).find("axis 2"), std::string::npos);
}

TEST(QuantizeConstant, RoundsOntoTheGridAndSaturates) {
  QuantInfo params;
  params.scale = {0.5f};
  params.zero_point = {10};
  const TensorDef values = FloatConstant({4}, {0.0f, 1.2f, -100.0f, 100.0f});
  const TensorDef quantized = QuantizeConstant(values, params);
  EXPECT_EQ(quantized.dtype, DType::kInt8);
  EXPECT_EQ(quantized.Values<int8_t>(), (std::vector<int8_t>{10, 12, -128, 127}));
}

TEST(ChooseConstantParams, CoversTheValuesAndZero) {
  const QuantInfo params = ChooseConstantParams(FloatConstant({2}, {0.5f, 2.55f}));
  EXPECT_FLOAT_EQ(params.scale[0], 2.55f / 255.0f);
  EXPECT_EQ(params.zero_point[0], -128);
}

}  // namespace
}  // namespace tinymlops::toolchain
