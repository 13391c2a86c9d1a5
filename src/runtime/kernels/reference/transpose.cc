// Transpose: output dim i is input dim perm[i] (TransposeOptions; no perm reverses the dims, as
// ONNX's default). Any dtype: values are moved as 1-, 4- or 8-byte words, never converted, so
// the output must carry the input's quantization.
#include <cstdint>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/per_tensor_quantization.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {
namespace {

struct TransposeParams {
  int rank;
  int32_t dims[kMaxRank];           // output dims
  int64_t input_strides[kMaxRank];  // input element stride along each output dim
};

Status Prepare(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(CheckArity(node, 1, 1, 1));
  const Tensor& input = *node.inputs[0];
  const Tensor& output = *node.outputs[0];
  TMM_RETURN_IF_ERROR(CheckDType(node, output, input.dtype, "output"));
  TMM_RETURN_IF_ERROR(CheckQuantizationPreserved(node, input, output));
  const int rank = input.shape.rank;
  int perm[kMaxRank];
  const tmm::TransposeOptions* options = node.op->options_as_TransposeOptions();
  const auto* perm_values = options ? options->perm() : nullptr;
  if (perm_values && perm_values->size() > 0) {
    if (static_cast<int>(perm_values->size()) != rank)
      return Status::Error(StatusCode::kInvalidArgument,
                           "Transpose node '%s': perm has %u entries for input '%s' of rank %d",
                           node.name, perm_values->size(), input.name, rank);
    for (int i = 0; i < rank; ++i) perm[i] = perm_values->Get(i);
  } else {
    for (int i = 0; i < rank; ++i) perm[i] = rank - 1 - i;
  }
  bool seen[kMaxRank] = {};
  for (int i = 0; i < rank; ++i) {
    if (perm[i] < 0 || perm[i] >= rank || seen[perm[i]])
      return Status::Error(StatusCode::kInvalidArgument,
                           "Transpose node '%s': perm is not a permutation of 0..%d", node.name,
                           rank - 1);
    seen[perm[i]] = true;
  }
  if (output.shape.rank != rank)
    return Status::Error(StatusCode::kInvalidArgument,
                         "Transpose node '%s': output '%s' has rank %d, input '%s' rank %d",
                         node.name, output.name, output.shape.rank, input.name, rank);
  auto* params = static_cast<TransposeParams*>(context.AllocatePersistent(sizeof(TransposeParams)));
  if (!params)
    return Status::Error(StatusCode::kResourceExhausted,
                         "Transpose node '%s': no memory for the kernel's parameters", node.name);
  int64_t input_strides[kMaxRank];
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    input_strides[d] = stride;
    stride *= input.shape.dims[d];
  }
  params->rank = rank;
  for (int i = 0; i < rank; ++i) {
    if (output.shape.dims[i] != input.shape.dims[perm[i]])
      return Status::Error(StatusCode::kInvalidArgument,
                           "Transpose node '%s': output '%s' dim %d is %d; input dim %d is %d",
                           node.name, output.name, i, output.shape.dims[i], perm[i],
                           input.shape.dims[perm[i]]);
    params->dims[i] = output.shape.dims[i];
    params->input_strides[i] = input_strides[perm[i]];
  }
  node.user_data = params;
  return Status::Ok();
}

template <typename Word>
void TransposeWords(const TransposeParams& p, const Word* in, Word* out, int64_t count) {
  if (count == 0) return;
  if (p.rank == 0) {
    out[0] = in[0];
    return;
  }
  int32_t index[kMaxRank] = {};
  int64_t source = 0;
  const int last = p.rank - 1;
  for (int64_t o = 0; o < count;) {
    for (int32_t i = 0; i < p.dims[last]; ++i) out[o++] = in[source + i * p.input_strides[last]];
    for (int d = last - 1; d >= 0; --d) {
      source += p.input_strides[d];
      if (++index[d] < p.dims[d]) break;
      source -= p.input_strides[d] * p.dims[d];
      index[d] = 0;
    }
  }
}

Status Eval(Node& node) {
  const auto& params = *static_cast<const TransposeParams*>(node.user_data);
  const Tensor& input = *node.inputs[0];
  Tensor& output = *node.outputs[0];
  const int64_t count = output.ElementCount();
  switch (DTypeSize(input.dtype)) {
    case 1:
      TransposeWords(params, input.Data<uint8_t>(), output.Data<uint8_t>(), count);
      break;
    case 4:
      TransposeWords(params, input.Data<uint32_t>(), output.Data<uint32_t>(), count);
      break;
    default:
      TransposeWords(params, input.Data<uint64_t>(), output.Data<uint64_t>(), count);
      break;
  }
  return Status::Ok();
}

}  // namespace

KernelRegistration Transpose() { return {"Transpose", Prepare, Eval}; }

}  // namespace tinymlops::runtime::reference
