// ModelSession: host-side convenience over the runtime Interpreter for the toolchain, the CLI
// and tests: owns a 16-byte aligned copy of .tmm bytes, loads it with the chosen kernel set,
// and runs it on TensorDef inputs, returning TensorDef outputs.
// Errors: the model fails to load; an input is missing, of the wrong dtype or shape.
// Thread-safety: one Run() at a time.
#ifndef TINYMLOPS_TOOLCHAIN_GRAPH_MODEL_SESSION_H_
#define TINYMLOPS_TOOLCHAIN_GRAPH_MODEL_SESSION_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/interpreter.h"
#include "runtime/status.h"
#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

enum class KernelSet { kReference, kOptimized };

class ModelSession {
 public:
  static Result<std::unique_ptr<ModelSession>> Load(const std::vector<uint8_t>& tmm_bytes,
                                                    KernelSet kernels);
  // Writes `graph` to .tmm (toolchain/graph/tmm_writer.h) and loads it.
  static Result<std::unique_ptr<ModelSession>> FromGraph(const Graph& graph, KernelSet kernels);
  ~ModelSession();

  // Runs once; `inputs` maps every graph input name to a tensor of its dtype and shape.
  Result<std::vector<TensorDef>> Run(const std::map<std::string, TensorDef>& inputs);
  // Runs once with inputs given in graph-input order.
  Result<std::vector<TensorDef>> Run(const std::vector<TensorDef>& inputs);

  runtime::Interpreter& interpreter() { return *interpreter_; }

 private:
  ModelSession() = default;
  Result<std::vector<TensorDef>> RunBound();

  uint8_t* bytes_ = nullptr;
  size_t size_ = 0;
  std::unique_ptr<runtime::Interpreter> interpreter_;
};

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_GRAPH_MODEL_SESSION_H_
