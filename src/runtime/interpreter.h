// Interpreter: runs a verified .tmm model with a static memory plan.
//
// Create() verifies the model (format/model_file.h), binds every tensor to its constant data
// in the model buffer (zero-copy), runs each kernel's prepare, plans one arena for all
// activations and scratch (runtime/arena_planner.h) and allocates it. Invoke() then only runs
// the kernels' eval functions: it performs no heap allocation.
//
// The model bytes must stay valid, unmodified and 16-byte aligned for the interpreter's life
// (an mmap'ed file, or flash on a microcontroller). Inputs are written through input(i)->data
// before Invoke(); outputs are read from output(i)->data after it. Reshape outputs share their
// input's memory.
// Thread-safety: one Invoke() at a time per interpreter; separate interpreters over the same
// model bytes are independent.
#ifndef TINYMLOPS_RUNTIME_INTERPRETER_H_
#define TINYMLOPS_RUNTIME_INTERPRETER_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "format/tmm_generated.h"
#include "runtime/kernel.h"
#include "runtime/op_resolver.h"
#include "runtime/status.h"
#include "runtime/tensor.h"

namespace tinymlops::runtime {

class Interpreter {
 public:
  static Result<std::unique_ptr<Interpreter>> Create(const void* model_data, size_t model_size,
                                                     const OpResolver& resolver);
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // Runs the graph once. Errors only if a kernel reports one.
  Status Invoke();

  // The graph's nodes in execution order, for per-op profiling: Invoke() is InvokeNode(0), ...,
  // InvokeNode(node_count() - 1). A node reads what the nodes before it wrote.
  int node_count() const { return static_cast<int>(nodes_.size()); }
  const Node& node(int i) const { return nodes_[i]; }
  Status InvokeNode(int i) { return nodes_[i].eval(nodes_[i]); }

  int input_count() const { return static_cast<int>(inputs_.size()); }
  int output_count() const { return static_cast<int>(outputs_.size()); }
  Tensor* input(int i) { return inputs_[i]; }
  Tensor* output(int i) { return outputs_[i]; }
  // Index of the input or output with `name`, or -1.
  int FindInput(const char* name) const;
  int FindOutput(const char* name) const;

  const tmm::Model& model() const { return *model_; }
  int tensor_count() const { return static_cast<int>(tensors_.size()); }
  Tensor* tensor(int i) { return &tensors_[i]; }
  // Bytes of the activation + scratch arena, and the liveness lower bound of its plan.
  size_t arena_bytes() const { return arena_bytes_; }
  size_t liveness_lower_bound() const { return liveness_lower_bound_; }

 private:
  class Persistent;
  Interpreter() = default;
  Status Build(const OpResolver& resolver);
  Status PrepareNodes();
  Status PlanArena();

  const tmm::Model* model_ = nullptr;
  std::vector<Tensor> tensors_;
  std::vector<Tensor*> node_tensor_lists_;
  std::vector<Node> nodes_;
  std::vector<PrepareFn> prepare_fns_;  // one per node, from the resolver
  std::vector<Tensor*> inputs_;
  std::vector<Tensor*> outputs_;
  std::unique_ptr<Persistent> persistent_;
  void* arena_ = nullptr;
  size_t arena_bytes_ = 0;
  size_t liveness_lower_bound_ = 0;
};

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_INTERPRETER_H_
