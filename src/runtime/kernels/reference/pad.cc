// Pad: PadOptions.pads holds the non-negative begin pad of every dim, then every end pad.
// Modes: Constant (PadOptions.value: a real, written as float, as the integer for unquantized
// integers, or as zero_point + round(value / scale) saturated for quantized int8/uint8),
// Reflect (mirror without repeating the edge; needs pads below the dim) and Edge (repeat the
// edge; needs a non-empty dim). Any dtype: values move as 1-, 4- or 8-byte words.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/per_tensor_quantization.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {
namespace {

struct PadParams {
  tmm::PadMode mode;
  int rank;
  int32_t output_dims[kMaxRank];
  int32_t input_dims[kMaxRank];
  int32_t begin[kMaxRank];
  int64_t input_strides[kMaxRank];
  uint64_t constant;  // the constant's bytes (the first element-size bytes are used)
};

// The input coordinate an output coordinate reads, or -1 for the constant.
inline int32_t SourceCoordinate(int32_t out, int32_t begin, int32_t dim, tmm::PadMode mode) {
  int32_t in = out - begin;
  if (in >= 0 && in < dim) return in;
  switch (mode) {
    case tmm::PadMode::Constant:
      return -1;
    case tmm::PadMode::Edge:
      return in < 0 ? 0 : dim - 1;
    case tmm::PadMode::Reflect:
      return in < 0 ? -in : 2 * (dim - 1) - in;
  }
  return -1;
}

// The constant's bytes in `output`'s dtype (and quantization).
uint64_t ConstantBytes(float value, const Tensor& output) {
  uint64_t bytes = 0;
  auto store = [&](auto typed) { std::memcpy(&bytes, &typed, sizeof(typed)); };
  auto saturate = [&](double low, double high) {
    const double v = std::trunc(static_cast<double>(value));
    return !(v > low) ? low : (v < high ? v : high);
  };
  switch (output.dtype) {
    case DType::kFloat32:
      store(value);
      break;
    case DType::kInt8:
      store(static_cast<int8_t>(output.quant.IsQuantized() ? QuantizeToTensor(value, output)
                                                           : saturate(-128, 127)));
      break;
    case DType::kUInt8:
      store(static_cast<uint8_t>(output.quant.IsQuantized() ? QuantizeToTensor(value, output)
                                                            : saturate(0, 255)));
      break;
    case DType::kInt32:
      store(static_cast<int32_t>(saturate(-2147483648.0, 2147483647.0)));
      break;
    case DType::kInt64: {
      const double limit = 9223372036854775807.0;  // 2^63, the first double beyond int64
      const double v = saturate(-limit, limit);
      store(v >= limit ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(v));
      break;
    }
  }
  return bytes;
}

Status Prepare(PrepareContext& context, Node& node) {
  // ONNX's pads and constant_value inputs are folded into PadOptions by the importer.
  TMM_RETURN_IF_ERROR(CheckArity(node, 1, 3, 1));
  const Tensor& input = *node.inputs[0];
  const Tensor& output = *node.outputs[0];
  TMM_RETURN_IF_ERROR(CheckDType(node, output, input.dtype, "output"));
  TMM_RETURN_IF_ERROR(CheckQuantizationPreserved(node, input, output));
  const tmm::PadOptions* options = node.op->options_as_PadOptions();
  if (!options || !options->pads()) return MissingOptions(node, "PadOptions with pads");
  const int rank = input.shape.rank;
  if (static_cast<int>(options->pads()->size()) != 2 * rank || output.shape.rank != rank)
    return Status::Error(StatusCode::kInvalidArgument,
                         "Pad node '%s': input '%s' of rank %d needs %d pads and an output of "
                         "the same rank; got %u pads and rank %d",
                         node.name, input.name, rank, 2 * rank, options->pads()->size(),
                         output.shape.rank);
  const bool quantized = input.quant.IsQuantized() && input.dtype != DType::kFloat32;
  if (quantized && options->mode() == tmm::PadMode::Constant)
    TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, output, "output"));
  auto* params = static_cast<PadParams*>(context.AllocatePersistent(sizeof(PadParams)));
  if (!params)
    return Status::Error(StatusCode::kResourceExhausted,
                         "Pad node '%s': no memory for the kernel's parameters", node.name);
  params->mode = options->mode();
  params->rank = rank;
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    const int32_t begin = options->pads()->Get(d), end = options->pads()->Get(d + rank);
    const int32_t dim = input.shape.dims[d];
    // In 64 bits: a file's dims and pads may sum past INT32_MAX.
    if (begin < 0 || end < 0 ||
        static_cast<int64_t>(output.shape.dims[d]) !=
            static_cast<int64_t>(dim) + begin + end)
      return Status::Error(StatusCode::kInvalidArgument,
                           "Pad node '%s': dim %d of input '%s' (%d) padded by %d and %d must be "
                           "output '%s' dim %d (%d), with non-negative pads",
                           node.name, d, input.name, dim, begin, end, output.name, d,
                           output.shape.dims[d]);
    const bool pads_dim = begin > 0 || end > 0;
    if (pads_dim && params->mode == tmm::PadMode::Reflect && (begin >= dim || end >= dim))
      return Status::Error(StatusCode::kInvalidArgument,
                           "Pad node '%s': reflect pads %d and %d of dim %d must be below its "
                           "size %d",
                           node.name, begin, end, d, dim);
    if (pads_dim && params->mode == tmm::PadMode::Edge && dim == 0)
      return Status::Error(StatusCode::kInvalidArgument,
                           "Pad node '%s': edge padding of empty dim %d", node.name, d);
    params->output_dims[d] = output.shape.dims[d];
    params->input_dims[d] = dim;
    params->begin[d] = begin;
    params->input_strides[d] = stride;
    stride *= dim;
  }
  params->constant = ConstantBytes(options->value(), output);
  node.user_data = params;
  return Status::Ok();
}

template <typename Word>
void PadWords(const PadParams& p, const Word* in, Word* out, int64_t count) {
  Word constant;
  std::memcpy(&constant, &p.constant, sizeof(Word));
  if (count == 0) return;
  if (p.rank == 0) {
    out[0] = in[0];
    return;
  }
  const int last = p.rank - 1;
  int32_t index[kMaxRank] = {};
  for (int64_t o = 0; o < count;) {
    // Source offset of the row's outer coordinates, or -1 when the row is all constant.
    int64_t row = 0;
    for (int d = 0; d < last && row >= 0; ++d) {
      const int32_t source = SourceCoordinate(index[d], p.begin[d], p.input_dims[d], p.mode);
      row = source < 0 ? -1 : row + source * p.input_strides[d];
    }
    for (int32_t i = 0; i < p.output_dims[last]; ++i) {
      const int32_t source =
          row < 0 ? -1 : SourceCoordinate(i, p.begin[last], p.input_dims[last], p.mode);
      out[o++] = source < 0 ? constant : in[row + source];
    }
    for (int d = last - 1; d >= 0; --d) {
      if (++index[d] < p.output_dims[d]) break;
      index[d] = 0;
    }
  }
}

Status Eval(Node& node) {
  const auto& params = *static_cast<const PadParams*>(node.user_data);
  const Tensor& input = *node.inputs[0];
  Tensor& output = *node.outputs[0];
  const int64_t count = output.ElementCount();
  switch (DTypeSize(input.dtype)) {
    case 1:
      PadWords(params, input.Data<uint8_t>(), output.Data<uint8_t>(), count);
      break;
    case 4:
      PadWords(params, input.Data<uint32_t>(), output.Data<uint32_t>(), count);
      break;
    default:
      PadWords(params, input.Data<uint64_t>(), output.Data<uint64_t>(), count);
      break;
  }
  return Status::Ok();
}

}  // namespace

KernelRegistration Pad() { return {"Pad", Prepare, Eval}; }

}  // namespace tinymlops::runtime::reference
