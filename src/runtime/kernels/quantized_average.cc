#include "runtime/kernels/quantized_average.h"

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/per_tensor_quantization.h"

namespace tinymlops::runtime {

Status PrepareQuantizedAverage(PrepareContext& context, const Node& node, const Tensor& input,
                               const Tensor& output, int32_t min_count, int32_t max_count,
                               QuantizedAverage* average) {
  const char* op = tmm::EnumNameOpType(node.op->type());
  TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, input, "input"));
  TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, output, "output"));
  TMM_RETURN_IF_ERROR(CheckDType(node, output, input.dtype, "output"));
  const double ratio =
      static_cast<double>(input.quant.scale[0]) / static_cast<double>(output.quant.scale[0]);
  if (ratio >= 65536.0)
    return Status::Error(StatusCode::kUnsupported,
                         "%s node '%s': input '%s' scale %g is 2^16 or more times output '%s' "
                         "scale %g; requantize the model",
                         op, node.name, input.name, static_cast<double>(input.quant.scale[0]),
                         output.name, static_cast<double>(output.quant.scale[0]));
  average->input_zero_point = input.quant.zero_point[0];
  average->output_zero_point = output.quant.zero_point[0];
  average->same_quantization = SameQuantization(input, output);
  average->min_count = min_count;
  average->output_range = QuantizedDTypeRange(output.dtype);
  if (average->same_quantization) return Status::Ok();

  const int32_t counts = max_count - min_count + 1;
  auto* multiplier = static_cast<int32_t*>(context.AllocatePersistent(sizeof(int32_t) * counts));
  auto* shift = static_cast<int*>(context.AllocatePersistent(sizeof(int) * counts));
  if (!multiplier || !shift)
    return Status::Error(StatusCode::kResourceExhausted,
                         "%s node '%s': out of persistent memory for %d averaging multipliers", op,
                         node.name, counts);
  for (int32_t i = 0; i < counts; ++i)
    QuantizeMultiplier(ratio / (min_count + i), &multiplier[i], &shift[i]);
  average->multiplier = multiplier;
  average->shift = shift;
  return Status::Ok();
}

}  // namespace tinymlops::runtime
