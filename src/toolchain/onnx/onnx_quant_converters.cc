// Converters of QuantizeLinear and DequantizeLinear: the scale and zero point (constants)
// become the quantized tensor's QuantInfo; the op keeps only the data input.
#include "toolchain/onnx/onnx_op_converters.h"
#include "toolchain/onnx/onnx_quantization.h"
#include "toolchain/onnx/onnx_shape_util.h"

namespace tinymlops::toolchain::onnx_converters {
namespace {

// The axis attribute (opset 13) or, before it, the only allowed per-tensor form.
Result<int64_t> QuantAxis(const OnnxNode& node) {
  if (node.opset() < 13) {
    if (node.FindAttribute("axis"))
      return node.Error(StatusCode::kInvalidArgument, "'axis' needs opset 13 or later");
    return int64_t{1};
  }
  return node.IntAttribute("axis", 1);
}

Status CheckPerTensorBeforeOpset13(const OnnxNode& node, const QuantInfo& quant) {
  if (node.opset() < 13 && quant.scale.size() != 1)
    return node.Error(StatusCode::kInvalidArgument, "per-axis scales need opset 13 or later");
  return Status::Ok();
}

}  // namespace

Status QuantizeLinear(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(2, 3, 1, 1));
  const Shape shape = node.InputTensor(0).shape;
  if (node.InputTensor(0).dtype != DType::kFloat32)
    return node.Error(StatusCode::kUnsupported, "input must be float, it is %s",
                      runtime::DTypeName(node.InputTensor(0).dtype));
  TMM_ASSIGN_OR_RETURN(int64_t axis, QuantAxis(node));
  DType dtype = DType::kUInt8;  // ONNX's type when the zero point is absent
  TMM_ASSIGN_OR_RETURN(QuantInfo quant, ReadQuantInfo(node, 1, 2, axis, shape, &dtype));
  TMM_RETURN_IF_ERROR(CheckPerTensorBeforeOpset13(node, quant));
  if (dtype != DType::kInt8 && dtype != DType::kUInt8)
    return node.Error(StatusCode::kUnsupported, "output must be int8 or uint8, it is %s",
                      runtime::DTypeName(dtype));
  const int output = node.AddOutput(0, dtype, shape);
  node.graph().tensors[output].quant = quant;
  node.AddOp(tmm::OpType::QuantizeLinear, {node.Input(0)}, {output});
  return Status::Ok();
}

Status DequantizeLinear(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(2, 3, 1, 1));
  const Shape shape = node.InputTensor(0).shape;
  const DType input_dtype = node.InputTensor(0).dtype;
  if (input_dtype != DType::kInt8 && input_dtype != DType::kUInt8 && input_dtype != DType::kInt32)
    return node.Error(StatusCode::kUnsupported, "input must be int8, uint8 or int32, it is %s",
                      runtime::DTypeName(input_dtype));
  TMM_ASSIGN_OR_RETURN(int64_t axis, QuantAxis(node));
  DType zero_point_dtype = input_dtype;
  TMM_ASSIGN_OR_RETURN(QuantInfo quant, ReadQuantInfo(node, 1, 2, axis, shape, &zero_point_dtype));
  TMM_RETURN_IF_ERROR(CheckPerTensorBeforeOpset13(node, quant));
  if (zero_point_dtype != input_dtype)
    return node.Error(StatusCode::kInvalidArgument, "zero point is %s but the input is %s",
                      runtime::DTypeName(zero_point_dtype), runtime::DTypeName(input_dtype));
  TMM_ASSIGN_OR_RETURN(int input, QuantizedInput(node, 0, quant));
  const int output = node.AddOutput(0, DType::kFloat32, shape);
  node.AddOp(tmm::OpType::DequantizeLinear, {input}, {output});
  return Status::Ok();
}

}  // namespace tinymlops::toolchain::onnx_converters
