#include "runtime/kernels/optimized/float_linear.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

#include "runtime/kernels/optimized/sgemm.h"

namespace tinymlops::runtime::optimized {
namespace {

struct FloatLinearData {
  int rows, depth, cols;
  ptrdiff_t a_row_stride, a_depth_stride;
  const float* packed_b;
  const float* bias;  // cols values, or nullptr
  FloatRange clamp;
};

Status EvalFloatLinear(Node& node) {
  const auto& data = *static_cast<const FloatLinearData*>(node.user_data);
  GemmPackedB(node.inputs[0]->Data<float>(), data.a_row_stride, data.a_depth_stride, data.rows,
              data.depth, data.packed_b, data.cols, node.outputs[0]->Data<float>(), data.cols,
              GemmEpilogue{data.bias, data.clamp});
  return Status::Ok();
}

}  // namespace

Status PrepareFloatLinear(PrepareContext& context, Node& node, const FloatLinearSpec& spec) {
  if (spec.depth < 1) return Status::Ok();  // an empty product: the reference kernel's
  const size_t packed_floats = PackedColumnPanelsFloats(spec.depth, spec.cols);
  const size_t bias_floats = spec.bias.data ? static_cast<size_t>(spec.cols) : 0;
  const size_t bytes = sizeof(FloatLinearData) + (packed_floats + bias_floats) * sizeof(float) + 16;
  auto* block = static_cast<unsigned char*>(context.AllocatePersistent(bytes));
  if (!block)
    return Status::Error(StatusCode::kResourceExhausted,
                         "%s node '%s': cannot allocate %zu bytes for packed weights",
                         tmm::EnumNameOpType(node.op->type()), node.name, bytes);
  auto* data = reinterpret_cast<FloatLinearData*>(block);
  // The floats start at the first 16-byte boundary after the struct.
  auto* packed = reinterpret_cast<float*>(block + (sizeof(FloatLinearData) + 15) / 16 * 16);
  PackColumnPanels(spec.b.data, spec.b.row_stride, spec.b.column_stride, spec.depth, spec.cols,
                   spec.b_scale, packed);
  float* bias = nullptr;
  if (spec.bias.data) {
    bias = packed + packed_floats;
    for (int j = 0; j < spec.cols; ++j)
      bias[j] = spec.bias_scale * spec.bias.data[j * spec.bias.column_stride];
  }
  *data = FloatLinearData{spec.rows,           spec.depth, spec.cols, spec.a_row_stride,
                          spec.a_depth_stride, packed,     bias,      spec.clamp};
  node.user_data = data;
  node.eval = EvalFloatLinear;
  return Status::Ok();
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
