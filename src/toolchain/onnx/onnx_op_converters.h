// The ONNX op converters: one function per supported ONNX op type. A converter validates the
// node (inputs, attributes, opset-specific semantics), infers its outputs' static dtypes and
// shapes, and either appends the equivalent tmm op to the graph, or computes the outputs at
// import when they only depend on constants and shapes (shape-computation ops), or aliases
// them (Identity, Dropout). Errors name the node (OnnxNode::Error).
// Thread-safety: pure functions over the OnnxNode's state.
#ifndef TINYMLOPS_TOOLCHAIN_ONNX_ONNX_OP_CONVERTERS_H_
#define TINYMLOPS_TOOLCHAIN_ONNX_ONNX_OP_CONVERTERS_H_

#include <string>

#include "runtime/status.h"
#include "toolchain/onnx/onnx_node.h"

namespace tinymlops::toolchain {

using OnnxOpConverter = Status (*)(OnnxNode& node);

// The converter of ONNX op `op_type` (default domain), or nullptr when it is unsupported.
OnnxOpConverter FindOnnxOpConverter(const std::string& op_type);

namespace onnx_converters {

// Output 0 of `node` is input 0 under `shape` (same element count): a constant when the input
// is one, else a Reshape op. Shared by Reshape, Flatten, Squeeze and Unsqueeze.
Status EmitReshape(OnnxNode& node, const std::vector<int32_t>& shape);

// onnx_shape_converters.cc: ops that vanish or are evaluated at import.
Status Identity(OnnxNode& node);  // also Dropout in inference
Status Constant(OnnxNode& node);
Status ShapeOf(OnnxNode& node);
Status ConstantOfShape(OnnxNode& node);
Status Gather(OnnxNode& node);
Status Slice(OnnxNode& node);
Status Cast(OnnxNode& node);
Status IntegerArithmetic(OnnxNode& node);  // Add/Sub/Mul/Div of integer constants
Status Unsqueeze(OnnxNode& node);
Status Squeeze(OnnxNode& node);

// onnx_layout_converters.cc
Status Reshape(OnnxNode& node);
Status Flatten(OnnxNode& node);
Status Transpose(OnnxNode& node);
Status Concat(OnnxNode& node);
Status Pad(OnnxNode& node);

// onnx_conv_pool_converters.cc
Status Conv(OnnxNode& node);
Status QLinearConv(OnnxNode& node);
Status MaxPool(OnnxNode& node);
Status AveragePool(OnnxNode& node);
Status GlobalAveragePool(OnnxNode& node);

// onnx_math_converters.cc
Status Gemm(OnnxNode& node);
Status MatMul(OnnxNode& node);
Status QLinearMatMul(OnnxNode& node);
Status Elementwise(OnnxNode& node);  // Add, Sub, Mul, Div (Div only by a constant)
Status Unary(OnnxNode& node);        // Relu, Sigmoid, Tanh
Status Clip(OnnxNode& node);
Status Softmax(OnnxNode& node);
Status BatchNormalization(OnnxNode& node);

// onnx_quant_converters.cc
Status QuantizeLinear(OnnxNode& node);
Status DequantizeLinear(OnnxNode& node);

}  // namespace onnx_converters
}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_ONNX_ONNX_OP_CONVERTERS_H_
