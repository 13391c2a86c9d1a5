// AveragePool and GlobalAveragePool: the reference prepare validates the node; a float32 node
// that averages whole planes (GlobalAveragePool, or an AveragePool whose one window is the
// whole unpadded input, as in DS-CNN's last pool) then sums each plane with vectors.
#include "runtime/kernels/optimized/optimized_registrations.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

#include "runtime/kernels/pool_window.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = 16;

// y[plane] = the mean of plane `plane` of x, for each [N, C] plane.
Status EvalFloatPlaneMeans(Node& node) {
  const Tensor& x = *node.inputs[0];
  const int64_t planes = int64_t{x.shape.dims[0]} * x.shape.dims[1];
  const int32_t plane_size = static_cast<int32_t>(x.ElementCount() / planes);
  const float* source = x.Data<float>();
  float* y = node.outputs[0]->Data<float>();
  const __mmask16 tail = LaneMask(plane_size % kLanes);
  for (int64_t plane = 0; plane < planes; ++plane, source += plane_size) {
    __m512 sum = _mm512_setzero_ps();
    int32_t i = 0;
    for (; i + kLanes <= plane_size; i += kLanes)
      sum = _mm512_add_ps(sum, _mm512_loadu_ps(source + i));
    sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(tail, source + i));
    y[plane] = _mm512_reduce_add_ps(sum) / static_cast<float>(plane_size);
  }
  return Status::Ok();
}

// The window of an AveragePool node already validated by the reference prepare covers the
// whole unpadded input plane.
bool AveragesWholePlanes(const Node& node) {
  PoolWindow pool;
  if (!PreparePoolWindow(node, &pool).ok()) return false;
  const WindowGeometry& g = pool.geometry;
  for (int dim = 0; dim < kWindowDims; ++dim)
    if (g.output[dim] != 1 || g.kernel[dim] != g.input[dim] || g.pad_begin[dim] != 0 ||
        g.pad_end[dim] != 0 || (g.kernel[dim] > 1 && g.dilation[dim] != 1))
      return false;
  return true;
}

Status PrepareAveragePool(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(reference::AveragePool().prepare(context, node));
  if (node.inputs[0]->dtype == DType::kFloat32 && AveragesWholePlanes(node))
    node.eval = EvalFloatPlaneMeans;
  return Status::Ok();
}

Status PrepareGlobalAveragePool(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(reference::GlobalAveragePool().prepare(context, node));
  if (node.inputs[0]->dtype == DType::kFloat32) node.eval = EvalFloatPlaneMeans;
  return Status::Ok();
}

}  // namespace

KernelRegistration AveragePool() {
  return {"AveragePool", PrepareAveragePool, reference::AveragePool().eval};
}

KernelRegistration GlobalAveragePool() {
  return {"GlobalAveragePool", PrepareGlobalAveragePool, reference::GlobalAveragePool().eval};
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
