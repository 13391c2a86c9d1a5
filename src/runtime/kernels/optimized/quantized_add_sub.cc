// Add and Sub: the reference prepare validates the node; an int8/uint8 node with quantization
// on all three tensors and no broadcasting (the residual additions of ResNet-style models)
// then runs TensorFlow Lite's fixed-point algorithm (reference/binary_op.h's
// QuantizedBinaryParams) on 16 values at a time: each input's rescaled value (a function of
// its byte alone) comes from a 256-entry table computed at prepare time with the scalar
// arithmetic (Sub's second table negated), and the sum is requantized with
// vector_requantization.h's lane-exact MultiplyByQuantizedMultiplier: the bytes are the
// reference's. Any other node keeps the reference eval.
#include "runtime/kernels/optimized/optimized_registrations.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

#include <algorithm>
#include <cstdint>

#include "runtime/kernels/optimized/vector_requantization.h"
#include "runtime/kernels/quantized_math.h"
#include "runtime/kernels/reference/binary_op.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = 16;

// What eval reads: the output's parameters and, per input, its rescaled value by raw byte.
struct AddSubTables {
  reference::QuantizedBinaryParams params;
  int32_t scaled_a[256];
  int32_t scaled_b[256];  // negated for Sub
};

// The raw bytes of 16 (or fewer, masked) values as int32 table indices.
__m512i LoadIndices(const uint8_t* source, __mmask16 mask) {
  return _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(mask, source));
}

Status EvalQuantizedElementwise(Node& node) {
  const auto& tables = *static_cast<const AddSubTables*>(node.user_data);
  const reference::QuantizedBinaryParams& p = tables.params;
  const auto* a = static_cast<const uint8_t*>(node.inputs[0]->data);
  const auto* b = static_cast<const uint8_t*>(node.inputs[1]->data);
  Tensor& output = *node.outputs[0];
  auto* out = static_cast<uint8_t*>(output.data);
  const ChannelRequantization scale_out =
      ChannelRequantization::FromShift(p.output_multiplier, p.output_shift);
  const __m512i zero_point = _mm512_set1_epi32(p.output_offset);
  const __m512i low = _mm512_set1_epi32(p.range.min);
  const __m512i high = _mm512_set1_epi32(p.range.max);
  const int64_t count = output.ElementCount();
  for (int64_t i = 0; i < count; i += kLanes) {
    const __mmask16 mask = LaneMask(static_cast<int>(std::min<int64_t>(kLanes, count - i)));
    const __m512i sum =
        _mm512_add_epi32(_mm512_i32gather_epi32(LoadIndices(a + i, mask), tables.scaled_a, 4),
                         _mm512_i32gather_epi32(LoadIndices(b + i, mask), tables.scaled_b, 4));
    _mm_mask_storeu_epi8(
        out + i, mask,
        _mm512_cvtepi32_epi8(RequantizeVector(sum, scale_out, zero_point, low, high)));
  }
  return Status::Ok();
}

// table[byte] = MultiplyByQuantizedMultiplier((value + offset) << kAddLeftShift, multiplier,
// shift) times `sign`, for the value of each raw byte of `dtype`.
void FillScaledTable(DType dtype, int32_t offset, int32_t multiplier, int shift, int32_t sign,
                     int32_t* table) {
  for (int byte = 0; byte < 256; ++byte) {
    const int32_t value = dtype == DType::kInt8 ? int32_t{static_cast<int8_t>(byte)} : byte;
    table[byte] = sign * MultiplyByQuantizedMultiplier(
                             (value + offset) * (1 << reference::kAddLeftShift), multiplier, shift);
  }
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
  auto* tables = static_cast<AddSubTables*>(context.AllocatePersistent(sizeof(AddSubTables)));
  if (!tables)
    return Status::Error(StatusCode::kResourceExhausted,
                         "%s node '%s': out of persistent memory for its tables",
                         kSubtract ? "Sub" : "Add", node.name);
  tables->params = *params;
  FillScaledTable(a.dtype, params->input1_offset, params->input1_multiplier, params->input1_shift,
                  1, tables->scaled_a);
  FillScaledTable(b.dtype, params->input2_offset, params->input2_multiplier, params->input2_shift,
                  kSubtract ? -1 : 1, tables->scaled_b);
  node.user_data = tables;
  node.eval = EvalQuantizedElementwise;
  return Status::Ok();
}

}  // namespace

KernelRegistration Add() { return {"Add", PrepareAddSub<false>, reference::Add().eval}; }
KernelRegistration Sub() { return {"Sub", PrepareAddSub<true>, reference::Sub().eval}; }

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
