// Removing ops and tensors from a Graph: RemoveOps drops marked ops; PruneDeadCode drops every
// op whose outputs nothing needs (no later op reads them and no graph output is among them),
// then every tensor no op and no graph input or output refers to, renumbering the rest.
// Graph inputs always stay (they are the model's interface). Thread-safety: not thread-safe.
#ifndef TINYMLOPS_TOOLCHAIN_GRAPH_DEAD_CODE_PRUNING_H_
#define TINYMLOPS_TOOLCHAIN_GRAPH_DEAD_CODE_PRUNING_H_

#include <vector>

#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

// Removes the ops i with removed[i] (removed.size() == graph.ops.size()), keeping the order.
void RemoveOps(Graph& graph, const std::vector<bool>& removed);

void PruneDeadCode(Graph& graph);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_GRAPH_DEAD_CODE_PRUNING_H_
