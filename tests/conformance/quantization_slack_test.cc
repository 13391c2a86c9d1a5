// QuantizationSlack: one quantization step at each requantizing op, carried to the outputs by
// the ops after it, and nothing where no quantized op is involved. Expected slacks are worked
// out by hand from the scales and weights below.
#include "quantization_slack.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "toolchain/onnx/onnx_model_builder.h"

namespace tinymlops::conformance {
namespace {

using toolchain::testing::OnnxModelBuilder;

constexpr float kXScale = 0.1f, kWScale = 0.5f, kYScale = 0.25f;

// x [1, 2] float -> QuantizeLinear (int8, kXScale) -> QLinearMatMul by W [2, 2] = {1, -2, 3, 4}
// (kWScale) -> "y_q" (int8, kYScale).
OnnxModelBuilder QLinearMatMulModel() {
  OnnxModelBuilder builder(13);
  builder.Input("x", {1, 2});
  builder.Initializer<float>("xs", {}, {kXScale}).Initializer<int8_t>("xz", {}, {0});
  builder.Initializer<int8_t>("w", {2, 2}, {1, -2, 3, 4});
  builder.Initializer<float>("ws", {}, {kWScale}).Initializer<int8_t>("wz", {}, {0});
  builder.Initializer<float>("ys", {}, {kYScale}).Initializer<int8_t>("yz", {}, {3});
  builder.Node("QuantizeLinear", {"x", "xs", "xz"}, {"x_q"});
  builder.Node("QLinearMatMul", {"x_q", "xs", "xz", "w", "ws", "wz", "ys", "yz"}, {"y_q"});
  return builder;
}

std::vector<double> SlackOf(OnnxModelBuilder& builder) {
  Result<std::vector<double>> slack = QuantizationSlack(builder.model());
  EXPECT_TRUE(slack.ok()) << slack.status().message();
  return slack.ok() ? *slack : std::vector<double>{};
}

TEST(QuantizationSlackTest, QuantizedOutputMayDifferByOneStep) {
  OnnxModelBuilder builder = QLinearMatMulModel();
  builder.Output("y_q", onnx::TensorProto::INT8);
  EXPECT_EQ(SlackOf(builder), (std::vector<double>{1}));
}

TEST(QuantizationSlackTest, OneStepCarriesThroughDequantizeAndNonExpandingOps) {
  OnnxModelBuilder builder = QLinearMatMulModel();
  builder.Node("DequantizeLinear", {"y_q", "ys", "yz"}, {"y"});
  builder.Node("Relu", {"y"}, {"relu"});
  builder.Node("Transpose", {"relu"}, {"transposed"});
  builder.Initializer<float>("three", {}, {-3.0f});
  builder.Node("Mul", {"three", "y"}, {"scaled"});
  builder.Output("y").Output("transposed").Output("scaled");
  EXPECT_EQ(SlackOf(builder), (std::vector<double>{kYScale, kYScale, 3 * kYScale}));
}

TEST(QuantizationSlackTest, QdqConvIsARequantizingOp) {
  OnnxModelBuilder builder(13);
  builder.Input("x", {1, 1, 2, 2});
  builder.Initializer<float>("xs", {}, {kXScale}).Initializer<uint8_t>("xz", {}, {128});
  builder.Initializer<int8_t>("w", {1, 1, 1, 1}, {7});
  builder.Initializer<float>("ws", {}, {kWScale}).Initializer<int8_t>("wz", {}, {0});
  builder.Initializer<float>("ys", {}, {kYScale}).Initializer<int8_t>("yz", {}, {0});
  builder.Node("QuantizeLinear", {"x", "xs", "xz"}, {"x_q"});
  builder.Node("DequantizeLinear", {"x_q", "xs", "xz"}, {"x_dq"});
  builder.Node("DequantizeLinear", {"w", "ws", "wz"}, {"w_dq"});
  builder.Node("Conv", {"x_dq", "w_dq"}, {"conv"});
  builder.Node("QuantizeLinear", {"conv", "ys", "yz"}, {"y_q"});
  builder.Node("DequantizeLinear", {"y_q", "ys", "yz"}, {"y"});
  builder.Output("x_dq").Output("conv").Output("y");
  // Quantizing the input and the float Conv on it are exact; only the requantized output moves.
  EXPECT_EQ(SlackOf(builder), (std::vector<double>{0, 0, kYScale}));
}

TEST(QuantizationSlackTest, SlackOfAnInputGrowsThroughTheWeightsOfTheNextQuantizedOp) {
  // y (slack kYScale = 0.25) -> QuantizeLinear (scale 0.1: ceil(2.5) = 3 steps) -> QLinearMatMul
  // by W2 = {2, 0, -1, 1} (scale 0.5; largest column sum of |W2| 1.5) to scale 0.2: 3 steps of
  // 0.1 times 1.5 = 0.45 = 2.25 output steps, so ceil(2.25) + 1 = 4 steps.
  OnnxModelBuilder builder = QLinearMatMulModel();
  builder.Node("DequantizeLinear", {"y_q", "ys", "yz"}, {"y"});
  builder.Initializer<float>("s2", {}, {0.1f}).Initializer<int8_t>("z2", {}, {0});
  builder.Initializer<int8_t>("w2", {2, 2}, {2, 0, -1, 1});
  builder.Initializer<float>("ys2", {}, {0.2f});
  builder.Node("QuantizeLinear", {"y", "s2", "z2"}, {"y2_in"});
  builder.Node("QLinearMatMul", {"y2_in", "s2", "z2", "w2", "ws", "wz", "ys2", "z2"}, {"y2"});
  builder.Output("y2_in", onnx::TensorProto::INT8).Output("y2", onnx::TensorProto::INT8);
  EXPECT_EQ(SlackOf(builder), (std::vector<double>{3, 4}));
}

TEST(QuantizationSlackTest, ModelsWithoutRequantizingOpsHaveNone) {
  OnnxModelBuilder builder(13);
  builder.Input("x", {1, 4});
  builder.Initializer<float>("s", {}, {0.5f}).Initializer<uint8_t>("z", {}, {128});
  builder.Node("QuantizeLinear", {"x", "s", "z"}, {"q"});
  builder.Node("DequantizeLinear", {"q", "s", "z"}, {"dq"});
  builder.Node("Sigmoid", {"dq"}, {"y"});
  builder.Output("y");
  EXPECT_EQ(SlackOf(builder), (std::vector<double>{0}));
}

TEST(QuantizationSlackTest, UnboundedSlackMeansAStrictComparison) {
  // The product of two values that each carry a slack has no static bound.
  OnnxModelBuilder builder = QLinearMatMulModel();
  builder.Node("DequantizeLinear", {"y_q", "ys", "yz"}, {"y"});
  builder.Node("Mul", {"y", "y"}, {"square"});
  builder.Output("square");
  EXPECT_EQ(SlackOf(builder), (std::vector<double>{0}));
}

}  // namespace
}  // namespace tinymlops::conformance
