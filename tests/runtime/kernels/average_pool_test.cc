// AveragePool: float32 against a direct loop over the ONNX definition (window_op_reference.h)
// with and without count_include_pad, including ceil_mode windows that reach past the pads
// (those taps never count), 1-D, 2-D, 3-D and dilations; int8/uint8 with TFLite's rounding
// average (same parameters) or a rescale (other parameters), against double precision.
#include <gtest/gtest.h>

#include <cstring>

#include "numeric_expectations.h"
#include "pool_test_support.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::OpType;

class AveragePoolTest : public KernelSetTest {};

void ExpectFloatAveragePool(KernelSet kernels, const WindowSpec& spec, bool count_include_pad) {
  const std::vector<float> x = RandomFloats(ElementCount(spec.input), 41, -5.0f, 5.0f);
  SingleOpGraph op = PoolGraph(OpType::AveragePool, spec, count_include_pad,
                               Values("x", spec.input, x), Spec("y", DType::kFloat32, {}));
  const TensorDef y = RunOk(op, kernels);
  EXPECT_EQ(y.shape, PoolOutputShape(spec));
  ExpectFloatsNear(y.Values<float>(),
                   NaivePool(spec, PoolKind::kAverage, count_include_pad, ToDoubles(x)));
}

TEST_P(AveragePoolTest, HandWorkedCornerWithAndWithoutPadding) {
  // 2x2 input [1 2; 3 4], kernel 2x2, pads 1 on every side: the top-left window holds only 1.
  const WindowSpec spec = {{1, 1, 2, 2}, {2, 2}, {1, 1}, {1, 1}, {1, 1, 1, 1}};
  const TensorDef x = Values<float>("x", {1, 1, 2, 2}, {1, 2, 3, 4});
  SingleOpGraph excluded =
      PoolGraph(OpType::AveragePool, spec, false, x, Spec("y", DType::kFloat32, {}));
  EXPECT_EQ(RunOk(excluded, GetParam()).Values<float>(),
            (std::vector<float>{1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4}));
  SingleOpGraph included =
      PoolGraph(OpType::AveragePool, spec, true, x, Spec("y", DType::kFloat32, {}));
  EXPECT_EQ(RunOk(included, GetParam()).Values<float>(),
            (std::vector<float>{0.25f, 0.75f, 0.5f, 1, 2.5f, 1.5f, 0.75f, 1.75f, 1}));
}

TEST_P(AveragePoolTest, CeilModeTapsBeyondThePadsNeverCount) {
  // 1-D input [1 2 3 4 5], kernel 3, stride 2, pads (1, 1), count_include_pad: windows
  // {pad, 1, 2}, {2, 3, 4}, {4, 5, pad}: both pads count.
  WindowSpec spec = {{1, 1, 5}, {3}, {2}, {1}, {1, 1}};
  spec.ceil_mode = true;
  SingleOpGraph padded =
      PoolGraph(OpType::AveragePool, spec, true, Values<float>("x", {1, 1, 5}, {1, 2, 3, 4, 5}),
                Spec("y", DType::kFloat32, {}));
  EXPECT_EQ(RunOk(padded, GetParam()).Values<float>(), (std::vector<float>{1, 3, 3}));
  // Input [1 .. 7], pads (1, 0), ceil_mode adds a 4th window {6, 7, beyond}: the tap beyond
  // the input and its pads does not count, so it averages to 6.5.
  spec.input = {1, 1, 7};
  spec.pads = {1, 0};
  EXPECT_EQ(PoolOutputShape(spec), (std::vector<int32_t>{1, 1, 4}));
  SingleOpGraph beyond = PoolGraph(OpType::AveragePool, spec, true,
                                   Values<float>("x", {1, 1, 7}, {1, 2, 3, 4, 5, 6, 7}),
                                   Spec("y", DType::kFloat32, {}));
  EXPECT_EQ(RunOk(beyond, GetParam()).Values<float>(), (std::vector<float>{1, 3, 5, 6.5f}));
}

TEST_P(AveragePoolTest, Float2DPadsExcluded) {
  ExpectFloatAveragePool(GetParam(), {{2, 3, 7, 6}, {3, 3}, {2, 1}, {1, 1}, {1, 0, 2, 1}}, false);
}

TEST_P(AveragePoolTest, Float2DPadsIncluded) {
  ExpectFloatAveragePool(GetParam(), {{2, 3, 7, 6}, {3, 3}, {2, 1}, {1, 1}, {1, 0, 2, 1}}, true);
}

TEST_P(AveragePoolTest, Float2DCeilModeWithPadsIncluded) {
  WindowSpec spec = {{1, 2, 6, 7}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 0, 1}};
  spec.ceil_mode = true;
  ExpectFloatAveragePool(GetParam(), spec, true);
}

TEST_P(AveragePoolTest, Float2DDilations) {
  ExpectFloatAveragePool(GetParam(), {{1, 2, 8, 7}, {2, 3}, {1, 2}, {3, 2}, {1, 1, 0, 2}}, false);
}

// One window over the whole unpadded plane (DS-CNN's last pool): the optimized plane-mean path.
TEST_P(AveragePoolTest, Float2DWholePlaneWindow) {
  ExpectFloatAveragePool(GetParam(), {{1, 3, 25, 5}, {25, 5}, {1, 1}, {1, 1}, {0, 0, 0, 0}}, false);
}

TEST_P(AveragePoolTest, Float1D) {
  WindowSpec spec = {{2, 3, 11}, {4}, {3}, {1}, {2, 1}};
  spec.ceil_mode = true;
  ExpectFloatAveragePool(GetParam(), spec, true);
}

TEST_P(AveragePoolTest, Float3D) {
  ExpectFloatAveragePool(
      GetParam(), {{1, 2, 4, 5, 6}, {2, 2, 3}, {2, 1, 2}, {1, 1, 1}, {0, 1, 1, 1, 1, 0}}, false);
}

// Quantized average of pseudo-random data with input (x_scale, x_zero_point) and output
// (y_scale, y_zero_point), against the double-precision average of the real values.
template <typename T>
void ExpectQuantizedAveragePool(KernelSet kernels, const WindowSpec& spec, bool count_include_pad,
                                float x_scale, int32_t x_zero_point, float y_scale,
                                int32_t y_zero_point) {
  const int32_t low = std::is_same_v<T, int8_t> ? -128 : 0;
  const std::vector<T> x = RandomInts<T>(ElementCount(spec.input), 42, low, low + 255);
  SingleOpGraph op = PoolGraph(OpType::AveragePool, spec, count_include_pad,
                               Quantized(Values("x", spec.input, x), x_scale, x_zero_point),
                               Quantized(Spec("y", DTypeOf<T>(), {}), y_scale, y_zero_point));
  // Padding is real 0, i.e. the input zero point.
  const std::vector<double> centered_average =
      NaivePool(spec, PoolKind::kAverage, count_include_pad, Centered(x, x_zero_point));
  const bool same = x_scale == y_scale && x_zero_point == y_zero_point;
  std::vector<double> ideal;
  for (double average : centered_average)
    ideal.push_back(same ? average + y_zero_point
                         : IdealQuantized(average * x_scale, y_scale, y_zero_point));
  // The same-parameter average is exact integer division; a rescale uses a multiplier of at
  // most x_scale / y_scale.
  ExpectQuantizedMatchesIdeal(RunOk(op, kernels).Values<T>(), ideal, low, low + 255,
                              same ? 0.0 : FixedPointTieMargin(double{x_scale} / y_scale));
}

TEST_P(AveragePoolTest, Int8SameParametersRoundsLikeTflite) {
  WindowSpec spec = {{1, 2, 6, 7}, {3, 2}, {2, 2}, {1, 1}, {1, 1, 0, 1}};
  spec.ceil_mode = true;
  ExpectQuantizedAveragePool<int8_t>(GetParam(), spec, false, 0.1f, -5, 0.1f, -5);
  ExpectQuantizedAveragePool<int8_t>(GetParam(), spec, true, 0.1f, -5, 0.1f, -5);
}

TEST_P(AveragePoolTest, Uint8RescaledToOtherParameters) {
  const WindowSpec spec = {{2, 2, 5, 5}, {3, 3}, {1, 2}, {1, 1}, {1, 1, 1, 1}};
  ExpectQuantizedAveragePool<uint8_t>(GetParam(), spec, false, 0.05f, 128, 0.03f, 120);
  ExpectQuantizedAveragePool<uint8_t>(GetParam(), spec, true, 0.05f, 128, 0.03f, 120);
}

TEST_P(AveragePoolTest, HandWorkedInt8RoundingHalfAwayFromZero) {
  // Same parameters: averages 2.5 -> 3 and -2.5 -> -3 (TFLite's (sum +- count / 2) / count).
  const WindowSpec spec = {{1, 1, 4}, {2}, {2}, {1}, {0, 0}};
  SingleOpGraph op = PoolGraph(OpType::AveragePool, spec, false,
                               Quantized(Values<int8_t>("x", {1, 1, 4}, {2, 3, -2, -3}), 0.5f, 0),
                               Quantized(Spec("y", DType::kInt8, {}), 0.5f, 0));
  EXPECT_EQ(RunOk(op, GetParam()).Values<int8_t>(), (std::vector<int8_t>{3, -3}));
}

TEST_P(AveragePoolTest, RejectsInt32) {
  const WindowSpec spec = {{1, 1, 2, 2}, {2, 2}, {1, 1}, {1, 1}, {0, 0, 0, 0}};
  SingleOpGraph op =
      PoolGraph(OpType::AveragePool, spec, false, Values<int32_t>("x", {1, 1, 2, 2}, {1, 2, 3, 4}),
                Spec("y", DType::kInt32, {}));
  const Status status = op.Load(GetParam());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::strstr(status.message(), "'op'"), nullptr) << status.message();
}

TEST_P(AveragePoolTest, RejectsWindowsThatSeeOnlyPadding) {
  const WindowSpec spec = {{1, 1, 2}, {1}, {1}, {1}, {2, 0}};
  SingleOpGraph op =
      PoolGraph(OpType::AveragePool, spec, false, Values<float>("x", {1, 1, 2}, {1, 2}),
                Spec("y", DType::kFloat32, {}));
  EXPECT_FALSE(op.Load(GetParam()).ok());
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(AveragePoolTest);

}  // namespace
}  // namespace tinymlops::kernel_test
