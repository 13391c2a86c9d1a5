// Conv: the reference prepare validates the node, then the float32 paths of float_conv.h or the
// int8/uint8 paths of int8_conv.h (or, without its integer kernels, int8_float_conv.h) take over
// where they apply.
#include "runtime/kernels/optimized/optimized_registrations.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

#include "runtime/kernels/optimized/float_conv.h"
#include "runtime/kernels/optimized/int8_conv.h"
#include "runtime/kernels/optimized/int8_float_conv.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::optimized {
namespace {

Status Prepare(PrepareContext& context, Node& node) {
  const KernelRegistration reference = reference::Conv();
  TMM_RETURN_IF_ERROR(reference.prepare(context, node));
  if (node.inputs[0]->dtype == DType::kFloat32) return PrepareFloatConv(context, node);
#ifdef TINYMLOPS_OPTIMIZED_INT8_CONV
  return PrepareInt8Conv(context, node);
#else
  return PrepareInt8FloatConv(context, node);
#endif
}

}  // namespace

KernelRegistration Conv() { return {"Conv", Prepare, reference::Conv().eval}; }

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
