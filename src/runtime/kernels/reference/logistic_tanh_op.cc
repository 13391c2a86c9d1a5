#include "runtime/kernels/reference/logistic_tanh_op.h"

#include <cmath>
#include <cstdint>

#include "runtime/kernels/fixed_point.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/per_tensor_quantization.h"
#include "runtime/kernels/quantized_math.h"

namespace tinymlops::runtime::reference {
namespace {

constexpr int kInputIntegerBits = 4;  // TFLite rescales inputs to Q4.27

struct LogisticTanhParams {
  bool quantized;
  uint8_t table[256];  // output byte for each input byte (int8 values as their two's complement)
};

const char* OpName(const Node& node) { return tmm::EnumNameOpType(node.op->type()); }

// The function's value at the quantized input `q`, as a Q0.31 raw value widened to int64 so
// that the saturated +1.0 (2^31) is representable. Follows TFLite's reference integer Logistic
// and Tanh (input multiplier from input_scale * 2^27, TFLite's CalculateInputRadius).
int64_t FixedPointValue(bool is_tanh, int32_t centered, int32_t multiplier, int shift,
                        int32_t radius) {
  const int64_t one = int64_t{1} << 31;
  if (centered <= -radius) return is_tanh ? -one : 0;
  if (centered >= radius) return one;
  const auto input = fixed_point::FixedPoint<kInputIntegerBits>::FromRaw(
      MultiplyByQuantizedMultiplier(centered, multiplier, shift));
  return is_tanh ? fixed_point::Tanh(input).raw : fixed_point::Logistic(input).raw;
}

void FillTable(bool is_tanh, const Tensor& input, const Tensor& output, uint8_t* table) {
  int32_t multiplier = 0;
  int shift = 0;
  QuantizeMultiplier(static_cast<double>(input.quant.scale[0]) *
                         static_cast<double>(int64_t{1} << (31 - kInputIntegerBits)),
                     &multiplier, &shift);
  // The largest centred input whose rescaled value stays below 2^4 (TFLite's input radius).
  const double max_input_rescaled =
      std::ldexp(static_cast<double>((1 << kInputIntegerBits) - 1), 31 - kInputIntegerBits - shift);
  const int32_t radius =
      max_input_rescaled >= 65536.0 ? 65536 : static_cast<int32_t>(std::floor(max_input_rescaled));
  const QuantizedRange range = QuantizedDTypeRange(output.dtype);
  const double output_scale = output.quant.scale[0];
  const int32_t output_zero_point = output.quant.zero_point[0];
  for (int byte = 0; byte < 256; ++byte) {
    const int32_t q = input.dtype == DType::kInt8 ? static_cast<int8_t>(byte) : byte;
    const int64_t raw =
        FixedPointValue(is_tanh, q - input.quant.zero_point[0], multiplier, shift, radius);
    const double value = std::ldexp(static_cast<double>(raw), -31);
    const double q_out = output_zero_point + std::round(value / output_scale);
    const int32_t clamped = q_out < range.min   ? range.min
                            : q_out > range.max ? range.max
                                                : static_cast<int32_t>(q_out);
    table[byte] = static_cast<uint8_t>(clamped);
  }
}

}  // namespace

Status PrepareLogisticOrTanh(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(CheckArity(node, 1, 1, 1));
  const Tensor& input = *node.inputs[0];
  const Tensor& output = *node.outputs[0];
  TMM_RETURN_IF_ERROR(CheckDType(node, output, input.dtype, "output"));
  if (input.shape != output.shape)
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': output '%s' must have the shape of input '%s'",
                         OpName(node), node.name, output.name, input.name);
  auto* params =
      static_cast<LogisticTanhParams*>(context.AllocatePersistent(sizeof(LogisticTanhParams)));
  if (!params)
    return Status::Error(StatusCode::kResourceExhausted,
                         "%s node '%s': no memory for the kernel's parameters", OpName(node),
                         node.name);
  if (input.dtype == DType::kFloat32) {
    params->quantized = false;
  } else if (input.dtype == DType::kInt8 || input.dtype == DType::kUInt8) {
    TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, input, "input 0"));
    TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, output, "output"));
    params->quantized = true;
    FillTable(node.op->type() == tmm::OpType::Tanh, input, output, params->table);
  } else {
    return UnsupportedDType(node, input, "input 0");
  }
  node.user_data = params;
  return Status::Ok();
}

Status EvalLogisticOrTanh(Node& node) {
  const auto& params = *static_cast<const LogisticTanhParams*>(node.user_data);
  const Tensor& input = *node.inputs[0];
  Tensor& output = *node.outputs[0];
  const int64_t count = output.ElementCount();
  if (params.quantized) {
    const uint8_t* in = input.Data<uint8_t>();
    uint8_t* out = output.Data<uint8_t>();
    for (int64_t i = 0; i < count; ++i) out[i] = params.table[in[i]];
    return Status::Ok();
  }
  const float* in = input.Data<float>();
  float* out = output.Data<float>();
  if (node.op->type() == tmm::OpType::Tanh) {
    for (int64_t i = 0; i < count; ++i) out[i] = std::tanh(in[i]);
  } else {
    for (int64_t i = 0; i < count; ++i) out[i] = 1.0f / (1.0f + std::exp(-in[i]));
  }
  return Status::Ok();
}

}  // namespace tinymlops::runtime::reference
