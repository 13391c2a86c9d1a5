// Mul: elementwise with NumPy broadcasting and a fused activation; the arithmetic for every
// dtype lives in binary_op.h, shared with the other two-input elementwise ops.
#include "runtime/kernels/reference/binary_op.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {

KernelRegistration Mul() { return {"Mul", PrepareBinaryOp, EvalBinaryOp}; }

}  // namespace tinymlops::runtime::reference
