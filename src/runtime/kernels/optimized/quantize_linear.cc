// QuantizeLinear (float32 -> int8/uint8): the reference prepare validates the node and leaves
// its QuantizationAxis in node.user_data; eval then quantizes 16 values at a time with the
// reference's arithmetic, so the bytes are the reference's: q = x / scale (IEEE division),
// rounded half to even (the default rounding mode's nearbyint), plus the zero point in float,
// clamped to the dtype's range, NaN mapped to the zero point.
#include "runtime/kernels/optimized/optimized_registrations.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

#include <algorithm>
#include <cstdint>

#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/quantization_axis.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = 16;

// Quantizes `count` values of x with one scale and zero point into `y`, bytes of `range`.
void QuantizeRun(const float* x, int64_t count, float scale, float zero_point, QuantizedRange range,
                 uint8_t* y) {
  const __m512 divisor = _mm512_set1_ps(scale);
  const __m512 zero = _mm512_set1_ps(zero_point);
  const __m512 low = _mm512_set1_ps(static_cast<float>(range.min));
  const __m512 high = _mm512_set1_ps(static_cast<float>(range.max));
  for (int64_t i = 0; i < count; i += kLanes) {
    const __mmask16 mask = LaneMask(static_cast<int>(std::min<int64_t>(kLanes, count - i)));
    const __m512 rounded =
        _mm512_roundscale_ps(_mm512_div_ps(_mm512_maskz_loadu_ps(mask, x + i), divisor),
                             _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 q = _mm512_add_ps(rounded, zero);
    const __mmask16 nan = _mm512_cmp_ps_mask(q, q, _CMP_UNORD_Q);
    const __m512 clamped =
        _mm512_mask_mov_ps(_mm512_min_ps(_mm512_max_ps(q, low), high), nan, zero);
    _mm_mask_storeu_epi8(y + i, mask, _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(clamped)));
  }
}

Status EvalQuantizeLinear(Node& node) {
  const auto& axis = *static_cast<const QuantizationAxis*>(node.user_data);
  const Tensor& input = *node.inputs[0];
  Tensor& output = *node.outputs[0];
  const QuantizedRange range = QuantizedDTypeRange(output.dtype);
  const float* x = input.Data<float>();
  auto* y = static_cast<uint8_t*>(output.data);
  for (int64_t o = 0; o < axis.outer; ++o)
    for (int32_t c = 0; c < axis.channels; ++c, x += axis.inner, y += axis.inner)
      QuantizeRun(x, axis.inner, output.quant.scale[c],
                  static_cast<float>(output.quant.zero_point[c]), range, y);
  return Status::Ok();
}

Status PrepareQuantizeLinear(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(reference::QuantizeLinear().prepare(context, node));
  node.eval = EvalQuantizeLinear;
  return Status::Ok();
}

}  // namespace

KernelRegistration QuantizeLinear() {
  return {"QuantizeLinear", PrepareQuantizeLinear, reference::QuantizeLinear().eval};
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
