#include "toolchain/graph/tensor_uses.h"

namespace tinymlops::toolchain {

TensorUses FindTensorUses(const Graph& graph) {
  const size_t count = graph.tensors.size();
  TensorUses uses;
  uses.producer.assign(count, -1);
  uses.consumers.assign(count, {});
  uses.is_graph_output.assign(count, false);
  uses.is_graph_input.assign(count, false);
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    for (int input : graph.ops[i].inputs)
      if (input >= 0) uses.consumers[input].push_back(static_cast<int>(i));
    for (int output : graph.ops[i].outputs)
      if (output >= 0) uses.producer[output] = static_cast<int>(i);
  }
  for (int output : graph.outputs) uses.is_graph_output[output] = true;
  for (int input : graph.inputs) uses.is_graph_input[input] = true;
  return uses;
}

}  // namespace tinymlops::toolchain
