// Sigmoid: y = 1 / (1 + exp(-x)). float32, and int8/uint8 quantized through a prepare-time table
// built with TensorFlow Lite's fixed-point algorithm (logistic_tanh_op.h, shared by Sigmoid
// and Tanh).
#include "runtime/kernels/reference/logistic_tanh_op.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {

KernelRegistration Sigmoid() { return {"Sigmoid", PrepareLogisticOrTanh, EvalLogisticOrTanh}; }

}  // namespace tinymlops::runtime::reference
