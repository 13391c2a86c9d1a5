// The portable reference kernels, one per op type, each defined in its own file
// (conv.cc defines Conv(), ...). They are the oracle the optimized kernels are tested against
// and the microcontroller path: plain C++, no intrinsics, no allocation in eval.
// Each kernel supports float32 and, where the op has a quantized form, int8 and uint8 with
// TensorFlow Lite's integer arithmetic (see runtime/kernels/quantized_math.h).
#ifndef TINYMLOPS_RUNTIME_KERNELS_REFERENCE_REGISTRATIONS_H_
#define TINYMLOPS_RUNTIME_KERNELS_REFERENCE_REGISTRATIONS_H_

#include "runtime/kernel.h"

namespace tinymlops::runtime::reference {

KernelRegistration Conv();
KernelRegistration Gemm();
KernelRegistration MatMul();
KernelRegistration Add();
KernelRegistration Sub();
KernelRegistration Mul();
KernelRegistration Relu();
KernelRegistration Clip();
KernelRegistration Sigmoid();
KernelRegistration Tanh();
KernelRegistration MaxPool();
KernelRegistration AveragePool();
KernelRegistration GlobalAveragePool();
KernelRegistration Softmax();
KernelRegistration Reshape();
KernelRegistration Transpose();
KernelRegistration Concat();
KernelRegistration Pad();
KernelRegistration QuantizeLinear();
KernelRegistration DequantizeLinear();
KernelRegistration BatchNormalization();
KernelRegistration Requantize();

}  // namespace tinymlops::runtime::reference

#endif  // TINYMLOPS_RUNTIME_KERNELS_REFERENCE_REGISTRATIONS_H_
