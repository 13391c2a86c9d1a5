// The kernel interface, in the style of TensorFlow Lite Micro: every op kernel is split into
// `prepare` (runs once at load: checks dtypes and shapes, computes quantization multipliers,
// repacks weights, asks for scratch memory) and `eval` (arithmetic only, no allocation, no
// validation that prepare could have done).
//
// Contract for kernels:
// - prepare receives a Node whose tensors have dtype, shape, quantization and, for constants,
//   data. Activation tensors have no data yet. It returns a precise error for anything it
//   cannot run, naming the op (node.name) and the offending tensor.
// - prepare may replace node.eval with a specialised function (for a dtype or a fast path).
// - eval may use node.user_data (from PrepareContext::AllocatePersistent) and node.scratch
//   (node.scratch_bytes bytes, requested with PrepareContext::RequestScratch). It must not
//   allocate and must not fail on data values: every failure belongs in prepare.
// Thread-safety: kernels keep no global state; one Node is evaluated by one thread at a time.
#ifndef TINYMLOPS_RUNTIME_KERNEL_H_
#define TINYMLOPS_RUNTIME_KERNEL_H_

#include <cstddef>

#include "format/tmm_generated.h"
#include "runtime/status.h"
#include "runtime/tensor.h"

namespace tinymlops::runtime {

struct Node;
class PrepareContext;

using PrepareFn = Status (*)(PrepareContext& context, Node& node);
using EvalFn = Status (*)(Node& node);

struct Node {
  const tmm::Operator* op = nullptr;  // the model's operator: type and options
  const char* name = "";              // the source node name, for error messages
  Tensor* const* inputs = nullptr;    // num_inputs entries; nullptr for an absent optional input
  int num_inputs = 0;
  Tensor* const* outputs = nullptr;
  int num_outputs = 0;
  EvalFn eval = nullptr;
  void* user_data = nullptr;          // set by prepare
  void* scratch = nullptr;            // valid during eval when scratch was requested
  size_t scratch_bytes = 0;

  Tensor* Input(int i) const { return i < num_inputs ? inputs[i] : nullptr; }
  Tensor* Output(int i) const { return i < num_outputs ? outputs[i] : nullptr; }
};

// What a kernel's prepare may ask of the interpreter.
class PrepareContext {
 public:
  virtual ~PrepareContext() = default;
  // Zeroed memory, 16-byte aligned, living as long as the interpreter; nullptr if exhausted.
  virtual void* AllocatePersistent(size_t bytes) = 0;
  // Asks for `bytes` of scratch for `node` during its eval (the largest request wins).
  virtual void RequestScratch(Node& node, size_t bytes) = 0;
};

struct KernelRegistration {
  const char* name = "";
  PrepareFn prepare = nullptr;
  EvalFn eval = nullptr;  // default eval; prepare may override node.eval
};

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_KERNEL_H_
