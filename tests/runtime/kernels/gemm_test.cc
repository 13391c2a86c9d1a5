// Gemm: float32 against a direct loop over the ONNX definition for every combination of
// transposes, alpha, beta and C broadcast; fused activations; int8/uint8 against a
// double-precision re-derivation; errors for inputs the kernel cannot run.
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

class GemmTest : public KernelSetTest {};

tmm::OpOptionsUnion GemmOptions(bool trans_a, bool trans_b, float alpha = 1.0f, float beta = 1.0f,
                                ActivationType activation = ActivationType::None,
                                float clip_min = 0.0f, float clip_max = 0.0f) {
  tmm::GemmOptionsT options;
  options.trans_a = trans_a;
  options.trans_b = trans_b;
  options.alpha = alpha;
  options.beta = beta;
  options.activation = std::make_unique<tmm::ActivationT>();
  options.activation->type = activation;
  options.activation->clip_min = clip_min;
  options.activation->clip_max = clip_max;
  tmm::OpOptionsUnion union_options;
  union_options.Set(std::move(options));
  return union_options;
}

// Element (row, col) of op(X) where X is stored row-major as [rows, cols], or as [cols, rows]
// when transposed.
double OpElement(const std::vector<double>& x, bool transposed, int32_t rows, int32_t cols,
                 int32_t row, int32_t col) {
  return transposed ? x[static_cast<size_t>(col) * rows + row]
                    : x[static_cast<size_t>(row) * cols + col];
}

// C broadcast to [M, N]: `c_shape` is one of [], [N], [1, N], [M, 1], [M, N].
double BroadcastC(const std::vector<double>& c, const std::vector<int32_t>& c_shape, int32_t m,
                  int32_t n) {
  const int32_t rows = c_shape.size() == 2 ? c_shape[0] : 1;
  const int32_t cols = c_shape.empty() ? 1 : c_shape.back();
  return c[static_cast<size_t>(rows == 1 ? 0 : m) * cols + (cols == 1 ? 0 : n)];
}

// alpha * op(A) * op(B) + beta * C, without activation.
std::vector<double> NaiveGemm(int32_t M, int32_t K, int32_t N, const std::vector<double>& a,
                              bool trans_a, const std::vector<double>& b, bool trans_b,
                              double alpha, const std::vector<double>& c,
                              const std::vector<int32_t>& c_shape, double beta) {
  std::vector<double> y;
  for (int32_t m = 0; m < M; ++m) {
    for (int32_t n = 0; n < N; ++n) {
      double sum = 0.0;
      for (int32_t k = 0; k < K; ++k)
        sum += OpElement(a, trans_a, M, K, m, k) * OpElement(b, trans_b, K, N, k, n);
      y.push_back(alpha * sum + (c.empty() ? 0.0 : beta * BroadcastC(c, c_shape, m, n)));
    }
  }
  return y;
}

std::vector<int32_t> StoredShape(int32_t rows, int32_t cols, bool transposed) {
  return transposed ? std::vector<int32_t>{cols, rows} : std::vector<int32_t>{rows, cols};
}

TEST_P(GemmTest, HandWorked) {
  // [[1, 2], [3, 4]] * [[5, 6], [7, 8]] = [[19, 22], [43, 50]]; * 2 + 0.5 * [10, 20].
  SingleOpGraph op(OpType::Gemm,
                   {Values<float>("a", {2, 2}, {1, 2, 3, 4}),
                    Values<float>("b", {2, 2}, {5, 6, 7, 8}), Values<float>("c", {2}, {10, 20})},
                   {Spec("y", DType::kFloat32, {2, 2})}, GemmOptions(false, false, 2.0f, 0.5f));
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{43, 54, 91, 110}));
}

TEST_P(GemmTest, FloatAllTransposesAndCBroadcasts) {
  const int32_t M = 3, K = 4, N = 5;
  const std::vector<std::vector<int32_t>> c_shapes = {{}, {N}, {1, N}, {M, 1}, {M, N}};
  for (bool trans_a : {false, true}) {
    for (bool trans_b : {false, true}) {
      for (const std::vector<int32_t>& c_shape : c_shapes) {
        SCOPED_TRACE("trans_a " + std::to_string(trans_a) + " trans_b " + std::to_string(trans_b) +
                     " C rank " + std::to_string(c_shape.size()));
        const std::vector<float> a = RandomFloats(M * K, 11);
        const std::vector<float> b = RandomFloats(K * N, 12);
        int64_t c_count = 1;
        for (int32_t d : c_shape) c_count *= d;
        const std::vector<float> c = RandomFloats(c_count, 13);
        SingleOpGraph op(OpType::Gemm,
                         {Values("a", StoredShape(M, K, trans_a), a),
                          Values("b", StoredShape(K, N, trans_b), b), Values("c", c_shape, c)},
                         {Spec("y", DType::kFloat32, {M, N})},
                         GemmOptions(trans_a, trans_b, 0.75f, -1.5f));
        ExpectFloatsNear(RunOk(op, GetParam()).Values<float>(),
                         NaiveGemm(M, K, N, ToDoubles(a), trans_a, ToDoubles(b), trans_b, 0.75,
                                   ToDoubles(c), c_shape, -1.5));
      }
    }
  }
}

TEST_P(GemmTest, FloatConstantWeightsWithoutC) {
  const int32_t M = 2, K = 7, N = 6;
  const std::vector<float> a = RandomFloats(M * K, 14);
  const std::vector<float> b = RandomFloats(K * N, 15);
  SingleOpGraph op(OpType::Gemm, {Values("a", {M, K}, a), Constant(Values("b", {N, K}, b))},
                   {Spec("y", DType::kFloat32, {M, N})}, GemmOptions(false, true));
  ExpectFloatsNear(RunOk(op, GetParam()).Values<float>(),
                   NaiveGemm(M, K, N, ToDoubles(a), false, ToDoubles(b), true, 1.0, {}, {}, 1.0));
}

TEST_P(GemmTest, FloatFusedReluAndClip) {
  const std::vector<float> a = {1, -2};
  const std::vector<float> b = {1, 2, -3, 1, 1, 1};  // [2, 3]: y = [-1, 0, -5]
  SingleOpGraph relu(OpType::Gemm, {Values("a", {1, 2}, a), Values("b", {2, 3}, b)},
                     {Spec("y", DType::kFloat32, {1, 3})},
                     GemmOptions(false, false, 1.0f, 1.0f, ActivationType::Relu));
  EXPECT_EQ(RunOk(relu, GetParam()).Values<float>(), (std::vector<float>{0, 0, 0}));
  SingleOpGraph clip(OpType::Gemm, {Values("a", {1, 2}, a), Values("b", {2, 3}, b)},
                     {Spec("y", DType::kFloat32, {1, 3})},
                     GemmOptions(false, false, 1.0f, 1.0f, ActivationType::Clip, -2.0f, -0.5f));
  EXPECT_EQ(RunOk(clip, GetParam()).Values<float>(), (std::vector<float>{-1, -0.5f, -2}));
}

// Quantized Gemm with per-column weight scales (one per output column) or one scale.
template <typename T>
void ExpectQuantizedGemmMatchesDoublePrecision(KernelSet kernels, bool trans_b,
                                               std::vector<float> b_scales,
                                               std::vector<int32_t> b_zero_points) {
  const int32_t M = 4, K = 9, N = 3;
  const int32_t low = std::is_same_v<T, int8_t> ? -128 : 0;
  const float a_scale = 0.03f, y_scale = 0.07f;
  const int32_t a_zero_point = low + 120, y_zero_point = low + 131;
  const std::vector<T> a = RandomInts<T>(M * K, 16, low, low + 255);
  const std::vector<T> b = RandomInts<T>(K * N, 17, low, low + 255);
  const std::vector<int32_t> c = RandomInts<int32_t>(N, 18, -3000, 3000);
  TensorDef b_tensor = Constant(Values("b", StoredShape(K, N, trans_b), b));
  b_tensor.quant = {b_scales, b_zero_points, trans_b ? 0 : 1};
  SingleOpGraph op(OpType::Gemm,
                   {Quantized(Values("a", {M, K}, a), a_scale, a_zero_point), b_tensor,
                    Constant(Values("c", {N}, c))},
                   {Quantized(Spec("y", DTypeOf<T>(), {M, N}), y_scale, y_zero_point)},
                   GemmOptions(false, trans_b));
  const TensorDef y = RunOk(op, kernels);

  auto index = [](const std::vector<int32_t>& v, int32_t n) { return v.size() == 1 ? 0 : n; };
  double max_multiplier = 0.0;
  for (float s : b_scales) max_multiplier = std::max(max_multiplier, double{a_scale} * s / y_scale);
  std::vector<double> ideal;
  for (int32_t m = 0; m < M; ++m) {
    for (int32_t n = 0; n < N; ++n) {
      double accumulator = c[n];
      for (int32_t k = 0; k < K; ++k) {
        const double b_value = OpElement(ToDoubles(b), trans_b, K, N, k, n);
        accumulator += (static_cast<double>(a[m * K + k]) - a_zero_point) *
                       (b_value - b_zero_points[index(b_zero_points, n)]);
      }
      const double real = accumulator * a_scale * b_scales[b_scales.size() == 1 ? 0 : n];
      ideal.push_back(IdealQuantized(real, y_scale, y_zero_point));
    }
  }
  ExpectQuantizedMatchesIdeal(y.Values<T>(), ideal, low, low + 255,
                              FixedPointTieMargin(max_multiplier));
}

TEST_P(GemmTest, Int8PerColumnScalesMatchDoublePrecision) {
  ExpectQuantizedGemmMatchesDoublePrecision<int8_t>(GetParam(), false, {0.004f, 0.011f, 0.0062f},
                                                    {0, 0, 0});
}

TEST_P(GemmTest, Int8PerColumnScalesWithTransposedBMatchDoublePrecision) {
  ExpectQuantizedGemmMatchesDoublePrecision<int8_t>(GetParam(), true, {0.004f, 0.011f, 0.0062f},
                                                    {0, 0, 0});
}

TEST_P(GemmTest, Uint8WithWeightZeroPointMatchesDoublePrecision) {
  ExpectQuantizedGemmMatchesDoublePrecision<uint8_t>(GetParam(), true, {0.009f}, {119});
}

TEST_P(GemmTest, RejectsMismatchedInnerDims) {
  SingleOpGraph op(OpType::Gemm,
                   {Values<float>("a", {2, 3}, std::vector<float>(6)),
                    Values<float>("b", {4, 2}, std::vector<float>(8))},
                   {Spec("y", DType::kFloat32, {2, 2})}, GemmOptions(false, false));
  const Status status = op.Load(GetParam());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::strstr(status.message(), "'op'"), nullptr) << status.message();
}

TEST_P(GemmTest, RejectsCThatDoesNotBroadcast) {
  SingleOpGraph op(OpType::Gemm,
                   {Values<float>("a", {2, 3}, std::vector<float>(6)),
                    Values<float>("b", {3, 4}, std::vector<float>(12)),
                    Values<float>("c", {3}, std::vector<float>(3))},
                   {Spec("y", DType::kFloat32, {2, 4})}, GemmOptions(false, false));
  EXPECT_FALSE(op.Load(GetParam()).ok());
}

TEST_P(GemmTest, RejectsQuantizedAlphaOtherThanOne) {
  SingleOpGraph op(OpType::Gemm,
                   {Quantized(Values<int8_t>("a", {1, 2}, {1, 2}), 0.1f, 0),
                    Quantized(Constant(Values<int8_t>("b", {2, 1}, {1, 2})), 0.1f, 0)},
                   {Quantized(Spec("y", DType::kInt8, {1, 1}), 0.1f, 0)},
                   GemmOptions(false, false, 2.0f));
  EXPECT_FALSE(op.Load(GetParam()).ok());
}

TEST_P(GemmTest, RejectsInt32Operands) {
  SingleOpGraph op(OpType::Gemm,
                   {Values<int32_t>("a", {1, 2}, {1, 2}), Values<int32_t>("b", {2, 1}, {1, 2})},
                   {Spec("y", DType::kInt32, {1, 1})}, GemmOptions(false, false));
  EXPECT_FALSE(op.Load(GetParam()).ok());
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(GemmTest);

}  // namespace
}  // namespace tinymlops::kernel_test
