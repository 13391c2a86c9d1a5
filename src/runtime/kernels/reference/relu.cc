// Relu: y = max(x, 0). float32; int8/uint8 quantized (a clamp at the output's zero point, after
// requantization when input and output differ); plain integers. Shared with Clip: clamp_op.h.
#include <limits>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/reference/clamp_op.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {
namespace {

Status Prepare(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(CheckArity(node, 1, 1, 1));
  return PrepareClamp(context, node, {0.0f, std::numeric_limits<float>::infinity()});
}

}  // namespace

KernelRegistration Relu() { return {"Relu", Prepare, EvalClamp}; }

}  // namespace tinymlops::runtime::reference
