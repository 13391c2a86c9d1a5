#include "toolchain/graph/dead_code_pruning.h"

namespace tinymlops::toolchain {

void RemoveOps(Graph& graph, const std::vector<bool>& removed) {
  std::vector<OpDef> kept;
  kept.reserve(graph.ops.size());
  for (size_t i = 0; i < graph.ops.size(); ++i)
    if (!removed[i]) kept.push_back(std::move(graph.ops[i]));
  graph.ops = std::move(kept);
}

void PruneDeadCode(Graph& graph) {
  std::vector<bool> needed(graph.tensors.size(), false);
  for (int output : graph.outputs) needed[output] = true;
  std::vector<bool> dead(graph.ops.size(), false);
  for (int i = static_cast<int>(graph.ops.size()) - 1; i >= 0; --i) {
    const OpDef& op = graph.ops[i];
    bool live = false;
    for (int output : op.outputs) live = live || (output >= 0 && needed[output]);
    dead[i] = !live;
    if (live)
      for (int input : op.inputs)
        if (input >= 0) needed[input] = true;
  }
  RemoveOps(graph, dead);

  std::vector<int> remap(graph.tensors.size(), -1);
  std::vector<TensorDef> kept;
  auto keep = [&](int& index) {
    if (index < 0) return;
    if (remap[index] < 0) {
      remap[index] = static_cast<int>(kept.size());
      kept.push_back(std::move(graph.tensors[index]));
    }
    index = remap[index];
  };
  // Number tensors in the order they first appear: inputs, then each op, then outputs.
  for (int& input : graph.inputs) keep(input);
  for (OpDef& op : graph.ops) {
    for (int& input : op.inputs) keep(input);
    for (int& output : op.outputs) keep(output);
  }
  for (int& output : graph.outputs) keep(output);
  graph.tensors = std::move(kept);
}

}  // namespace tinymlops::toolchain
