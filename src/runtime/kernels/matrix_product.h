// MatrixProduct: the plain triple loop of a matrix product, shared by the Gemm and MatMul
// reference kernels. The caller supplies element access (so transposes, broadcast batches and
// zero-point offsets stay at the call site) and the output stage (bias, scaling, activation,
// requantization, storing). No allocation; the caller's prepare has validated all sizes.
// Thread-safety: a pure function of its arguments.
#ifndef TINYMLOPS_RUNTIME_KERNELS_MATRIX_PRODUCT_H_
#define TINYMLOPS_RUNTIME_KERNELS_MATRIX_PRODUCT_H_

#include <cstdint>

namespace tinymlops::runtime {

// For every row m < rows and column n < cols, in row-major order:
//   store(m, n, sum over k < depth of a(m, k) * b(k, n))
// accumulated in Accumulator from zero, in increasing k.
template <typename Accumulator, typename AElement, typename BElement, typename Store>
void MatrixProduct(int32_t rows, int32_t depth, int32_t cols, const AElement& a, const BElement& b,
                   const Store& store) {
  for (int32_t m = 0; m < rows; ++m) {
    for (int32_t n = 0; n < cols; ++n) {
      Accumulator accumulator = 0;
      for (int32_t k = 0; k < depth; ++k) accumulator += a(m, k) * b(k, n);
      store(m, n, accumulator);
    }
  }
}

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_KERNELS_MATRIX_PRODUCT_H_
