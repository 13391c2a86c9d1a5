// Activation fusion: a Relu or Clip whose input is produced by a Conv, Gemm, MatMul, Add, Sub
// or Mul that feeds nothing else (and is no graph output) becomes that producer's fused
// Activation (tmm ActivationType Relu, or Clip with the clip bounds), and disappears. The
// producer must not already carry an activation, and the activation's output must have the
// producer output's dtype and quantization. Thread-safety: not thread-safe (edits the graph).
#ifndef TINYMLOPS_TOOLCHAIN_GRAPH_ACTIVATION_FUSION_H_
#define TINYMLOPS_TOOLCHAIN_GRAPH_ACTIVATION_FUSION_H_

#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

// Returns the number of activations fused.
int FuseActivations(Graph& graph);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_GRAPH_ACTIVATION_FUSION_H_
