// Add and Sub: the reference prepare validates the node; an int8/uint8 node with quantization
// on all three tensors and no broadcasting (the residual additions of ResNet-style models)
// then runs TensorFlow Lite's fixed-point algorithm (reference/binary_op.h's
// QuantizedBinaryParams) on 16 values at a time, with vector_requantization.h's lane-exact
// MultiplyByQuantizedMultiplier: the bytes are the reference's. Any other node keeps the
// reference eval.
#include "runtime/kernels/optimized/optimized_registrations.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

#include <algorithm>
#include <cstdint>

#include "runtime/kernels/optimized/vector_requantization.h"
#include "runtime/kernels/reference/binary_op.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = 16;

// The input's 16 (or fewer, masked) bytes as int32 lanes.
template <bool kSigned>
__m512i LoadBytes(const uint8_t* source, __mmask16 mask) {
  const __m128i bytes = _mm_maskz_loadu_epi8(mask, source);
  return kSigned ? _mm512_cvtepi8_epi32(bytes) : _mm512_cvtepu8_epi32(bytes);
}

// MultiplyByQuantizedMultiplier((x + offset) << kAddLeftShift, scale) per lane.
__m512i ScaleInput(__m512i x, __m512i offset, const ChannelRequantization& scale) {
  return MultiplyByQuantizedMultiplierVector(
      _mm512_slli_epi32(_mm512_add_epi32(x, offset), reference::kAddLeftShift), scale);
}

template <bool kSubtract, bool kSigned>
void AddSubValues(const reference::QuantizedBinaryParams& p, const uint8_t* a, const uint8_t* b,
                  int64_t count, uint8_t* out) {
  const ChannelRequantization scale_a =
      ChannelRequantization::FromShift(p.input1_multiplier, p.input1_shift);
  const ChannelRequantization scale_b =
      ChannelRequantization::FromShift(p.input2_multiplier, p.input2_shift);
  const ChannelRequantization scale_out =
      ChannelRequantization::FromShift(p.output_multiplier, p.output_shift);
  const __m512i offset_a = _mm512_set1_epi32(p.input1_offset);
  const __m512i offset_b = _mm512_set1_epi32(p.input2_offset);
  const __m512i zero_point = _mm512_set1_epi32(p.output_offset);
  const __m512i low = _mm512_set1_epi32(p.range.min);
  const __m512i high = _mm512_set1_epi32(p.range.max);
  for (int64_t i = 0; i < count; i += kLanes) {
    const __mmask16 mask = LaneMask(static_cast<int>(std::min<int64_t>(kLanes, count - i)));
    const __m512i scaled_a = ScaleInput(LoadBytes<kSigned>(a + i, mask), offset_a, scale_a);
    const __m512i scaled_b = ScaleInput(LoadBytes<kSigned>(b + i, mask), offset_b, scale_b);
    const __m512i sum =
        kSubtract ? _mm512_sub_epi32(scaled_a, scaled_b) : _mm512_add_epi32(scaled_a, scaled_b);
    _mm_mask_storeu_epi8(
        out + i, mask,
        _mm512_cvtepi32_epi8(RequantizeVector(sum, scale_out, zero_point, low, high)));
  }
}

template <bool kSubtract>
Status EvalQuantizedElementwise(Node& node) {
  const reference::QuantizedBinaryParams& p = *reference::QuantizedBinaryParamsOf(node);
  const auto* a = static_cast<const uint8_t*>(node.inputs[0]->data);
  const auto* b = static_cast<const uint8_t*>(node.inputs[1]->data);
  Tensor& output = *node.outputs[0];
  auto* out = static_cast<uint8_t*>(output.data);
  if (output.dtype == DType::kInt8)
    AddSubValues<kSubtract, true>(p, a, b, output.ElementCount(), out);
  else
    AddSubValues<kSubtract, false>(p, a, b, output.ElementCount(), out);
  return Status::Ok();
}

template <bool kSubtract>
Status PrepareAddSub(PrepareContext& context, Node& node) {
  const KernelRegistration reference = kSubtract ? reference::Sub() : reference::Add();
  TMM_RETURN_IF_ERROR(reference.prepare(context, node));
  const Tensor& a = *node.inputs[0];
  const Tensor& b = *node.inputs[1];
  const Tensor& out = *node.outputs[0];
  if (reference::QuantizedBinaryParamsOf(node) && a.shape == out.shape && b.shape == out.shape)
    node.eval = EvalQuantizedElementwise<kSubtract>;
  return Status::Ok();
}

}  // namespace

KernelRegistration Add() { return {"Add", PrepareAddSub<false>, reference::Add().eval}; }
KernelRegistration Sub() { return {"Sub", PrepareAddSub<true>, reference::Sub().eval}; }

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
