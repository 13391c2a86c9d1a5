// BatchNormalization reference kernel (inference form): y = x * scale[c] + shift[c] with c the
// index along axis 1 of x [N, C, ...]. The importer has already folded the ONNX parameters:
// scale = gamma / sqrt(var + epsilon), shift = beta - mean * scale. Float32 only (quantized
// models fold BatchNormalization into the preceding Conv).
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {
namespace {

Status Eval(Node& node) {
  const Tensor& x_tensor = *node.inputs[0];
  const float* x = x_tensor.Data<float>();
  const float* scale = node.inputs[1]->Data<float>();
  const float* shift = node.inputs[2]->Data<float>();
  float* y = node.outputs[0]->Data<float>();
  const int32_t channels = x_tensor.shape.dims[1];
  const int64_t batch = x_tensor.shape.dims[0];
  const int64_t inner = batch * channels == 0 ? 0 : x_tensor.ElementCount() / (batch * channels);
  for (int64_t n = 0; n < batch; ++n)
    for (int32_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i, ++x, ++y) *y = *x * scale[c] + shift[c];
  return Status::Ok();
}

Status CheckChannelVector(const Node& node, const Tensor& vector, const char* role,
                          int32_t channels) {
  TMM_RETURN_IF_ERROR(CheckDType(node, vector, DType::kFloat32, role));
  if (vector.shape.rank != 1 || vector.shape.dims[0] != channels)
    return Status::Error(StatusCode::kInvalidArgument,
                         "BatchNormalization node '%s': %s '%s' must have shape [%d] (the "
                         "input's channels)",
                         node.name, role, vector.name, channels);
  return Status::Ok();
}

Status Prepare(PrepareContext&, Node& node) {
  TMM_RETURN_IF_ERROR(CheckArity(node, 3, 3, 1));
  const Tensor& x = *node.inputs[0];
  const Tensor& y = *node.outputs[0];
  TMM_RETURN_IF_ERROR(CheckDType(node, x, DType::kFloat32, "input"));
  TMM_RETURN_IF_ERROR(CheckDType(node, y, DType::kFloat32, "output"));
  if (x.shape.rank < 2 || y.shape != x.shape)
    return Status::Error(StatusCode::kInvalidArgument,
                         "BatchNormalization node '%s': input '%s' must be [N, C, ...] and output "
                         "'%s' of the same shape",
                         node.name, x.name, y.name);
  TMM_RETURN_IF_ERROR(CheckChannelVector(node, *node.inputs[1], "scale", x.shape.dims[1]));
  return CheckChannelVector(node, *node.inputs[2], "shift", x.shape.dims[1]);
}

}  // namespace

KernelRegistration BatchNormalization() { return {"BatchNormalization", Prepare, Eval}; }

}  // namespace tinymlops::runtime::reference
