// QDQ fusion: turns the quantize-dequantize ("QDQ") form of a quantized model into quantized
// ops. For a float Conv, Gemm or MatMul whose
//   - data input comes from a DequantizeLinear of a per-tensor int8/uint8 tensor X,
//   - weight input comes from a DequantizeLinear of an int8/uint8 tensor W (a constant for Conv
//     and Gemm; per-tensor, or per-channel along the output-channel axis),
//   - bias (Conv, Gemm), if any, is a float constant or a DequantizeLinear of an int32 constant
//     with one value per output channel (Gemm: alpha = beta = 1),
//   - output feeds only a QuantizeLinear to a per-tensor int8/uint8 tensor Y,
// the op is rewired to read X and W, a new int32 bias (scale x_scale * w_scale, re-rounded from
// the real bias values) and to write Y; the QuantizeLinear disappears. Fused activations are
// kept. X and Y may differ in dtype (int8 and uint8); mixed_dtype_outputs.h then bridges them.
// DequantizeLinear ops left without consumers are removed later by PruneDeadCode.
// Thread-safety: not thread-safe (edits the graph).
#ifndef TINYMLOPS_TOOLCHAIN_GRAPH_QDQ_FUSION_H_
#define TINYMLOPS_TOOLCHAIN_GRAPH_QDQ_FUSION_H_

#include "toolchain/graph/graph.h"

namespace tinymlops::toolchain {

// Returns the number of ops made quantized.
int FuseQuantizeDequantize(Graph& graph);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_GRAPH_QDQ_FUSION_H_
