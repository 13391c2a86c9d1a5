// Gemm: the reference prepare validates the node. A Gemm whose B is a constant and whose C (if
// any) is a constant with one value per column (a scalar, [N], [1, N], or any C when M is 1)
// then runs on float_linear.h (float32: alpha folded into the packed B, beta into the bias) or
// int8_linear.h (int8/uint8, bit-identical with the reference).
#include "runtime/kernels/optimized/optimized_registrations.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

#include "runtime/kernels/optimized/float_linear.h"
#include "runtime/kernels/optimized/int8_linear.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::optimized {
namespace {

Status Prepare(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(reference::Gemm().prepare(context, node));
  const tmm::GemmOptions* options = node.op->options_as_GemmOptions();
  const Tensor& a = *node.inputs[0];
  const Tensor& b = *node.inputs[1];
  const Tensor* c = node.Input(2);
  if (!b.is_constant || (c && !c->is_constant)) return Status::Ok();
  // The reference prepare has checked that A and B are matrices, that op(A) * op(B) fits Y,
  // the dtypes, and that C broadcasts to [M, N].
  const bool trans_a = options->trans_a(), trans_b = options->trans_b();
  const int rows = trans_a ? a.shape.dims[1] : a.shape.dims[0];
  const int depth = trans_a ? a.shape.dims[0] : a.shape.dims[1];
  const int cols = trans_b ? b.shape.dims[0] : b.shape.dims[1];
  const ptrdiff_t a_row_stride = trans_a ? 1 : a.shape.dims[1];
  const ptrdiff_t a_depth_stride = trans_a ? a.shape.dims[1] : 1;
  const ptrdiff_t b_depth_stride = trans_b ? 1 : b.shape.dims[1];
  const ptrdiff_t b_col_stride = trans_b ? b.shape.dims[1] : 1;
  ptrdiff_t bias_col_stride = 0;
  if (c) {
    const int rank = c->shape.rank;
    const int32_t c_rows = rank == 2 ? c->shape.dims[0] : 1;
    const int32_t c_cols = rank >= 1 ? c->shape.dims[rank - 1] : 1;
    if (c_rows != 1 && rows != 1) return Status::Ok();  // a bias per row: reference
    bias_col_stride = c_cols == 1 ? 0 : 1;
  }
  if (a.dtype == DType::kFloat32) {
    FloatLinearSpec spec;
    spec.rows = rows;
    spec.depth = depth;
    spec.cols = cols;
    spec.a_row_stride = a_row_stride;
    spec.a_depth_stride = a_depth_stride;
    spec.b = {b.Data<float>(), b_depth_stride, b_col_stride};
    spec.b_scale = options->alpha();
    if (c) spec.bias = {c->Data<float>(), 0, bias_col_stride};
    spec.bias_scale = options->beta();
    TMM_RETURN_IF_ERROR(FloatActivationRange(node, options->activation(), &spec.clamp));
    return PrepareFloatLinear(context, node, spec);
  }
#ifdef TINYMLOPS_OPTIMIZED_INT8_LINEAR
  Int8LinearSpec spec;
  spec.rows = rows;
  spec.depth = depth;
  spec.cols = cols;
  spec.a_row_stride = a_row_stride;
  spec.a_depth_stride = a_depth_stride;
  spec.b = &b;
  spec.b_depth_stride = b_depth_stride;
  spec.b_col_stride = b_col_stride;
  spec.b_channel_axis = trans_b ? 0 : 1;
  spec.bias = c ? c->Data<int32_t>() : nullptr;
  spec.bias_col_stride = bias_col_stride;
  spec.activation = options->activation();
  return PrepareInt8Linear(context, node, spec);
#else
  return Status::Ok();  // the reference eval
#endif
}

}  // namespace

KernelRegistration Gemm() { return {"Gemm", Prepare, reference::Gemm().eval}; }

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
