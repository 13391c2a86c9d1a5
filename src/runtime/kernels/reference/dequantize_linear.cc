// DequantizeLinear: int8/uint8/int32 -> float32 with the INPUT tensor's quantization, per tensor
// or per axis: y = (q - zero_point) * scale, the difference taken exactly (in int64) before its
// conversion to float. ONNX's x_scale and x_zero_point inputs, when still present, are ignored:
// their values are the input tensor's quantization.
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/quantization_axis.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {
namespace {

Status Prepare(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(CheckArity(node, 1, 3, 1));
  const Tensor& input = *node.inputs[0];
  const Tensor& output = *node.outputs[0];
  if (input.dtype != DType::kInt8 && input.dtype != DType::kUInt8 && input.dtype != DType::kInt32)
    return UnsupportedDType(node, input, "input 0");
  TMM_RETURN_IF_ERROR(CheckDType(node, output, DType::kFloat32, "output"));
  if (input.shape != output.shape)
    return Status::Error(StatusCode::kInvalidArgument,
                         "DequantizeLinear node '%s': output '%s' must have the shape of input "
                         "'%s'",
                         node.name, output.name, input.name);
  auto* axis = static_cast<QuantizationAxis*>(context.AllocatePersistent(sizeof(QuantizationAxis)));
  if (!axis)
    return Status::Error(StatusCode::kResourceExhausted,
                         "DequantizeLinear node '%s': no memory for the kernel's parameters",
                         node.name);
  TMM_RETURN_IF_ERROR(SplitAtQuantizationAxis(node, input, "input 0", axis));
  node.user_data = axis;
  return Status::Ok();
}

template <typename T>
void Dequantize(const QuantizationAxis& axis, const QuantParams& quant, const T* in, float* out) {
  for (int64_t o = 0; o < axis.outer; ++o)
    for (int32_t c = 0; c < axis.channels; ++c) {
      const float scale = quant.scale[c];
      const int64_t zero_point = quant.zero_point[c];
      for (int64_t i = 0; i < axis.inner; ++i)
        *out++ = static_cast<float>(static_cast<int64_t>(*in++) - zero_point) * scale;
    }
}

Status Eval(Node& node) {
  const auto& axis = *static_cast<const QuantizationAxis*>(node.user_data);
  const Tensor& input = *node.inputs[0];
  Tensor& output = *node.outputs[0];
  switch (input.dtype) {
    case DType::kInt8:
      Dequantize(axis, input.quant, input.Data<int8_t>(), output.Data<float>());
      break;
    case DType::kUInt8:
      Dequantize(axis, input.quant, input.Data<uint8_t>(), output.Data<float>());
      break;
    default:
      Dequantize(axis, input.quant, input.Data<int32_t>(), output.Data<float>());
      break;
  }
  return Status::Ok();
}

}  // namespace

KernelRegistration DequantizeLinear() { return {"DequantizeLinear", Prepare, Eval}; }

}  // namespace tinymlops::runtime::reference
