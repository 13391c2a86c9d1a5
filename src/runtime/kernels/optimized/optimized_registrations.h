// The optimized host kernels (AVX-512, see simd.h), one per op type they accelerate. Each
// prepare first runs the reference kernel's prepare (so validation and error messages are the
// reference's), then switches node.eval to an optimized path when the node fits one; any other
// node keeps the reference eval. Float results match the reference within float rounding;
// int8 results are bit-identical.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_OPTIMIZED_REGISTRATIONS_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_OPTIMIZED_REGISTRATIONS_H_

#include "runtime/kernel.h"
#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

namespace tinymlops::runtime::optimized {

KernelRegistration Add();
KernelRegistration AveragePool();
KernelRegistration Conv();
KernelRegistration Gemm();
KernelRegistration GlobalAveragePool();
KernelRegistration MatMul();
KernelRegistration QuantizeLinear();
KernelRegistration Sub();

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_OPTIMIZED_REGISTRATIONS_H_
