#include "toolchain/onnx/onnx_op_converters.h"

#include <map>

namespace tinymlops::toolchain {

OnnxOpConverter FindOnnxOpConverter(const std::string& op_type) {
  using namespace onnx_converters;  // NOLINT: the table below lists every converter
  static const std::map<std::string, OnnxOpConverter> kConverters = {
      {"Identity", Identity},
      {"Dropout", Identity},
      {"Constant", Constant},
      {"Shape", ShapeOf},
      {"ConstantOfShape", ConstantOfShape},
      {"Gather", Gather},
      {"Slice", Slice},
      {"Cast", Cast},
      {"Unsqueeze", Unsqueeze},
      {"Squeeze", Squeeze},
      {"Reshape", Reshape},
      {"Flatten", Flatten},
      {"Transpose", Transpose},
      {"Concat", Concat},
      {"Pad", Pad},
      {"Conv", Conv},
      {"QLinearConv", QLinearConv},
      {"MaxPool", MaxPool},
      {"AveragePool", AveragePool},
      {"GlobalAveragePool", GlobalAveragePool},
      {"Gemm", Gemm},
      {"MatMul", MatMul},
      {"QLinearMatMul", QLinearMatMul},
      {"Add", Elementwise},
      {"Sub", Elementwise},
      {"Mul", Elementwise},
      {"Div", Elementwise},
      {"Relu", Unary},
      {"Sigmoid", Unary},
      {"Tanh", Unary},
      {"Clip", Clip},
      {"Softmax", Softmax},
      {"BatchNormalization", BatchNormalization},
      {"QuantizeLinear", QuantizeLinear},
      {"DequantizeLinear", DequantizeLinear},
  };
  auto found = kConverters.find(op_type);
  return found == kConverters.end() ? nullptr : found->second;
}

}  // namespace tinymlops::toolchain
