#include "runtime/kernels/reference/registrations.h"
#include "runtime/op_resolver.h"

namespace tinymlops::runtime {

void AddReferenceKernels(OpResolver& resolver) {
  using tmm::OpType;
  resolver.Add(OpType::Conv, reference::Conv());
  resolver.Add(OpType::Gemm, reference::Gemm());
  resolver.Add(OpType::MatMul, reference::MatMul());
  resolver.Add(OpType::Add, reference::Add());
  resolver.Add(OpType::Sub, reference::Sub());
  resolver.Add(OpType::Mul, reference::Mul());
  resolver.Add(OpType::Relu, reference::Relu());
  resolver.Add(OpType::Clip, reference::Clip());
  resolver.Add(OpType::Sigmoid, reference::Sigmoid());
  resolver.Add(OpType::Tanh, reference::Tanh());
  resolver.Add(OpType::MaxPool, reference::MaxPool());
  resolver.Add(OpType::AveragePool, reference::AveragePool());
  resolver.Add(OpType::GlobalAveragePool, reference::GlobalAveragePool());
  resolver.Add(OpType::Softmax, reference::Softmax());
  resolver.Add(OpType::Reshape, reference::Reshape());
  resolver.Add(OpType::Transpose, reference::Transpose());
  resolver.Add(OpType::Concat, reference::Concat());
  resolver.Add(OpType::Pad, reference::Pad());
  resolver.Add(OpType::QuantizeLinear, reference::QuantizeLinear());
  resolver.Add(OpType::DequantizeLinear, reference::DequantizeLinear());
  resolver.Add(OpType::BatchNormalization, reference::BatchNormalization());
  resolver.Add(OpType::Requantize, reference::Requantize());
}

}  // namespace tinymlops::runtime
