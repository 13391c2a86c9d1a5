// TensorUses: who produces and who consumes each tensor of a Graph, for the graph passes.
// A snapshot: recompute it after editing the graph. Thread-safety: a value type.
#ifndef TINYMLOPS_TOOLCHAIN_GRAPH_TENSOR_USES_H_
#define TINYMLOPS_TOOLCHAIN_GRAPH_TENSOR_USES_H_

#include <vector>

#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

struct TensorUses {
  std::vector<int> producer;                // op index producing the tensor, or -1
  std::vector<std::vector<int>> consumers;  // op indices reading it (once per input slot)
  std::vector<bool> is_graph_output;
  std::vector<bool> is_graph_input;

  // True when `tensor` is read only by op `op` (in one input slot) and is no graph output:
  // the op is then free to absorb the tensor's producer.
  bool OnlyFeeds(int tensor, int op) const {
    return !is_graph_output[tensor] && consumers[tensor].size() == 1 && consumers[tensor][0] == op;
  }
};

TensorUses FindTensorUses(const Graph& graph);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_GRAPH_TENSOR_USES_H_
