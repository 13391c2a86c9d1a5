// libFuzzer target: arbitrary bytes as a .tmm model. Loading must either fail with a Status or
// give an interpreter that runs on zeroed inputs; nothing may crash, read out of bounds or leak.
// Models whose arena exceeds kMaxInvokedArena load but are not invoked: touching gigabytes
// would only measure the machine (a device refuses such a model by its memory budget).
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "runtime/interpreter.h"
#include "runtime/op_resolver.h"

namespace {

constexpr size_t kMaxInvokedArena = size_t{64} << 20;

const tinymlops::runtime::OpResolver& ReferenceKernels() {
  static const tinymlops::runtime::OpResolver* resolver = [] {
    auto* kernels = new tinymlops::runtime::OpResolver();
    tinymlops::runtime::AddReferenceKernels(*kernels);
    return kernels;
  }();
  return *resolver;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The runtime requires 16-byte aligned model bytes (as mmap gives).
  void* aligned = std::aligned_alloc(16, (size + 15) / 16 * 16 + 16);
  if (size > 0) std::memcpy(aligned, data, size);
  {
    auto interpreter = tinymlops::runtime::Interpreter::Create(aligned, size, ReferenceKernels());
    if (interpreter.ok() && (*interpreter)->arena_bytes() <= kMaxInvokedArena) {
      for (int i = 0; i < (*interpreter)->input_count(); ++i) {
        tinymlops::runtime::Tensor* input = (*interpreter)->input(i);
        std::memset(input->data, 0, input->bytes);
      }
      (void)(*interpreter)->Invoke();
    }
  }  // the interpreter is gone before the bytes it reads
  std::free(aligned);
  return 0;
}
