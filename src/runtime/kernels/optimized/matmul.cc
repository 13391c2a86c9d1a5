// MatMul: the reference prepare validates the node. A MatMul whose B is a constant vector or
// matrix then runs on float_linear.h (float32) or int8_linear.h (int8/uint8, bit-identical
// with the reference), every row of A's batch dims as one GEMM row.
#include "runtime/kernels/optimized/optimized_registrations.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

#include "runtime/kernels/optimized/float_linear.h"
#include "runtime/kernels/optimized/int8_linear.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::optimized {
namespace {

Status Prepare(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(reference::MatMul().prepare(context, node));
  const Tensor& a = *node.inputs[0];
  const Tensor& b = *node.inputs[1];
  if (!b.is_constant || b.shape.rank > 2) return Status::Ok();
  // The reference prepare has checked the dtypes, that A's last dim equals B's first and that
  // Y is A's batch dims followed by the product's, so Y is [rows, cols] in memory.
  const int depth = b.shape.dims[0];
  const int cols = b.shape.rank == 2 ? b.shape.dims[1] : 1;
  const int rows = static_cast<int>(a.ElementCount() / depth);
  const tmm::MatMulOptions* options = node.op->options_as_MatMulOptions();
  const tmm::Activation* activation = options ? options->activation() : nullptr;
  if (a.dtype == DType::kFloat32) {
    FloatLinearSpec spec;
    spec.rows = rows;
    spec.depth = depth;
    spec.cols = cols;
    spec.a_row_stride = depth;
    spec.a_depth_stride = 1;
    spec.b = {b.Data<float>(), cols, 1};
    TMM_RETURN_IF_ERROR(FloatActivationRange(node, activation, &spec.clamp));
    return PrepareFloatLinear(context, node, spec);
  }
#ifdef TINYMLOPS_OPTIMIZED_INT8_LINEAR
  Int8LinearSpec spec;
  spec.rows = rows;
  spec.depth = depth;
  spec.cols = cols;
  spec.a_row_stride = depth;
  spec.a_depth_stride = 1;
  spec.b = &b;
  spec.b_depth_stride = cols;
  spec.b_col_stride = 1;
  spec.b_channel_axis = b.shape.rank - 1;
  spec.activation = activation;
  return PrepareInt8Linear(context, node, spec);
#else
  return Status::Ok();  // the reference eval
#endif
}

}  // namespace

KernelRegistration MatMul() { return {"MatMul", Prepare, reference::MatMul().eval}; }

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
