// AveragePool and GlobalAveragePool: the reference prepare validates the node; a node that
// averages whole planes (GlobalAveragePool, or an AveragePool whose one window is the whole
// unpadded input, as in DS-CNN's last pool) then sums each plane with vectors. Float32 divides
// the sum as the reference does; int8/uint8 passes the exact int32 sum to the reference's
// QuantizedAverage (quantized_average.h), so the bytes are the reference's.
#include "runtime/kernels/optimized/optimized_registrations.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

#include <algorithm>

#include "runtime/kernels/pool_window.h"
#include "runtime/kernels/quantized_average.h"
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

// y[plane] = the quantized mean of plane `plane` of x, for each [N, C] plane; node.user_data
// is the plane's QuantizedAverage.
template <bool kSigned>
Status EvalQuantizedPlaneMeans(Node& node) {
  const auto& average = *static_cast<const QuantizedAverage*>(node.user_data);
  const Tensor& x = *node.inputs[0];
  const int64_t planes = int64_t{x.shape.dims[0]} * x.shape.dims[1];
  const int32_t plane_size = static_cast<int32_t>(x.ElementCount() / planes);
  const auto* source = static_cast<const uint8_t*>(x.data);
  auto* y = static_cast<uint8_t*>(node.outputs[0]->data);
  for (int64_t plane = 0; plane < planes; ++plane, source += plane_size) {
    __m512i sum = _mm512_setzero_si512();
    for (int32_t i = 0; i < plane_size; i += kLanes) {
      const __m128i bytes =
          _mm_maskz_loadu_epi8(LaneMask(std::min(kLanes, plane_size - i)), source + i);
      sum = _mm512_add_epi32(sum,
                             kSigned ? _mm512_cvtepi8_epi32(bytes) : _mm512_cvtepu8_epi32(bytes));
    }
    const int32_t centred = _mm512_reduce_add_epi32(sum) - plane_size * average.input_zero_point;
    y[plane] = static_cast<uint8_t>(average.Average(centred, plane_size));
  }
  return Status::Ok();
}

// Switches `node` (validated, averaging whole planes) to the vector eval of its dtype.
Status UsePlaneMeans(PrepareContext& context, Node& node) {
  const Tensor& x = *node.inputs[0];
  if (x.dtype == DType::kFloat32) {
    node.eval = EvalFloatPlaneMeans;
    return Status::Ok();
  }
  if (x.dtype != DType::kInt8 && x.dtype != DType::kUInt8) return Status::Ok();
  auto* average =
      static_cast<QuantizedAverage*>(context.AllocatePersistent(sizeof(QuantizedAverage)));
  if (!average)
    return Status::Error(StatusCode::kResourceExhausted, "%s node '%s': out of persistent memory",
                         tmm::EnumNameOpType(node.op->type()), node.name);
  const int32_t plane_size =
      static_cast<int32_t>(x.ElementCount() / (int64_t{x.shape.dims[0]} * x.shape.dims[1]));
  TMM_RETURN_IF_ERROR(
      PrepareQuantizedAverage(context, node, x, *node.outputs[0], plane_size, plane_size, average));
  node.user_data = average;
  node.eval =
      x.dtype == DType::kInt8 ? EvalQuantizedPlaneMeans<true> : EvalQuantizedPlaneMeans<false>;
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
  return AveragesWholePlanes(node) ? UsePlaneMeans(context, node) : Status::Ok();
}

Status PrepareGlobalAveragePool(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(reference::GlobalAveragePool().prepare(context, node));
  return UsePlaneMeans(context, node);
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
