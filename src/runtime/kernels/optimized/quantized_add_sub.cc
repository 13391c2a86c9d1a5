// Add and Sub: the reference prepare validates the node; an int8/uint8 node with quantization
// on all three tensors and no broadcasting (the residual additions of ResNet-style models)
// then runs TensorFlow Lite's fixed-point algorithm (reference/binary_op.h's
// QuantizedBinaryParams) on 16 values at a time: each input is rescaled and the sum (or
// difference) requantized with vector_requantization.h's lane-exact
// MultiplyByQuantizedMultiplier, so the bytes are the reference's. (Computing the rescaled
// inputs costs less than looking them up in 256-entry tables: vector gathers are slow.) Any
// other node keeps the reference eval.
#include "runtime/kernels/optimized/optimized_registrations.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "runtime/kernels/optimized/vector_requantization.h"
#include "runtime/kernels/reference/binary_op.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = 16;

// The rescaled values MultiplyByQuantizedMultiplier((x + offset) << kAddLeftShift, multiplier,
// shift) of 16 (or fewer, masked) bytes.
template <typename X>
__m512i RescaledInput(const X* source, __mmask16 mask, __m512i offset,
                      const ChannelRequantization& scale) {
  const __m128i bytes = _mm_maskz_loadu_epi8(mask, source);
  const __m512i values =
      std::is_signed_v<X> ? _mm512_cvtepi8_epi32(bytes) : _mm512_cvtepu8_epi32(bytes);
  return MultiplyByQuantizedMultiplierVector(
      _mm512_slli_epi32(_mm512_add_epi32(values, offset), reference::kAddLeftShift), scale);
}

// kRoundNegatives false where the output clamp is at or above its zero point (RequantizeVector).
template <typename X, bool kSubtract, bool kRoundNegatives>
Status EvalQuantizedElementwise(Node& node) {
  const auto& p = *static_cast<const reference::QuantizedBinaryParams*>(node.user_data);
  const X* a = node.inputs[0]->Data<X>();
  const X* b = node.inputs[1]->Data<X>();
  Tensor& output = *node.outputs[0];
  X* out = output.Data<X>();
  const auto scale_a = ChannelRequantization::FromShift(p.input1_multiplier, p.input1_shift);
  const auto scale_b = ChannelRequantization::FromShift(p.input2_multiplier, p.input2_shift);
  const auto scale_out = ChannelRequantization::FromShift(p.output_multiplier, p.output_shift);
  const __m512i offset_a = _mm512_set1_epi32(p.input1_offset);
  const __m512i offset_b = _mm512_set1_epi32(p.input2_offset);
  const __m512i zero_point = _mm512_set1_epi32(p.output_offset);
  const __m512i low = _mm512_set1_epi32(p.range.min);
  const __m512i high = _mm512_set1_epi32(p.range.max);
  const int64_t count = output.ElementCount();
  for (int64_t i = 0; i < count; i += kLanes) {
    const int lanes = static_cast<int>(std::min<int64_t>(kLanes, count - i));
    const __mmask16 mask = LaneMask(lanes);
    const __m512i x = RescaledInput(a + i, mask, offset_a, scale_a);
    const __m512i y = RescaledInput(b + i, mask, offset_b, scale_b);
    const __m512i sum = kSubtract ? _mm512_sub_epi32(x, y) : _mm512_add_epi32(x, y);
    StoreByteLanes(reinterpret_cast<uint8_t*>(out + i),
                   _mm512_cvtepi32_epi8(
                       RequantizeVector<kRoundNegatives>(sum, scale_out, zero_point, low, high)),
                   lanes);
  }
  return Status::Ok();
}

template <bool kSubtract>
Status PrepareAddSub(PrepareContext& context, Node& node) {
  const KernelRegistration reference = kSubtract ? reference::Sub() : reference::Add();
  TMM_RETURN_IF_ERROR(reference.prepare(context, node));
  const Tensor& a = *node.inputs[0];
  const Tensor& b = *node.inputs[1];
  const Tensor& out = *node.outputs[0];
  const reference::QuantizedBinaryParams* params = reference::QuantizedBinaryParamsOf(node);
  if (!params || !(a.shape == out.shape) || !(b.shape == out.shape)) return Status::Ok();
  auto* stored = static_cast<reference::QuantizedBinaryParams*>(
      context.AllocatePersistent(sizeof(reference::QuantizedBinaryParams)));
  if (!stored)
    return Status::Error(StatusCode::kResourceExhausted,
                         "%s node '%s': out of persistent memory for its parameters",
                         kSubtract ? "Sub" : "Add", node.name);
  *stored = *params;
  node.user_data = stored;
  const bool signed_data = a.dtype == DType::kInt8;
  if (params->range.min < params->output_offset)
    node.eval = signed_data ? EvalQuantizedElementwise<int8_t, kSubtract, true>
                            : EvalQuantizedElementwise<uint8_t, kSubtract, true>;
  else
    node.eval = signed_data ? EvalQuantizedElementwise<int8_t, kSubtract, false>
                            : EvalQuantizedElementwise<uint8_t, kSubtract, false>;
  return Status::Ok();
}

}  // namespace

KernelRegistration Add() { return {"Add", PrepareAddSub<false>, reference::Add().eval}; }
KernelRegistration Sub() { return {"Sub", PrepareAddSub<true>, reference::Sub().eval}; }

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
