#include "toolchain/graph/mixed_dtype_outputs.h"

#include <cstddef>
#include <string>
#include <utility>

namespace tinymlops::toolchain {
namespace {

// The offset between the zero points of int8 and uint8 tensors holding the same real values.
constexpr int32_t kInt8ToUInt8Offset = 128;

bool IsInt8Like(DType dtype) { return dtype == DType::kInt8 || dtype == DType::kUInt8; }

bool IsMixedDTypeLinearOp(const Graph& graph, const OpDef& op) {
  if (op.type != tmm::OpType::Conv && op.type != tmm::OpType::Gemm &&
      op.type != tmm::OpType::MatMul)
    return false;
  if (op.inputs.empty() || op.inputs[0] < 0 || op.outputs.size() != 1) return false;
  const TensorDef& input = graph.tensors[op.inputs[0]];
  const TensorDef& output = graph.tensors[op.outputs[0]];
  return IsInt8Like(input.dtype) && IsInt8Like(output.dtype) && input.dtype != output.dtype &&
         output.quant.scale.size() == 1;
}

}  // namespace

int SplitMixedDTypeOutputs(Graph& graph) {
  int count = 0;
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    if (!IsMixedDTypeLinearOp(graph, graph.ops[i])) continue;
    const int output = graph.ops[i].outputs[0];
    const DType input_dtype = graph.tensors[graph.ops[i].inputs[0]].dtype;
    TensorDef same_dtype = graph.tensors[output];
    same_dtype.name += std::string("/") + runtime::DTypeName(input_dtype);
    same_dtype.dtype = input_dtype;
    same_dtype.quant.zero_point[0] +=
        same_dtype.dtype == DType::kInt8 ? -kInt8ToUInt8Offset : kInt8ToUInt8Offset;
    const int bridge = graph.AddTensor(std::move(same_dtype));
    graph.ops[i].outputs[0] = bridge;
    OpDef requantize;
    requantize.type = tmm::OpType::Requantize;
    requantize.name = graph.ops[i].name + "/requantize";
    requantize.inputs = {bridge};
    requantize.outputs = {output};
    graph.ops.insert(graph.ops.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::move(requantize));
    ++i;  // skip the inserted op
    ++count;
  }
  return count;
}

}  // namespace tinymlops::toolchain
