#include "runtime/kernels/optimized/optimized_registrations.h"
#include "runtime/op_resolver.h"

namespace tinymlops::runtime {

void AddOptimizedKernels(OpResolver& resolver) {
  AddReferenceKernels(resolver);
#ifdef TINYMLOPS_OPTIMIZED_FLOAT
  resolver.Add(tmm::OpType::Conv, optimized::Conv());
  resolver.Add(tmm::OpType::Gemm, optimized::Gemm());
  resolver.Add(tmm::OpType::MatMul, optimized::MatMul());
#endif
#ifdef TINYMLOPS_OPTIMIZED_AVX512
  resolver.Add(tmm::OpType::Add, optimized::Add());
  resolver.Add(tmm::OpType::AveragePool, optimized::AveragePool());
  resolver.Add(tmm::OpType::GlobalAveragePool, optimized::GlobalAveragePool());
  resolver.Add(tmm::OpType::QuantizeLinear, optimized::QuantizeLinear());
  resolver.Add(tmm::OpType::Sub, optimized::Sub());
#endif
}

}  // namespace tinymlops::runtime
