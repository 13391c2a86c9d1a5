#include "runtime/kernels/activation_range.h"

#include <limits>

#include "runtime/kernels/per_tensor_quantization.h"

namespace tinymlops::runtime {
namespace {

const char* OpName(const Node& node) { return tmm::EnumNameOpType(node.op->type()); }

// Checks a Clip activation's bounds; None and Relu always pass.
Status CheckClipBounds(const Node& node, const tmm::Activation& activation) {
  if (activation.type() != tmm::ActivationType::Clip) return Status::Ok();
  if (!(activation.clip_min() <= activation.clip_max()))
    return Status::Error(StatusCode::kInvalidArgument,
                         "%s node '%s': fused Clip has min %g above max %g; fix the model",
                         OpName(node), node.name, static_cast<double>(activation.clip_min()),
                         static_cast<double>(activation.clip_max()));
  return Status::Ok();
}

}  // namespace

QuantizedRange QuantizedDTypeRange(DType dtype) {
  if (dtype == DType::kUInt8) return {0, 255};
  return {-128, 127};
}

Status FloatActivationRange(const Node& node, const tmm::Activation* activation,
                            FloatRange* range) {
  const float infinity = std::numeric_limits<float>::infinity();
  *range = {-infinity, infinity};
  if (!activation) return Status::Ok();
  TMM_RETURN_IF_ERROR(CheckClipBounds(node, *activation));
  switch (activation->type()) {
    case tmm::ActivationType::None:
      break;
    case tmm::ActivationType::Relu:
      range->min = 0.0f;
      break;
    case tmm::ActivationType::Clip:
      *range = {activation->clip_min(), activation->clip_max()};
      break;
  }
  return Status::Ok();
}

Status QuantizedActivationRange(const Node& node, const tmm::Activation* activation,
                                const Tensor& output, QuantizedRange* range) {
  TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, output, "output"));
  *range = QuantizedDTypeRange(output.dtype);
  if (!activation) return Status::Ok();
  TMM_RETURN_IF_ERROR(CheckClipBounds(node, *activation));
  switch (activation->type()) {
    case tmm::ActivationType::None:
      break;
    case tmm::ActivationType::Relu:
      range->min = QuantizeToTensor(0.0f, output);
      break;
    case tmm::ActivationType::Clip:
      range->min = QuantizeToTensor(activation->clip_min(), output);
      range->max = QuantizeToTensor(activation->clip_max(), output);
      break;
  }
  return Status::Ok();
}

}  // namespace tinymlops::runtime
