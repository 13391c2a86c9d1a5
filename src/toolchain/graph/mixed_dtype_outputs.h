// Mixed-dtype quantized linear ops: ONNX lets a quantized Conv, Gemm or MatMul (QLinearConv,
// QLinearMatMul, or the QDQ form after qdq_fusion.h) read int8 and write uint8, or the reverse,
// while the kernels write the dtype they read. For every such op, SplitMixedDTypeOutputs makes
// the op write a new tensor of its input's dtype with the output's scale and the output's zero
// point moved by 128 (int8 value v stands for uint8 value v + 128: the same real values, so no
// extra rounding), and inserts right after it a Requantize op from that tensor to the original
// output, which then only shifts every value by 128, exactly. Ops whose input and output dtypes
// already match are left alone. Thread-safety: not thread-safe (edits the graph).
#ifndef TINYMLOPS_TOOLCHAIN_GRAPH_MIXED_DTYPE_OUTPUTS_H_
#define TINYMLOPS_TOOLCHAIN_GRAPH_MIXED_DTYPE_OUTPUTS_H_

#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

// Returns the number of Requantize ops inserted.
int SplitMixedDTypeOutputs(Graph& graph);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_GRAPH_MIXED_DTYPE_OUTPUTS_H_
