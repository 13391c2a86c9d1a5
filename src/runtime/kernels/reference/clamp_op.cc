#include "runtime/kernels/reference/clamp_op.h"

#include "runtime/kernels/integer_range.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/per_tensor_quantization.h"

namespace tinymlops::runtime::reference {
namespace {

enum class Arithmetic : uint8_t { kFloat, kInteger, kQuantizedClamp, kQuantizedRequantize };

struct ClampParams {
  Arithmetic arithmetic;
  FloatRange float_range;
  IntegerRange integer_range;
  QuantizedRange quantized_range;
  Requantization requantization;
};

const char* OpName(const Node& node) { return tmm::EnumNameOpType(node.op->type()); }

template <typename T>
void ClampValues(const T* input, T* output, int64_t count, IntegerRange range) {
  for (int64_t i = 0; i < count; ++i) output[i] = range.Clamp(input[i]);
}

template <typename T>
void EvalTyped(const ClampParams& p, const Tensor& input, Tensor& output) {
  const T* in = input.Data<T>();
  T* out = output.Data<T>();
  const int64_t count = output.ElementCount();
  if constexpr (sizeof(T) == 1) {
    if (p.arithmetic == Arithmetic::kQuantizedRequantize) {
      RequantizeValues(in, out, count, p.requantization, p.quantized_range);
      return;
    }
    if (p.arithmetic == Arithmetic::kQuantizedClamp) {
      ClampValues(in, out, count, IntegerRange{p.quantized_range.min, p.quantized_range.max});
      return;
    }
  }
  ClampValues(in, out, count, p.integer_range);
}

}  // namespace

Status PrepareClamp(PrepareContext& context, Node& node, FloatRange bounds) {
  const Tensor& input = *node.inputs[0];
  const Tensor& output = *node.outputs[0];
  TMM_RETURN_IF_ERROR(CheckDType(node, output, input.dtype, "output"));
  if (input.shape != output.shape)
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': output '%s' must have the shape of input '%s'",
                         OpName(node), node.name, output.name, input.name);
  if (bounds.min != bounds.min || bounds.max != bounds.max)
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': a clamp bound is NaN; give real bounds", OpName(node),
                         node.name);
  // min(max(x, low), high): with low > high every value becomes high (ONNX, NumPy).
  if (bounds.min > bounds.max) bounds.min = bounds.max;
  auto* params = static_cast<ClampParams*>(context.AllocatePersistent(sizeof(ClampParams)));
  if (!params)
    return Status::Error(StatusCode::kResourceExhausted,
                         "%s node '%s': no memory for the kernel's parameters", OpName(node),
                         node.name);
  *params = ClampParams();
  params->float_range = bounds;
  const bool quantized = input.quant.IsQuantized() || output.quant.IsQuantized();
  if (input.dtype == DType::kFloat32) {
    params->arithmetic = Arithmetic::kFloat;
  } else if (quantized) {
    TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, input, "input 0"));
    TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, output, "output"));
    params->quantized_range = {QuantizeToTensor(bounds.min, output),
                               QuantizeToTensor(bounds.max, output)};
    if (SameQuantization(input, output)) {
      params->arithmetic = Arithmetic::kQuantizedClamp;
    } else {
      params->arithmetic = Arithmetic::kQuantizedRequantize;
      TMM_RETURN_IF_ERROR(MakeRequantization(node, input, output, &params->requantization));
    }
  } else {
    params->arithmetic = Arithmetic::kInteger;
    params->integer_range = IntegerClampRange(input.dtype, bounds);
  }
  node.user_data = params;
  return Status::Ok();
}

Status EvalClamp(Node& node) {
  const auto& params = *static_cast<const ClampParams*>(node.user_data);
  const Tensor& input = *node.inputs[0];
  Tensor& output = *node.outputs[0];
  switch (input.dtype) {
    case DType::kFloat32: {
      const float* in = input.Data<float>();
      float* out = output.Data<float>();
      const int64_t count = output.ElementCount();
      for (int64_t i = 0; i < count; ++i) out[i] = params.float_range.Clamp(in[i]);
      break;
    }
    case DType::kInt8:
      EvalTyped<int8_t>(params, input, output);
      break;
    case DType::kUInt8:
      EvalTyped<uint8_t>(params, input, output);
      break;
    case DType::kInt32:
      EvalTyped<int32_t>(params, input, output);
      break;
    case DType::kInt64:
      EvalTyped<int64_t>(params, input, output);
      break;
  }
  return Status::Ok();
}

}  // namespace tinymlops::runtime::reference
