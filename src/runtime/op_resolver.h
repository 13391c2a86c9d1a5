// OpResolver: which kernel runs each op type. A build links only the kernels it registers:
// each kernel's registration lives in its own translation unit, so a microcontroller build
// that adds three ops links three kernels.
//
// AddReferenceKernels registers the portable reference kernels for every op (the oracle, and
// the microcontroller path). AddOptimizedKernels then replaces some of them with optimized
// host kernels that must give the same results (bit-exact for integer kernels, within float
// rounding for float kernels); the same tests run against both sets.
// Thread-safety: read-only after setup; share it freely.
#ifndef TINYMLOPS_RUNTIME_OP_RESOLVER_H_
#define TINYMLOPS_RUNTIME_OP_RESOLVER_H_

#include "format/tmm_generated.h"
#include "runtime/kernel.h"

namespace tinymlops::runtime {

class OpResolver {
 public:
  static constexpr int kOpTypeCount = static_cast<int>(tmm::OpType::MAX) + 1;

  // Registers (or replaces) the kernel for `type`.
  void Add(tmm::OpType type, const KernelRegistration& registration);
  // The kernel for `type`, or nullptr when none is registered.
  const KernelRegistration* Find(tmm::OpType type) const;

 private:
  KernelRegistration registrations_[kOpTypeCount] = {};
  bool present_[kOpTypeCount] = {};
};

// Every op with its reference kernel.
void AddReferenceKernels(OpResolver& resolver);
// Every op, with the optimized host kernel where one exists (call on a fresh resolver).
void AddOptimizedKernels(OpResolver& resolver);

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_OP_RESOLVER_H_
