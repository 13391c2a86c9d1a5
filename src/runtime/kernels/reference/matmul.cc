// MatMul reference kernel with NumPy matmul semantics: a 1-D A is a row vector and a 1-D B a
// column vector (the added dim is removed from the output), and the batch dims of A and B (all
// but the last two) broadcast against each other. An optional fused activation comes from
// MatMulOptions (absent options mean none).
// Float32, and int8/uint8 A with int8/uint8 B quantized per tensor or per column of B (ONNX
// QLinearMatMul) with TensorFlow Lite's requantization (linear_requantization.h).
#include <new>

#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/broadcast.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/linear_requantization.h"
#include "runtime/kernels/matrix_product.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {
namespace {

struct MatMulParams {
  int32_t rows;           // M
  int32_t depth;          // K
  int32_t cols;           // N
  BroadcastPlan batches;  // over the batch dims, in matrices (not elements)
  FloatRange float_range;
  LinearRequantization requantization;
};

// Calls product(a_matrix, b_matrix, y_matrix) with the element offsets of every output matrix
// and of the A and B matrices it is the product of.
template <typename Product>
void ForEachMatrix(const MatMulParams& p, const Product& product) {
  const int64_t a_size = int64_t{p.rows} * p.depth;
  const int64_t b_size = int64_t{p.depth} * p.cols;
  const int64_t y_size = int64_t{p.rows} * p.cols;
  ForEachBroadcastIndex(p.batches, [&](int64_t y_index, int64_t a_index, int64_t b_index) {
    product(a_index * a_size, b_index * b_size, y_index * y_size);
  });
}

Status EvalFloat(Node& node) {
  const MatMulParams& p = *static_cast<const MatMulParams*>(node.user_data);
  const float* a = node.inputs[0]->Data<float>();
  const float* b = node.inputs[1]->Data<float>();
  float* y = node.outputs[0]->Data<float>();
  ForEachMatrix(p, [&](int64_t a_offset, int64_t b_offset, int64_t y_offset) {
    MatrixProduct<float>(
        p.rows, p.depth, p.cols,
        [&](int32_t m, int32_t k) { return a[a_offset + int64_t{m} * p.depth + k]; },
        [&](int32_t k, int32_t n) { return b[b_offset + int64_t{k} * p.cols + n]; },
        [&](int32_t m, int32_t n, float product) {
          y[y_offset + int64_t{m} * p.cols + n] = p.float_range.Clamp(product);
        });
  });
  return Status::Ok();
}

template <typename A, typename B>
struct QuantizedMatMul {
  static Status Eval(Node& node) {
    const MatMulParams& p = *static_cast<const MatMulParams*>(node.user_data);
    const LinearRequantization& r = p.requantization;
    const A* a = node.inputs[0]->Data<A>();
    const B* b = node.inputs[1]->Data<B>();
    A* y = node.outputs[0]->Data<A>();
    ForEachMatrix(p, [&](int64_t a_offset, int64_t b_offset, int64_t y_offset) {
      MatrixProduct<int32_t>(
          p.rows, p.depth, p.cols,
          [&](int32_t m, int32_t k) { return r.Input(a[a_offset + int64_t{m} * p.depth + k]); },
          [&](int32_t k, int32_t n) { return r.Weight(b[b_offset + int64_t{k} * p.cols + n], n); },
          [&](int32_t m, int32_t n, int32_t accumulator) {
            y[y_offset + int64_t{m} * p.cols + n] = static_cast<A>(r.Output(accumulator, n));
          });
    });
    return Status::Ok();
  }
};

// The first `rank - 2` dims of `shape` (none for a vector or matrix).
Shape BatchDims(const Shape& shape) {
  Shape batch;
  batch.rank = shape.rank > 2 ? shape.rank - 2 : 0;
  for (int i = 0; i < batch.rank; ++i) batch.dims[i] = shape.dims[i];
  return batch;
}

// Checks A, B and Y of `node` under NumPy matmul rules and fills the sizes and batch plan.
Status ReadShapes(const Node& node, MatMulParams* p) {
  const Tensor& a = *node.inputs[0];
  const Tensor& b = *node.inputs[1];
  const Tensor& y = *node.outputs[0];
  const Shape& as = a.shape;
  const Shape& bs = b.shape;
  if (as.rank < 1 || bs.rank < 1)
    return Status::Error(StatusCode::kInvalidArgument,
                         "MatMul node '%s': A '%s' and B '%s' must have rank 1 or more", node.name,
                         a.name, b.name);
  const bool a_is_vector = as.rank == 1;
  const bool b_is_vector = bs.rank == 1;
  p->rows = a_is_vector ? 1 : as.dims[as.rank - 2];
  p->depth = as.dims[as.rank - 1];
  const int32_t b_depth = b_is_vector ? bs.dims[0] : bs.dims[bs.rank - 2];
  p->cols = b_is_vector ? 1 : bs.dims[bs.rank - 1];
  if (b_depth != p->depth)
    return Status::Error(StatusCode::kInvalidArgument,
                         "MatMul node '%s': A '%s' has %d columns but B '%s' has %d rows",
                         node.name, a.name, p->depth, b.name, b_depth);

  // The expected output: broadcast batch dims, then M unless A is a vector, N unless B is.
  const Shape a_batch = BatchDims(as);
  const Shape b_batch = BatchDims(bs);
  Shape batch;
  batch.rank = a_batch.rank > b_batch.rank ? a_batch.rank : b_batch.rank;
  for (int i = 0; i < batch.rank; ++i) {
    const int a_i = i - (batch.rank - a_batch.rank);
    const int b_i = i - (batch.rank - b_batch.rank);
    const int32_t da = a_i >= 0 ? a_batch.dims[a_i] : 1;
    const int32_t db = b_i >= 0 ? b_batch.dims[b_i] : 1;
    if (da != db && da != 1 && db != 1)
      return Status::Error(StatusCode::kInvalidArgument,
                           "MatMul node '%s': batch dims of A '%s' (%d) and B '%s' (%d) do not "
                           "broadcast at batch dim %d",
                           node.name, a.name, da, b.name, db, i);
    batch.dims[i] = da == 1 ? db : da;
  }
  Shape expected = batch;
  if (!a_is_vector) expected.dims[expected.rank++] = p->rows;
  if (!b_is_vector) expected.dims[expected.rank++] = p->cols;
  if (y.shape != expected)
    return Status::Error(StatusCode::kInvalidArgument,
                         "MatMul node '%s': output '%s' has rank %d; A '%s' times B '%s' gives "
                         "rank %d with %d x %d matrices under NumPy matmul rules",
                         node.name, y.name, y.shape.rank, a.name, b.name, expected.rank, p->rows,
                         p->cols);
  return MakeBroadcastPlan(node, a_batch, b_batch, batch, &p->batches);
}

Status Prepare(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(CheckArity(node, 2, 2, 1));
  const tmm::MatMulOptions* options = node.op->options_as_MatMulOptions();
  const tmm::Activation* activation = options ? options->activation() : nullptr;
  const Tensor& a = *node.inputs[0];
  const Tensor& b = *node.inputs[1];
  const Tensor& y = *node.outputs[0];

  auto* p = static_cast<MatMulParams*>(context.AllocatePersistent(sizeof(MatMulParams)));
  if (!p)
    return Status::Error(StatusCode::kResourceExhausted,
                         "MatMul node '%s': out of persistent memory", node.name);
  new (p) MatMulParams();
  TMM_RETURN_IF_ERROR(ReadShapes(node, p));
  node.user_data = p;

  if (a.dtype == DType::kFloat32) {
    TMM_RETURN_IF_ERROR(CheckDType(node, b, DType::kFloat32, "B"));
    TMM_RETURN_IF_ERROR(CheckDType(node, y, DType::kFloat32, "output"));
    TMM_RETURN_IF_ERROR(FloatActivationRange(node, activation, &p->float_range));
    node.eval = EvalFloat;
    return Status::Ok();
  }
  if (a.dtype != DType::kInt8 && a.dtype != DType::kUInt8) return UnsupportedDType(node, a, "A");
  TMM_RETURN_IF_ERROR(PrepareLinearRequantization(context, node, a, b,
                                                  /*weight_channel_axis=*/b.shape.rank - 1, p->cols,
                                                  y, activation, &p->requantization));
  node.eval = QuantizedLinearEval<QuantizedMatMul>(a.dtype, b.dtype);
  return Status::Ok();
}

}  // namespace

KernelRegistration MatMul() { return {"MatMul", Prepare, EvalFloat}; }

}  // namespace tinymlops::runtime::reference
