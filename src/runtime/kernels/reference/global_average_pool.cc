// GlobalAveragePool reference kernel: the mean of every (batch, channel) plane over all its
// spatial dims, on input [N, C, spatial...] into output [N, C, 1, ...] of the same rank.
// Float32, and int8/uint8 with an integer sum and integer-only rescaling
// (quantized_average.h).
#include <new>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/quantized_average.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {
namespace {

struct GlobalAveragePoolParams {
  int64_t planes;      // N * C
  int32_t plane_size;  // elements averaged into one output
  QuantizedAverage quantized;
};

Status EvalFloat(Node& node) {
  const GlobalAveragePoolParams& p = *static_cast<const GlobalAveragePoolParams*>(node.user_data);
  const float* x = node.inputs[0]->Data<float>();
  float* y = node.outputs[0]->Data<float>();
  for (int64_t plane = 0; plane < p.planes; ++plane) {
    float sum = 0.0f;
    for (int32_t i = 0; i < p.plane_size; ++i) sum += *x++;
    y[plane] = sum / static_cast<float>(p.plane_size);
  }
  return Status::Ok();
}

template <typename T>
Status EvalQuantized(Node& node) {
  const GlobalAveragePoolParams& p = *static_cast<const GlobalAveragePoolParams*>(node.user_data);
  const T* x = node.inputs[0]->Data<T>();
  T* y = node.outputs[0]->Data<T>();
  for (int64_t plane = 0; plane < p.planes; ++plane) {
    int32_t sum = 0;
    for (int32_t i = 0; i < p.plane_size; ++i) sum += p.quantized.Input(*x++);
    y[plane] = static_cast<T>(p.quantized.Average(sum, p.plane_size));
  }
  return Status::Ok();
}

Status CheckShapes(const Node& node, const Tensor& x, const Tensor& y) {
  bool valid = x.shape.rank >= 3 && y.shape.rank == x.shape.rank &&
               y.shape.dims[0] == x.shape.dims[0] && y.shape.dims[1] == x.shape.dims[1];
  for (int i = 2; valid && i < y.shape.rank; ++i)
    valid = y.shape.dims[i] == 1 && x.shape.dims[i] > 0;
  if (!valid)
    return Status::Error(StatusCode::kInvalidArgument,
                         "GlobalAveragePool node '%s': input '%s' must be [N, C, spatial...] "
                         "with non-empty spatial dims and output '%s' [N, C, 1, ...] of the same "
                         "rank",
                         node.name, x.name, y.name);
  // Quantized sums of up to 2^23 elements of magnitude 255 fit int32.
  if (x.ElementCount() / (int64_t{x.shape.dims[0]} * x.shape.dims[1]) > (int64_t{1} << 23))
    return Status::Error(StatusCode::kUnsupported,
                         "GlobalAveragePool node '%s': input '%s' has more than 2^23 elements "
                         "per channel",
                         node.name, x.name);
  return Status::Ok();
}

Status Prepare(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(CheckArity(node, 1, 1, 1));
  const Tensor& x = *node.inputs[0];
  const Tensor& y = *node.outputs[0];
  TMM_RETURN_IF_ERROR(CheckShapes(node, x, y));
  auto* p = static_cast<GlobalAveragePoolParams*>(
      context.AllocatePersistent(sizeof(GlobalAveragePoolParams)));
  if (!p)
    return Status::Error(StatusCode::kResourceExhausted,
                         "GlobalAveragePool node '%s': out of persistent memory", node.name);
  new (p) GlobalAveragePoolParams();
  p->planes = int64_t{x.shape.dims[0]} * x.shape.dims[1];
  p->plane_size = 1;
  for (int i = 2; i < x.shape.rank; ++i) p->plane_size *= x.shape.dims[i];
  node.user_data = p;
  switch (x.dtype) {
    case DType::kFloat32:
      TMM_RETURN_IF_ERROR(CheckDType(node, y, DType::kFloat32, "output"));
      node.eval = EvalFloat;
      return Status::Ok();
    case DType::kInt8:
    case DType::kUInt8:
      TMM_RETURN_IF_ERROR(PrepareQuantizedAverage(context, node, x, y, p->plane_size, p->plane_size,
                                                  &p->quantized));
      node.eval = x.dtype == DType::kInt8 ? EvalQuantized<int8_t> : EvalQuantized<uint8_t>;
      return Status::Ok();
    default:
      return UnsupportedDType(node, x, "input");
  }
}

}  // namespace

KernelRegistration GlobalAveragePool() { return {"GlobalAveragePool", Prepare, EvalFloat}; }

}  // namespace tinymlops::runtime::reference
