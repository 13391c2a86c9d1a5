// GlobalAveragePool: float32 means over 1-D, 2-D and 3-D planes against a direct loop,
// int8/uint8 with the same or other output parameters against double precision, shape errors.
#include <gtest/gtest.h>

#include <cstring>

#include "numeric_expectations.h"
#include "single_op_graph.h"
#include "window_op_reference.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::OpType;

class GlobalAveragePoolTest : public KernelSetTest {};

// [N, C, 1, ...] of the same rank as `input`.
std::vector<int32_t> GlobalOutputShape(const std::vector<int32_t>& input) {
  std::vector<int32_t> shape(input.size(), 1);
  shape[0] = input[0];
  shape[1] = input[1];
  return shape;
}

// The mean of each [n, c] plane of `x`.
std::vector<double> PlaneMeans(const std::vector<double>& x, const std::vector<int32_t>& shape) {
  const int64_t planes = int64_t{shape[0]} * shape[1];
  const int64_t size = ElementCount(shape) / planes;
  std::vector<double> means;
  for (int64_t p = 0; p < planes; ++p) {
    double sum = 0.0;
    for (int64_t i = 0; i < size; ++i) sum += x[p * size + i];
    means.push_back(sum / static_cast<double>(size));
  }
  return means;
}

void ExpectFloatGlobalAverage(KernelSet kernels, const std::vector<int32_t>& shape) {
  const std::vector<float> x = RandomFloats(ElementCount(shape), 51, -3.0f, 3.0f);
  SingleOpGraph op(OpType::GlobalAveragePool, {Values("x", shape, x)},
                   {Spec("y", DType::kFloat32, GlobalOutputShape(shape))});
  const TensorDef y = RunOk(op, kernels);
  EXPECT_EQ(y.shape, GlobalOutputShape(shape));
  ExpectFloatsNear(y.Values<float>(), PlaneMeans(ToDoubles(x), shape));
}

TEST_P(GlobalAveragePoolTest, HandWorked) {
  SingleOpGraph op(OpType::GlobalAveragePool,
                   {Values<float>("x", {1, 2, 2, 2}, {1, 2, 3, 4, -1, -1, -1, 7})},
                   {Spec("y", DType::kFloat32, {1, 2, 1, 1})});
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{2.5f, 1}));
}

TEST_P(GlobalAveragePoolTest, Float1D) { ExpectFloatGlobalAverage(GetParam(), {2, 3, 9}); }
TEST_P(GlobalAveragePoolTest, Float2D) { ExpectFloatGlobalAverage(GetParam(), {2, 4, 7, 5}); }
TEST_P(GlobalAveragePoolTest, Float3D) { ExpectFloatGlobalAverage(GetParam(), {1, 3, 3, 4, 5}); }

template <typename T>
void ExpectQuantizedGlobalAverage(KernelSet kernels, float x_scale, int32_t x_zero_point,
                                  float y_scale, int32_t y_zero_point) {
  const std::vector<int32_t> shape = {2, 3, 6, 5};
  const int32_t low = std::is_same_v<T, int8_t> ? -128 : 0;
  const std::vector<T> x = RandomInts<T>(ElementCount(shape), 52, low, low + 255);
  SingleOpGraph op(
      OpType::GlobalAveragePool, {Quantized(Values("x", shape, x), x_scale, x_zero_point)},
      {Quantized(Spec("y", DTypeOf<T>(), GlobalOutputShape(shape)), y_scale, y_zero_point)});
  const bool same = x_scale == y_scale && x_zero_point == y_zero_point;
  std::vector<double> ideal;
  for (double mean : PlaneMeans(Centered(x, x_zero_point), shape))
    ideal.push_back(same ? mean + y_zero_point
                         : IdealQuantized(mean * x_scale, y_scale, y_zero_point));
  ExpectQuantizedMatchesIdeal(RunOk(op, kernels).Values<T>(), ideal, low, low + 255,
                              same ? 0.0 : FixedPointTieMargin(double{x_scale} / y_scale / 30));
}

TEST_P(GlobalAveragePoolTest, Int8SameParameters) {
  ExpectQuantizedGlobalAverage<int8_t>(GetParam(), 0.1f, 3, 0.1f, 3);
}

TEST_P(GlobalAveragePoolTest, Uint8OtherParameters) {
  ExpectQuantizedGlobalAverage<uint8_t>(GetParam(), 0.05f, 128, 0.02f, 100);
}

TEST_P(GlobalAveragePoolTest, RejectsAnOutputThatIsNotOnePerChannel) {
  SingleOpGraph op(OpType::GlobalAveragePool, {Values("x", {1, 2, 2, 2}, std::vector<float>(8))},
                   {Spec("y", DType::kFloat32, {1, 2, 2, 1})});
  const Status status = op.Load(GetParam());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::strstr(status.message(), "'op'"), nullptr) << status.message();
}

TEST_P(GlobalAveragePoolTest, RejectsInt32) {
  SingleOpGraph op(OpType::GlobalAveragePool, {Values<int32_t>("x", {1, 1, 2, 2}, {1, 2, 3, 4})},
                   {Spec("y", DType::kInt32, {1, 1, 1, 1})});
  EXPECT_FALSE(op.Load(GetParam()).ok());
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(GlobalAveragePoolTest);

}  // namespace
}  // namespace tinymlops::kernel_test
