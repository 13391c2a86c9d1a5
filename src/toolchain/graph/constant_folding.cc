#include "toolchain/graph/constant_folding.h"

#include <algorithm>

#include "toolchain/graph/dead_code_pruning.h"
#include "toolchain/graph/model_session.h"
#include "toolchain/graph/tensor_uses.h"

namespace tinymlops::toolchain {
namespace {

// Runs `op` (all inputs constant) alone and returns its outputs.
Result<std::vector<TensorDef>> EvaluateOp(const Graph& graph, const OpDef& op) {
  Graph single;
  single.name = op.name;
  OpDef copy = op;
  for (int& input : copy.inputs)
    if (input >= 0) input = single.AddTensor(graph.tensors[input]);
  for (int& output : copy.outputs) {
    output = single.AddTensor(graph.tensors[output]);
    single.outputs.push_back(output);
  }
  single.ops.push_back(std::move(copy));
  TMM_ASSIGN_OR_RETURN(std::unique_ptr<ModelSession> session,
                       ModelSession::FromGraph(single, KernelSet::kReference));
  return session->Run(std::vector<TensorDef>());
}

}  // namespace

int FoldConstants(Graph& graph, const std::vector<tmm::OpType>& keep_types) {
  const TensorUses uses = FindTensorUses(graph);
  std::vector<bool> folded(graph.ops.size(), false);
  int count = 0;
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const OpDef& op = graph.ops[i];
    if (std::find(keep_types.begin(), keep_types.end(), op.type) != keep_types.end()) continue;
    bool foldable = !op.outputs.empty();
    for (int input : op.inputs)
      foldable = foldable && (input < 0 || graph.tensors[input].is_constant);
    for (int output : op.outputs)
      foldable = foldable && output >= 0 && !uses.is_graph_output[output] &&
                 graph.tensors[output].ElementCount() <= kMaxFoldedElements;
    if (!foldable) continue;
    Result<std::vector<TensorDef>> values = EvaluateOp(graph, op);
    if (!values.ok() || values->size() != op.outputs.size()) continue;
    for (size_t k = 0; k < op.outputs.size(); ++k) {
      TensorDef& output = graph.tensors[op.outputs[k]];
      output.data = std::move((*values)[k].data);
      output.is_constant = true;
    }
    folded[i] = true;
    ++count;
  }
  RemoveOps(graph, folded);
  return count;
}

}  // namespace tinymlops::toolchain
