// BatchNorm folding: a BatchNormalization op (y = x * scale[c] + shift[c], c on axis 1, with
// constant scale and shift) whose input is produced by a float Conv, Gemm (constant B) or
// MatMul (rank-2, constant B) that feeds nothing else is folded into that producer: its weights
// are scaled per output channel and its bias adjusted (created when absent; a MatMul becomes a
// Gemm to carry it). Other BatchNormalization ops stay and run as a per-channel scale and shift.
// Thread-safety: not thread-safe (edits the graph).
#ifndef TINYMLOPS_TOOLCHAIN_GRAPH_BATCHNORM_FOLDING_H_
#define TINYMLOPS_TOOLCHAIN_GRAPH_BATCHNORM_FOLDING_H_

#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

// Returns the number of BatchNormalization ops folded.
int FoldBatchNorms(Graph& graph);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_GRAPH_BATCHNORM_FOLDING_H_
