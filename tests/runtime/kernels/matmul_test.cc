// MatMul: NumPy matmul semantics (1-D operands promoted and the added dim removed, batch dims
// broadcast) in float32 against a direct loop written from the NumPy definition, a fused
// activation, int8/uint8 against a double-precision re-derivation, and shape errors.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "numeric_expectations.h"
#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::ActivationType;
using tmm::OpType;

class MatMulTest : public KernelSetTest {};

tmm::OpOptionsUnion MatMulOptions(ActivationType activation) {
  tmm::MatMulOptionsT options;
  options.activation = std::make_unique<tmm::ActivationT>();
  options.activation->type = activation;
  tmm::OpOptionsUnion union_options;
  union_options.Set(std::move(options));
  return union_options;
}

int64_t Count(const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

// numpy.matmul(a, b) computed element by element: the output shape, and values computed by the
// caller's `product(a_index, b_index)` summed over k. Returns {shape, values}.
struct MatMulReference {
  std::vector<int32_t> shape;
  std::vector<double> values;
};

template <typename Product>
MatMulReference NaiveMatMul(std::vector<int32_t> a_shape, std::vector<int32_t> b_shape,
                            const Product& product) {
  const bool a_vector = a_shape.size() == 1, b_vector = b_shape.size() == 1;
  if (a_vector) a_shape.insert(a_shape.begin(), 1);
  if (b_vector) b_shape.push_back(1);
  const int32_t M = a_shape[a_shape.size() - 2], K = a_shape.back(), N = b_shape.back();
  const size_t a_batch = a_shape.size() - 2, b_batch = b_shape.size() - 2;
  const size_t batch = std::max(a_batch, b_batch);
  std::vector<int32_t> batch_shape(batch);
  for (size_t i = 0; i < batch; ++i) {
    const int32_t da = i + a_batch >= batch ? a_shape[i + a_batch - batch] : 1;
    const int32_t db = i + b_batch >= batch ? b_shape[i + b_batch - batch] : 1;
    batch_shape[i] = std::max(da, db);
  }
  MatMulReference result;
  result.shape = batch_shape;
  if (!a_vector) result.shape.push_back(M);
  if (!b_vector) result.shape.push_back(N);
  for (int64_t flat = 0; flat < Count(batch_shape) * M * N; ++flat) {
    const int32_t n = static_cast<int32_t>(flat % N);
    const int32_t m = static_cast<int32_t>(flat / N % M);
    int64_t batch_index = flat / N / M;
    // Batch coordinates from the last dim backwards, mapped into A and B (dims of 1 repeat).
    int64_t a_offset = 0, b_offset = 0, a_stride = int64_t{M} * K, b_stride = int64_t{K} * N;
    for (size_t k = 0; k < batch; ++k) {
      const int32_t dim = batch_shape[batch - 1 - k];
      const int64_t coordinate = batch_index % dim;
      batch_index /= dim;
      if (k < a_batch) {
        const int32_t da = a_shape[a_batch - 1 - k];
        if (da != 1) a_offset += coordinate * a_stride;
        a_stride *= da;
      }
      if (k < b_batch) {
        const int32_t db = b_shape[b_batch - 1 - k];
        if (db != 1) b_offset += coordinate * b_stride;
        b_stride *= db;
      }
    }
    double sum = 0.0;
    for (int32_t k = 0; k < K; ++k)
      sum += product(a_offset + int64_t{m} * K + k, b_offset + int64_t{k} * N + n, n);
    result.values.push_back(sum);
  }
  return result;
}

void ExpectFloatMatMul(KernelSet kernels, const std::vector<int32_t>& a_shape,
                       const std::vector<int32_t>& b_shape) {
  const std::vector<float> a = RandomFloats(Count(a_shape), 21);
  const std::vector<float> b = RandomFloats(Count(b_shape), 22);
  const MatMulReference expected = NaiveMatMul(
      a_shape, b_shape, [&](int64_t i, int64_t j, int32_t) { return double{a[i]} * b[j]; });
  SingleOpGraph op(OpType::MatMul, {Values("a", a_shape, a), Values("b", b_shape, b)},
                   {Spec("y", DType::kFloat32, expected.shape)},
                   MatMulOptions(ActivationType::None));
  const TensorDef y = RunOk(op, kernels);
  EXPECT_EQ(y.shape, expected.shape);
  ExpectFloatsNear(y.Values<float>(), expected.values);
}

TEST_P(MatMulTest, HandWorked) {
  SingleOpGraph op(OpType::MatMul,
                   {Values<float>("a", {2, 3}, {1, 2, 3, 4, 5, 6}),
                    Values<float>("b", {3, 2}, {1, 0, 0, 1, 1, 1})},
                   {Spec("y", DType::kFloat32, {2, 2})}, MatMulOptions(ActivationType::None));
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{4, 5, 10, 11}));
}

TEST_P(MatMulTest, VectorTimesVectorIsAScalar) { ExpectFloatMatMul(GetParam(), {5}, {5}); }
TEST_P(MatMulTest, VectorTimesMatrix) { ExpectFloatMatMul(GetParam(), {4}, {4, 3}); }
TEST_P(MatMulTest, MatrixTimesVector) { ExpectFloatMatMul(GetParam(), {3, 4}, {4}); }
TEST_P(MatMulTest, MatrixTimesMatrix) { ExpectFloatMatMul(GetParam(), {3, 7}, {7, 5}); }
TEST_P(MatMulTest, BatchedTimesMatrix) { ExpectFloatMatMul(GetParam(), {2, 3, 4}, {4, 5}); }
TEST_P(MatMulTest, MatrixTimesBatched) { ExpectFloatMatMul(GetParam(), {3, 4}, {2, 4, 5}); }
TEST_P(MatMulTest, VectorTimesBatched) { ExpectFloatMatMul(GetParam(), {4}, {3, 4, 2}); }
TEST_P(MatMulTest, BatchedTimesVector) { ExpectFloatMatMul(GetParam(), {2, 3, 4}, {4}); }
TEST_P(MatMulTest, ThreeDBothBatched) { ExpectFloatMatMul(GetParam(), {3, 2, 4}, {3, 4, 2}); }
TEST_P(MatMulTest, FourDBroadcastBothWays) {
  ExpectFloatMatMul(GetParam(), {2, 1, 3, 4}, {1, 3, 4, 5});
}
TEST_P(MatMulTest, FourDTimesThreeD) { ExpectFloatMatMul(GetParam(), {2, 3, 2, 4}, {3, 4, 2}); }

TEST_P(MatMulTest, FusedRelu) {
  SingleOpGraph op(OpType::MatMul,
                   {Values<float>("a", {1, 2}, {1, -2}), Values<float>("b", {2, 2}, {1, 1, 1, -1})},
                   {Spec("y", DType::kFloat32, {1, 2})}, MatMulOptions(ActivationType::Relu));
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{0, 3}));
}

template <typename T>
void ExpectQuantizedMatMul(KernelSet kernels, const std::vector<int32_t>& a_shape,
                           const std::vector<int32_t>& b_shape, std::vector<float> b_scales,
                           std::vector<int32_t> b_zero_points) {
  const int32_t low = std::is_same_v<T, int8_t> ? -128 : 0;
  const float a_scale = 0.02f, y_scale = 0.09f;
  const int32_t a_zero_point = low + 140, y_zero_point = low + 100;
  const std::vector<T> a = RandomInts<T>(Count(a_shape), 23, low, low + 255);
  const std::vector<T> b = RandomInts<T>(Count(b_shape), 24, low, low + 255);
  auto channel = [](const std::vector<float>& v, int32_t n) { return v.size() == 1 ? 0 : n; };
  const MatMulReference accumulators =
      NaiveMatMul(a_shape, b_shape, [&](int64_t i, int64_t j, int32_t n) {
        return (static_cast<double>(a[i]) - a_zero_point) *
               (static_cast<double>(b[j]) - b_zero_points[channel(b_scales, n)]);
      });
  const int32_t N = b_shape.size() == 1 ? 1 : b_shape.back();
  double max_multiplier = 0.0;
  for (float s : b_scales) max_multiplier = std::max(max_multiplier, double{a_scale} * s / y_scale);
  std::vector<double> ideal;
  for (size_t i = 0; i < accumulators.values.size(); ++i) {
    const int32_t n = static_cast<int32_t>(i % N);
    const double real = accumulators.values[i] * a_scale * b_scales[channel(b_scales, n)];
    ideal.push_back(IdealQuantized(real, y_scale, y_zero_point));
  }
  TensorDef b_tensor = Values("b", b_shape, b);
  b_tensor.quant = {b_scales, b_zero_points, static_cast<int>(b_shape.size()) - 1};
  SingleOpGraph op(OpType::MatMul,
                   {Quantized(Values("a", a_shape, a), a_scale, a_zero_point), b_tensor},
                   {Quantized(Spec("y", DTypeOf<T>(), accumulators.shape), y_scale, y_zero_point)},
                   MatMulOptions(ActivationType::None));
  const TensorDef y = RunOk(op, kernels);
  EXPECT_EQ(y.shape, accumulators.shape);
  ExpectQuantizedMatchesIdeal(y.Values<T>(), ideal, low, low + 255,
                              FixedPointTieMargin(max_multiplier));
}

TEST_P(MatMulTest, Uint8PerTensorMatchesDoublePrecision) {
  ExpectQuantizedMatMul<uint8_t>(GetParam(), {3, 6}, {6, 4}, {0.012f}, {131});
}

TEST_P(MatMulTest, Int8PerColumnBatchedMatchesDoublePrecision) {
  ExpectQuantizedMatMul<int8_t>(GetParam(), {2, 3, 6}, {6, 3}, {0.01f, 0.021f, 0.0043f}, {0, 0, 0});
}

TEST_P(MatMulTest, Int8VectorTimesMatrixMatchesDoublePrecision) {
  ExpectQuantizedMatMul<int8_t>(GetParam(), {8}, {8, 2}, {0.015f, 0.006f}, {3, -4});
}

TEST_P(MatMulTest, RejectsMismatchedInnerDims) {
  SingleOpGraph op(OpType::MatMul,
                   {Values<float>("a", {2, 3}, std::vector<float>(6)),
                    Values<float>("b", {4, 2}, std::vector<float>(8))},
                   {Spec("y", DType::kFloat32, {2, 2})}, MatMulOptions(ActivationType::None));
  const Status status = op.Load(GetParam());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::strstr(status.message(), "'op'"), nullptr) << status.message();
}

TEST_P(MatMulTest, RejectsBatchDimsThatDoNotBroadcast) {
  SingleOpGraph op(OpType::MatMul,
                   {Values<float>("a", {2, 2, 3}, std::vector<float>(12)),
                    Values<float>("b", {3, 3, 2}, std::vector<float>(18))},
                   {Spec("y", DType::kFloat32, {3, 2, 2})}, MatMulOptions(ActivationType::None));
  EXPECT_FALSE(op.Load(GetParam()).ok());
}

TEST_P(MatMulTest, RejectsAnOutputShapeThatIsNotTheProducts) {
  SingleOpGraph op(OpType::MatMul,
                   {Values<float>("a", {3}, std::vector<float>(3)),
                    Values<float>("b", {3, 2}, std::vector<float>(6))},
                   {Spec("y", DType::kFloat32, {1, 2})}, MatMulOptions(ActivationType::None));
  EXPECT_FALSE(op.Load(GetParam()).ok());
}

TEST_P(MatMulTest, RejectsMixedFloatAndQuantizedOperands) {
  SingleOpGraph op(
      OpType::MatMul,
      {Values<float>("a", {1, 2}, {1, 2}), Quantized(Values<int8_t>("b", {2, 1}, {1, 2}), 0.1f, 0)},
      {Spec("y", DType::kFloat32, {1, 1})}, MatMulOptions(ActivationType::None));
  EXPECT_FALSE(op.Load(GetParam()).ok());
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(MatMulTest);

}  // namespace
}  // namespace tinymlops::kernel_test
