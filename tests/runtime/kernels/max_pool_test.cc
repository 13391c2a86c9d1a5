// MaxPool: float32, int8 and uint8 against a direct loop over the ONNX definition
// (window_op_reference.h) for 1-D, 2-D and 3-D windows with strides, dilations, asymmetric pads
// and ceil_mode output shapes; quantized input and output must share their parameters.
#include <gtest/gtest.h>

#include <cstring>

#include "numeric_expectations.h"
#include "pool_test_support.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::OpType;

class MaxPoolTest : public KernelSetTest {};

void ExpectFloatMaxPool(KernelSet kernels, const WindowSpec& spec) {
  const std::vector<float> x = RandomFloats(ElementCount(spec.input), 31, -5.0f, 5.0f);
  SingleOpGraph op = PoolGraph(OpType::MaxPool, spec, false, Values("x", spec.input, x),
                               Spec("y", DType::kFloat32, {}));
  const TensorDef y = RunOk(op, kernels);
  EXPECT_EQ(y.shape, PoolOutputShape(spec));
  ExpectFloatsNear(y.Values<float>(), NaivePool(spec, PoolKind::kMax, false, ToDoubles(x)), 0.0);
}

TEST_P(MaxPoolTest, HandWorked2x2Stride2) {
  const WindowSpec spec = {{1, 1, 4, 4}, {2, 2}, {2, 2}, {1, 1}, {0, 0, 0, 0}};
  SingleOpGraph op = PoolGraph(
      OpType::MaxPool, spec, false,
      Values<float>("x", {1, 1, 4, 4}, {1, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, -4, -5, -6, -7, -8}),
      Spec("y", DType::kFloat32, {}));
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{6, 8, -1, -3}));
}

TEST_P(MaxPoolTest, PaddingNeverWinsOverNegativeInputs) {
  const WindowSpec spec = {{1, 1, 2, 2}, {2, 2}, {1, 1}, {1, 1}, {1, 1, 1, 1}};
  SingleOpGraph op =
      PoolGraph(OpType::MaxPool, spec, false, Values<float>("x", {1, 1, 2, 2}, {-1, -2, -3, -4}),
                Spec("y", DType::kFloat32, {}));
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(),
            (std::vector<float>{-1, -1, -2, -1, -1, -2, -3, -3, -4}));
}

TEST_P(MaxPoolTest, Float2DStridesAndAsymmetricPads) {
  ExpectFloatMaxPool(GetParam(), {{2, 3, 7, 6}, {3, 2}, {2, 1}, {1, 1}, {1, 0, 2, 1}});
}

TEST_P(MaxPoolTest, Float2DCeilModeOutputShape) {
  WindowSpec spec = {{1, 2, 6, 7}, {3, 3}, {2, 2}, {1, 1}, {0, 0, 0, 0}};
  spec.ceil_mode = true;
  EXPECT_EQ(PoolOutputShape(spec), (std::vector<int32_t>{1, 2, 3, 3}));
  ExpectFloatMaxPool(GetParam(), spec);
}

TEST_P(MaxPoolTest, Float2DDilations) {
  ExpectFloatMaxPool(GetParam(), {{1, 2, 8, 7}, {2, 3}, {1, 2}, {3, 2}, {1, 1, 0, 2}});
}

TEST_P(MaxPoolTest, Float1D) {
  WindowSpec spec = {{2, 3, 11}, {3}, {2}, {1}, {1, 1}};
  spec.ceil_mode = true;
  ExpectFloatMaxPool(GetParam(), spec);
}

TEST_P(MaxPoolTest, Float3D) {
  ExpectFloatMaxPool(GetParam(),
                     {{1, 2, 4, 5, 6}, {2, 2, 3}, {2, 1, 2}, {1, 2, 1}, {0, 1, 1, 1, 1, 0}});
}

template <typename T>
void ExpectQuantizedMaxPool(KernelSet kernels, int32_t low) {
  WindowSpec spec = {{1, 2, 5, 6}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 0, 1}};
  spec.ceil_mode = true;
  const std::vector<T> x = RandomInts<T>(ElementCount(spec.input), 32, low, low + 255);
  SingleOpGraph op =
      PoolGraph(OpType::MaxPool, spec, false, Quantized(Values("x", spec.input, x), 0.1f, low + 7),
                Quantized(Spec("y", DTypeOf<T>(), {}), 0.1f, low + 7));
  const std::vector<double> expected = NaivePool(spec, PoolKind::kMax, false, ToDoubles(x));
  EXPECT_EQ(ToDoubles(RunOk(op, kernels).Values<T>()), expected);
}

TEST_P(MaxPoolTest, Int8SharesQuantization) { ExpectQuantizedMaxPool<int8_t>(GetParam(), -128); }
TEST_P(MaxPoolTest, Uint8SharesQuantization) { ExpectQuantizedMaxPool<uint8_t>(GetParam(), 0); }

TEST_P(MaxPoolTest, RejectsQuantizedOutputWithOtherParameters) {
  const WindowSpec spec = {{1, 1, 2, 2}, {2, 2}, {1, 1}, {1, 1}, {0, 0, 0, 0}};
  SingleOpGraph op = PoolGraph(OpType::MaxPool, spec, false,
                               Quantized(Values<int8_t>("x", {1, 1, 2, 2}, {1, 2, 3, 4}), 0.1f, 0),
                               Quantized(Spec("y", DType::kInt8, {}), 0.2f, 0));
  const Status status = op.Load(GetParam());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::strstr(status.message(), "'op'"), nullptr) << status.message();
}

TEST_P(MaxPoolTest, RejectsAKernelOfTheWrongRank) {
  const WindowSpec spec = {{1, 1, 4, 4}, {2}, {1}, {1}, {0, 0}};
  SingleOpGraph op(OpType::MaxPool, {Values("x", {1, 1, 4, 4}, std::vector<float>(16))},
                   {Spec("y", DType::kFloat32, {1, 1, 3, 3})}, PoolOptions(spec, false));
  EXPECT_FALSE(op.Load(GetParam()).ok());
}

TEST_P(MaxPoolTest, RejectsAnOutputShapeTheWindowsDoNotGive) {
  const WindowSpec spec = {{1, 1, 4, 4}, {2, 2}, {1, 1}, {1, 1}, {0, 0, 0, 0}};
  SingleOpGraph op(OpType::MaxPool, {Values("x", {1, 1, 4, 4}, std::vector<float>(16))},
                   {Spec("y", DType::kFloat32, {1, 1, 2, 2})}, PoolOptions(spec, false));
  const Status status = op.Load(GetParam());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::strstr(status.message(), "'y'"), nullptr) << status.message();
}

TEST_P(MaxPoolTest, RejectsInt32) {
  const WindowSpec spec = {{1, 1, 2, 2}, {2, 2}, {1, 1}, {1, 1}, {0, 0, 0, 0}};
  SingleOpGraph op =
      PoolGraph(OpType::MaxPool, spec, false, Values<int32_t>("x", {1, 1, 2, 2}, {1, 2, 3, 4}),
                Spec("y", DType::kInt32, {}));
  EXPECT_FALSE(op.Load(GetParam()).ok());
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(MaxPoolTest);

}  // namespace
}  // namespace tinymlops::kernel_test
