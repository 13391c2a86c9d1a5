// The optimized host kernels (see simd.h), one per op type they accelerate: Conv, Gemm and
// MatMul wherever the float32 kernels build (AVX-512 or AVX2; their int8 paths need AVX-512),
// the others with AVX-512 only. Each
// prepare first runs the reference kernel's prepare (so validation and error messages are the
// reference's), then switches node.eval to an optimized path when the node fits one; any other
// node keeps the reference eval. Float results match the reference within float rounding;
// int8 results are bit-identical.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_OPTIMIZED_REGISTRATIONS_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_OPTIMIZED_REGISTRATIONS_H_

#include "runtime/kernel.h"
#include "runtime/kernels/optimized/simd.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

namespace tinymlops::runtime::optimized {

KernelRegistration Conv();
KernelRegistration Gemm();
KernelRegistration MatMul();

#ifdef TINYMLOPS_OPTIMIZED_AVX512
KernelRegistration Add();
KernelRegistration AveragePool();
KernelRegistration GlobalAveragePool();
KernelRegistration QuantizeLinear();
KernelRegistration Sub();
#endif

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_OPTIMIZED_REGISTRATIONS_H_
