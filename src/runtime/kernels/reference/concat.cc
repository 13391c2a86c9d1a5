// Concat: joins any number of inputs along ConcatOptions.axis (negative counts from the end).
// Inputs share the output's dtype and every dim but the axis. Values are copied as bytes, except
// int8/uint8 inputs whose per-tensor quantization differs from the output's: those are
// requantized to the output's parameters with integer-only arithmetic (per_tensor_quantization.h)
// instead of TFLite's float rescaling, so results are bit-exact everywhere.
#include <cstdio>
#include <cstring>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/per_tensor_quantization.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {
namespace {

struct ConcatInput {
  int64_t block_elements;  // elements this input contributes per outer index
  bool requantize;
  Requantization requantization;
};

struct ConcatParams {
  int64_t outer;         // product of the output dims before the axis
  QuantizedRange range;  // the output dtype's range, for requantized inputs
  ConcatInput* inputs;   // num_inputs entries
};

Status CheckInput(const Node& node, int k, int axis, const char* role) {
  const Tensor* input = node.inputs[k];
  const Tensor& output = *node.outputs[0];
  if (!input)
    return Status::Error(StatusCode::kInvalidArgument, "Concat node '%s': input %d is absent",
                         node.name, k);
  TMM_RETURN_IF_ERROR(CheckDType(node, *input, output.dtype, role));
  bool matches = input->shape.rank == output.shape.rank;
  for (int d = 0; matches && d < output.shape.rank; ++d)
    matches = d == axis || input->shape.dims[d] == output.shape.dims[d];
  if (!matches)
    return Status::Error(StatusCode::kInvalidArgument,
                         "Concat node '%s': input %d '%s' must match output '%s' in rank and in "
                         "every dim but axis %d",
                         node.name, k, input->name, output.name, axis);
  return Status::Ok();
}

Status Prepare(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(CheckArity(node, 1, node.num_inputs, 1));
  const Tensor& output = *node.outputs[0];
  const int rank = output.shape.rank;
  const tmm::ConcatOptions* options = node.op->options_as_ConcatOptions();
  if (!options) return MissingOptions(node, "ConcatOptions");
  const int axis = options->axis() < 0 ? options->axis() + rank : options->axis();
  if (axis < 0 || axis >= rank)
    return Status::Error(StatusCode::kInvalidArgument,
                         "Concat node '%s': axis %d is outside output '%s' of rank %d", node.name,
                         options->axis(), output.name, rank);
  auto* params = static_cast<ConcatParams*>(context.AllocatePersistent(sizeof(ConcatParams)));
  if (params)
    params->inputs = static_cast<ConcatInput*>(
        context.AllocatePersistent(sizeof(ConcatInput) * static_cast<size_t>(node.num_inputs)));
  if (!params || !params->inputs)
    return Status::Error(StatusCode::kResourceExhausted,
                         "Concat node '%s': no memory for the kernel's parameters", node.name);
  int64_t inner = 1;
  params->outer = 1;
  for (int d = 0; d < axis; ++d) params->outer *= output.shape.dims[d];
  for (int d = axis + 1; d < rank; ++d) inner *= output.shape.dims[d];
  const bool quantized = output.quant.IsQuantized() && output.dtype != DType::kFloat32;
  if (quantized) {
    TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, output, "output"));
    params->range = QuantizedDTypeRange(output.dtype);
  }
  int64_t axis_total = 0;
  for (int k = 0; k < node.num_inputs; ++k) {
    char role[24];
    std::snprintf(role, sizeof(role), "input %d", k);
    TMM_RETURN_IF_ERROR(CheckInput(node, k, axis, role));
    const Tensor& input = *node.inputs[k];
    ConcatInput& entry = params->inputs[k];
    axis_total += input.shape.dims[axis];
    entry.block_elements = input.shape.dims[axis] * inner;
    if (quantized) {
      TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, input, role));
      entry.requantize = !SameQuantization(input, output);
      if (entry.requantize)
        TMM_RETURN_IF_ERROR(MakeRequantization(node, input, output, &entry.requantization));
    } else {
      TMM_RETURN_IF_ERROR(CheckQuantizationPreserved(node, input, output));
    }
  }
  if (axis_total != output.shape.dims[axis])
    return Status::Error(StatusCode::kInvalidArgument,
                         "Concat node '%s': inputs sum to %lld along axis %d; output '%s' has %d",
                         node.name, static_cast<long long>(axis_total), axis, output.name,
                         output.shape.dims[axis]);
  node.user_data = params;
  return Status::Ok();
}

template <typename T>
void RequantizeBlock(const void* in, void* out, int64_t count, const ConcatInput& entry,
                     QuantizedRange range) {
  RequantizeValues(static_cast<const T*>(in), static_cast<T*>(out), count, entry.requantization,
                   range);
}

Status Eval(Node& node) {
  const auto& params = *static_cast<const ConcatParams*>(node.user_data);
  Tensor& output = *node.outputs[0];
  const size_t element_size = DTypeSize(output.dtype);
  auto* out = output.Data<uint8_t>();
  for (int64_t o = 0; o < params.outer; ++o) {
    for (int k = 0; k < node.num_inputs; ++k) {
      const ConcatInput& entry = params.inputs[k];
      const uint8_t* in = node.inputs[k]->Data<uint8_t>() + o * entry.block_elements * element_size;
      if (!entry.requantize)
        std::memcpy(out, in, static_cast<size_t>(entry.block_elements) * element_size);
      else if (output.dtype == DType::kInt8)
        RequantizeBlock<int8_t>(in, out, entry.block_elements, entry, params.range);
      else
        RequantizeBlock<uint8_t>(in, out, entry.block_elements, entry, params.range);
      out += entry.block_elements * element_size;
    }
  }
  return Status::Ok();
}

}  // namespace

KernelRegistration Concat() { return {"Concat", Prepare, Eval}; }

}  // namespace tinymlops::runtime::reference
