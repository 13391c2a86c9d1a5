// Gemm reference kernel: Y = alpha * op(A) * op(B) + beta * C with op the optional transpose,
// C optional and broadcast unidirectionally to [M, N] (scalar, [N], [1, N], [M, 1], [M, N]),
// and a fused activation. A and B may be constants or activations.
// Float32, and int8/uint8 A with int8/uint8 B quantized per tensor or per column of op(B),
// int32 C as bias, alpha = beta = 1 and TensorFlow Lite's requantization
// (linear_requantization.h).
#include <new>

#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/linear_requantization.h"
#include "runtime/kernels/matrix_product.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {
namespace {

struct GemmParams {
  int32_t rows;   // M
  int32_t depth;  // K
  int32_t cols;   // N
  // Element (m, k) of op(A) is A[m * a_row_stride + k * a_depth_stride]; likewise for op(B)
  // and C (whose strides are 0 along broadcast dims).
  int64_t a_row_stride, a_depth_stride;
  int64_t b_depth_stride, b_col_stride;
  int64_t c_row_stride, c_col_stride;
  float alpha;
  float beta;
  FloatRange float_range;
  LinearRequantization requantization;
};

Status EvalFloat(Node& node) {
  const GemmParams& p = *static_cast<const GemmParams*>(node.user_data);
  const float* a = node.inputs[0]->Data<float>();
  const float* b = node.inputs[1]->Data<float>();
  const Tensor* c_tensor = node.Input(2);
  const float* c = c_tensor ? c_tensor->Data<float>() : nullptr;
  float* y = node.outputs[0]->Data<float>();
  MatrixProduct<float>(
      p.rows, p.depth, p.cols,
      [&](int32_t m, int32_t k) { return a[m * p.a_row_stride + k * p.a_depth_stride]; },
      [&](int32_t k, int32_t n) { return b[k * p.b_depth_stride + n * p.b_col_stride]; },
      [&](int32_t m, int32_t n, float product) {
        float value = p.alpha * product;
        if (c) value += p.beta * c[m * p.c_row_stride + n * p.c_col_stride];
        y[int64_t{m} * p.cols + n] = p.float_range.Clamp(value);
      });
  return Status::Ok();
}

template <typename A, typename B>
struct QuantizedGemm {
  static Status Eval(Node& node) {
    const GemmParams& p = *static_cast<const GemmParams*>(node.user_data);
    const LinearRequantization& r = p.requantization;
    const A* a = node.inputs[0]->Data<A>();
    const B* b = node.inputs[1]->Data<B>();
    const Tensor* c_tensor = node.Input(2);
    const int32_t* c = c_tensor ? c_tensor->Data<int32_t>() : nullptr;
    A* y = node.outputs[0]->Data<A>();
    MatrixProduct<int32_t>(
        p.rows, p.depth, p.cols,
        [&](int32_t m, int32_t k) { return r.Input(a[m * p.a_row_stride + k * p.a_depth_stride]); },
        [&](int32_t k, int32_t n) {
          return r.Weight(b[k * p.b_depth_stride + n * p.b_col_stride], n);
        },
        [&](int32_t m, int32_t n, int32_t accumulator) {
          if (c) accumulator += c[m * p.c_row_stride + n * p.c_col_stride];
          y[int64_t{m} * p.cols + n] = static_cast<A>(r.Output(accumulator, n));
        });
    return Status::Ok();
  }
};

// Reads the sizes and strides of op(A) [M, K], op(B) [K, N] and Y [M, N] into `p`.
Status ReadMatrixShapes(const Node& node, bool trans_a, bool trans_b, GemmParams* p) {
  const Tensor& a = *node.inputs[0];
  const Tensor& b = *node.inputs[1];
  const Tensor& y = *node.outputs[0];
  if (a.shape.rank != 2 || b.shape.rank != 2)
    return Status::Error(StatusCode::kInvalidArgument,
                         "Gemm node '%s': A '%s' (rank %d) and B '%s' (rank %d) must be matrices",
                         node.name, a.name, a.shape.rank, b.name, b.shape.rank);
  const int32_t a_rows = a.shape.dims[0], a_cols = a.shape.dims[1];
  const int32_t b_rows = b.shape.dims[0], b_cols = b.shape.dims[1];
  p->rows = trans_a ? a_cols : a_rows;
  p->depth = trans_a ? a_rows : a_cols;
  p->cols = trans_b ? b_rows : b_cols;
  const int32_t b_depth = trans_b ? b_cols : b_rows;
  if (b_depth != p->depth)
    return Status::Error(StatusCode::kInvalidArgument,
                         "Gemm node '%s': op(A) of '%s' is [%d, %d] but op(B) of '%s' is [%d, %d]; "
                         "the inner dims must agree (check trans_a / trans_b)",
                         node.name, a.name, p->rows, p->depth, b.name, b_depth, p->cols);
  if (y.shape.rank != 2 || y.shape.dims[0] != p->rows || y.shape.dims[1] != p->cols)
    return Status::Error(StatusCode::kInvalidArgument,
                         "Gemm node '%s': output '%s' must have shape [%d, %d]", node.name, y.name,
                         p->rows, p->cols);
  p->a_row_stride = trans_a ? 1 : a_cols;
  p->a_depth_stride = trans_a ? a_cols : 1;
  p->b_depth_stride = trans_b ? 1 : b_cols;
  p->b_col_stride = trans_b ? b_cols : 1;
  return Status::Ok();
}

// Reads the broadcast strides of C (rank 0 to 2, each dim 1 or the matching dim of [M, N]).
Status ReadBiasStrides(const Node& node, const Tensor& c, GemmParams* p) {
  const int rank = c.shape.rank;
  const int32_t c_rows = rank == 2 ? c.shape.dims[0] : 1;
  const int32_t c_cols = rank >= 1 ? c.shape.dims[rank - 1] : 1;
  if (rank > 2 || (c_rows != 1 && c_rows != p->rows) || (c_cols != 1 && c_cols != p->cols))
    return Status::Error(StatusCode::kInvalidArgument,
                         "Gemm node '%s': C '%s' (rank %d) does not broadcast to [%d, %d]; it "
                         "must be a scalar, [N], [1 or M, 1 or N]",
                         node.name, c.name, rank, p->rows, p->cols);
  p->c_row_stride = c_rows == 1 ? 0 : c_cols;
  p->c_col_stride = c_cols == 1 ? 0 : 1;
  return Status::Ok();
}

Status Prepare(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(CheckArity(node, 2, 3, 1));
  const tmm::GemmOptions* options = node.op->options_as_GemmOptions();
  if (!options) return MissingOptions(node, "GemmOptions");
  const Tensor& a = *node.inputs[0];
  const Tensor& b = *node.inputs[1];
  const Tensor* c = node.Input(2);
  const Tensor& y = *node.outputs[0];

  auto* p = static_cast<GemmParams*>(context.AllocatePersistent(sizeof(GemmParams)));
  if (!p)
    return Status::Error(StatusCode::kResourceExhausted, "Gemm node '%s': out of persistent memory",
                         node.name);
  new (p) GemmParams();
  TMM_RETURN_IF_ERROR(ReadMatrixShapes(node, options->trans_a(), options->trans_b(), p));
  if (c) TMM_RETURN_IF_ERROR(ReadBiasStrides(node, *c, p));
  p->alpha = options->alpha();
  p->beta = options->beta();
  node.user_data = p;

  if (a.dtype == DType::kFloat32) {
    TMM_RETURN_IF_ERROR(CheckDType(node, b, DType::kFloat32, "B"));
    if (c) TMM_RETURN_IF_ERROR(CheckDType(node, *c, DType::kFloat32, "C"));
    TMM_RETURN_IF_ERROR(CheckDType(node, y, DType::kFloat32, "output"));
    TMM_RETURN_IF_ERROR(FloatActivationRange(node, options->activation(), &p->float_range));
    node.eval = EvalFloat;
    return Status::Ok();
  }
  if (a.dtype != DType::kInt8 && a.dtype != DType::kUInt8) return UnsupportedDType(node, a, "A");
  if (p->alpha != 1.0f || (c && p->beta != 1.0f))
    return Status::Error(StatusCode::kUnsupported,
                         "Gemm node '%s': quantized Gemm needs alpha = beta = 1 (got %g, %g); "
                         "fold them into the scales when quantizing",
                         node.name, static_cast<double>(p->alpha), static_cast<double>(p->beta));
  const int b_channel_axis = options->trans_b() ? 0 : 1;
  TMM_RETURN_IF_ERROR(PrepareLinearRequantization(context, node, a, b, b_channel_axis, p->cols, y,
                                                  options->activation(), &p->requantization));
  if (c) TMM_RETURN_IF_ERROR(CheckQuantizedBias(node, *c, a, b, p->cols));
  node.eval = QuantizedLinearEval<QuantizedGemm>(a.dtype, b.dtype);
  return Status::Ok();
}

}  // namespace

KernelRegistration Gemm() { return {"Gemm", Prepare, EvalFloat}; }

}  // namespace tinymlops::runtime::reference
