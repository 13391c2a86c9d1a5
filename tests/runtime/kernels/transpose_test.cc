// Transpose: several perms against naive index arithmetic, default perm, every element size,
// and rejected perms.
#include <gtest/gtest.h>

#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::OpType;

class TransposeTest : public KernelSetTest {};

tmm::OpOptionsUnion Perm(std::vector<int32_t> perm) {
  tmm::TransposeOptionsT options;
  options.perm = std::move(perm);
  tmm::OpOptionsUnion result;
  result.Set(std::move(options));
  return result;
}

// Transposes x of `shape` by `perm` with explicit coordinates.
template <typename T>
std::vector<T> NaiveTranspose(const std::vector<T>& x, const std::vector<int32_t>& shape,
                              const std::vector<int32_t>& perm) {
  const size_t rank = shape.size();
  std::vector<int32_t> out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = shape[perm[i]];
  std::vector<T> y(x.size());
  for (size_t o = 0; o < y.size(); ++o) {
    std::vector<int64_t> coordinate(rank);
    int64_t rest = static_cast<int64_t>(o);
    for (size_t k = rank; k-- > 0;) {
      coordinate[k] = rest % out_shape[k];
      rest /= out_shape[k];
    }
    std::vector<int64_t> in_coordinate(rank);
    for (size_t i = 0; i < rank; ++i) in_coordinate[perm[i]] = coordinate[i];
    int64_t source = 0;
    for (size_t k = 0; k < rank; ++k) source = source * shape[k] + in_coordinate[k];
    y[o] = x[source];
  }
  return y;
}

template <typename T>
void ExpectTranspose(KernelSet kernels, const std::vector<int32_t>& shape,
                     const std::vector<int32_t>& perm) {
  int64_t count = 1;
  for (int32_t d : shape) count *= d;
  std::vector<T> x(count);
  for (int64_t i = 0; i < count; ++i) x[i] = static_cast<T>(i * 3 + 1);
  std::vector<int32_t> out_shape;
  for (int32_t p : perm) out_shape.push_back(shape[p]);
  SingleOpGraph op(OpType::Transpose, {Values("x", shape, x)}, {Spec("y", DTypeOf<T>(), out_shape)},
                   Perm(perm));
  const TensorDef y = RunOk(op, kernels);
  EXPECT_EQ(y.Values<T>(), NaiveTranspose(x, shape, perm));
}

TEST_P(TransposeTest, Matrix) { ExpectTranspose<float>(GetParam(), {2, 3}, {1, 0}); }
TEST_P(TransposeTest, NchwToNhwc) {
  ExpectTranspose<float>(GetParam(), {2, 3, 4, 5}, {0, 2, 3, 1});
}
TEST_P(TransposeTest, RankSixCycle) {
  ExpectTranspose<int32_t>(GetParam(), {2, 1, 3, 2, 2, 3}, {5, 0, 4, 1, 3, 2});
}
TEST_P(TransposeTest, ByteAndWideElements) {
  ExpectTranspose<uint8_t>(GetParam(), {3, 4, 5}, {2, 0, 1});
  ExpectTranspose<int64_t>(GetParam(), {3, 4, 5}, {1, 2, 0});
}
TEST_P(TransposeTest, IdentityPerm) { ExpectTranspose<int8_t>(GetParam(), {2, 3}, {0, 1}); }

TEST_P(TransposeTest, DefaultPermReversesDims) {
  SingleOpGraph op(OpType::Transpose, {Values<float>("x", {2, 3}, {1, 2, 3, 4, 5, 6})},
                   {Spec("y", DType::kFloat32, {3, 2})});
  EXPECT_EQ(RunOk(op, GetParam()).Values<float>(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST_P(TransposeTest, QuantizationIsCarried) {
  SingleOpGraph op(OpType::Transpose,
                   {Quantized(Values<int8_t>("x", {2, 2}, {1, 2, 3, 4}), 0.5f, 3)},
                   {Quantized(Spec("y", DType::kInt8, {2, 2}), 0.5f, 3)}, Perm({1, 0}));
  EXPECT_EQ(RunOk(op, GetParam()).Values<int8_t>(), (std::vector<int8_t>{1, 3, 2, 4}));
  SingleOpGraph changed(OpType::Transpose,
                        {Quantized(Values<int8_t>("x", {2, 2}, {1, 2, 3, 4}), 0.5f, 3)},
                        {Quantized(Spec("y", DType::kInt8, {2, 2}), 0.25f, 3)}, Perm({1, 0}));
  EXPECT_EQ(changed.Load(GetParam()).code(), StatusCode::kInvalidArgument);
}

TEST_P(TransposeTest, BadPermsAreRejected) {
  for (const std::vector<int32_t>& perm :
       {std::vector<int32_t>{0, 0}, std::vector<int32_t>{0, 2}, std::vector<int32_t>{0}}) {
    SingleOpGraph op(OpType::Transpose, {Values<float>("x", {2, 2}, {1, 2, 3, 4})},
                     {Spec("y", DType::kFloat32, {2, 2})}, Perm(perm));
    EXPECT_EQ(op.Load(GetParam()).code(), StatusCode::kInvalidArgument);
  }
  SingleOpGraph wrong_shape(OpType::Transpose, {Values<float>("x", {2, 3}, std::vector<float>(6))},
                            {Spec("y", DType::kFloat32, {2, 3})}, Perm({1, 0}));
  EXPECT_EQ(wrong_shape.Load(GetParam()).code(), StatusCode::kInvalidArgument);
}

TMM_INSTANTIATE_FOR_KERNEL_SETS(TransposeTest);

}  // namespace
}  // namespace tinymlops::kernel_test
