// Constant folding: every op whose inputs are all constants is evaluated once, with the
// reference kernels (toolchain::ModelSession on a one-op graph), and replaced by constant
// outputs. Ops producing a graph output, ops of the types in `keep_types`, ops with an output
// of more than kMaxFoldedElements elements (folding would bloat the model), and ops the kernels
// cannot evaluate stay in the graph unchanged (they then run at inference time as usual).
// Folding proceeds in execution order, so chains of constant ops fold completely.
// Thread-safety: not thread-safe (edits the graph).
#ifndef TINYMLOPS_TOOLCHAIN_GRAPH_CONSTANT_FOLDING_H_
#define TINYMLOPS_TOOLCHAIN_GRAPH_CONSTANT_FOLDING_H_

#include <vector>

#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

constexpr int64_t kMaxFoldedElements = int64_t{1} << 24;

// Returns the number of ops folded.
int FoldConstants(Graph& graph, const std::vector<tmm::OpType>& keep_types = {});

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_GRAPH_CONSTANT_FOLDING_H_
