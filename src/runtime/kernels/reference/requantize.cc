// Requantize: int8/uint8 -> int8/uint8 (either direction), moving values from the input's
// per-tensor scale and zero point to the output's with integer-only arithmetic:
// q_out = saturate(zp_out + round((q_in - zp_in) * in_scale / out_scale)), the ratio applied
// as TFLite's int32 multiplier and shift (per_tensor_quantization.h). Bit-exact everywhere.
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/per_tensor_quantization.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {
namespace {

struct RequantizeParams {
  Requantization requantization;
  QuantizedRange range;
};

Status Prepare(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(CheckArity(node, 1, 1, 1));
  const Tensor& input = *node.inputs[0];
  const Tensor& output = *node.outputs[0];
  TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, input, "input 0"));
  TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, output, "output"));
  if (input.shape != output.shape)
    return Status::Error(StatusCode::kInvalidArgument,
                         "Requantize node '%s': output '%s' must have the shape of input '%s'",
                         node.name, output.name, input.name);
  auto* params =
      static_cast<RequantizeParams*>(context.AllocatePersistent(sizeof(RequantizeParams)));
  if (!params)
    return Status::Error(StatusCode::kResourceExhausted,
                         "Requantize node '%s': no memory for the kernel's parameters", node.name);
  TMM_RETURN_IF_ERROR(MakeRequantization(node, input, output, &params->requantization));
  params->range = QuantizedDTypeRange(output.dtype);
  node.user_data = params;
  return Status::Ok();
}

template <typename In>
void RequantizeFrom(const RequantizeParams& p, const In* in, Tensor& output, int64_t count) {
  if (output.dtype == DType::kInt8)
    RequantizeValues(in, output.Data<int8_t>(), count, p.requantization, p.range);
  else
    RequantizeValues(in, output.Data<uint8_t>(), count, p.requantization, p.range);
}

Status Eval(Node& node) {
  const auto& params = *static_cast<const RequantizeParams*>(node.user_data);
  const Tensor& input = *node.inputs[0];
  Tensor& output = *node.outputs[0];
  const int64_t count = output.ElementCount();
  if (input.dtype == DType::kInt8)
    RequantizeFrom(params, input.Data<int8_t>(), output, count);
  else
    RequantizeFrom(params, input.Data<uint8_t>(), output, count);
  return Status::Ok();
}

}  // namespace

KernelRegistration Requantize() { return {"Requantize", Prepare, Eval}; }

}  // namespace tinymlops::runtime::reference
