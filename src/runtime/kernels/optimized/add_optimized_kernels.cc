#include "runtime/op_resolver.h"

namespace tinymlops::runtime {

void AddOptimizedKernels(OpResolver& resolver) {
  AddReferenceKernels(resolver);
  // Optimized host kernels replace reference ones here as they land.
}

}  // namespace tinymlops::runtime
