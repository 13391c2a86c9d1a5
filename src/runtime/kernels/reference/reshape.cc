// Reshape (and Flatten, which the importer lowers to Reshape): the output has the input's
// elements in the same order under the output tensor's static shape. The interpreter usually
// makes the output share the input's memory, so eval copies only when it does not.
#include <cstring>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {
namespace {

Status Prepare(PrepareContext&, Node& node) {
  // Input 1 (the ONNX shape tensor) is optional: the output shape is already static.
  TMM_RETURN_IF_ERROR(CheckArity(node, 1, 2, 1));
  const Tensor& input = *node.inputs[0];
  const Tensor& output = *node.outputs[0];
  if (input.ElementCount() != output.ElementCount() || input.dtype != output.dtype)
    return Status::Error(StatusCode::kInvalidArgument,
                         "Reshape node '%s': input '%s' (%lld %s elements) cannot become output "
                         "'%s' (%lld %s elements)",
                         node.name, input.name, static_cast<long long>(input.ElementCount()),
                         DTypeName(input.dtype), output.name,
                         static_cast<long long>(output.ElementCount()), DTypeName(output.dtype));
  return Status::Ok();
}

Status Eval(Node& node) {
  const Tensor& input = *node.inputs[0];
  Tensor& output = *node.outputs[0];
  if (output.data != input.data) std::memcpy(output.data, input.data, input.bytes);
  return Status::Ok();
}

}  // namespace

KernelRegistration Reshape() { return {"Reshape", Prepare, Eval}; }

}  // namespace tinymlops::runtime::reference
