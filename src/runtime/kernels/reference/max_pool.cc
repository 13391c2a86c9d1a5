// MaxPool reference kernel: ONNX MaxPool on NCHW input with 1 to 3 spatial dims, kernel,
// strides, dilations, explicit pads (padding never wins) and windows cut off at the padded
// input (ceil_mode, resolved into the output shape). Float32, int8 and uint8; quantized input
// and output must share scale and zero point (the maximum of quantized values is then exact).
#include <limits>
#include <new>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/per_tensor_quantization.h"
#include "runtime/kernels/pool_window.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {
namespace {

template <typename T>
Status EvalTyped(Node& node) {
  const PoolWindow& pool = *static_cast<const PoolWindow*>(node.user_data);
  const T* x = node.inputs[0]->Data<T>();
  T* y = node.outputs[0]->Data<T>();
  ForEachPoolOutput(pool, [&](int64_t plane, int32_t od, int32_t oh, int32_t ow) {
    T maximum = std::numeric_limits<T>::lowest();
    ForEachWindowInput(pool.geometry, od, oh, ow, [&](int64_t offset) {
      const T value = x[plane + offset];
      if (value > maximum) maximum = value;
    });
    *y++ = maximum;
  });
  return Status::Ok();
}

Status Prepare(PrepareContext& context, Node& node) {
  auto* pool = static_cast<PoolWindow*>(context.AllocatePersistent(sizeof(PoolWindow)));
  if (!pool)
    return Status::Error(StatusCode::kResourceExhausted,
                         "MaxPool node '%s': out of persistent memory", node.name);
  new (pool) PoolWindow();
  TMM_RETURN_IF_ERROR(PreparePoolWindow(node, pool));
  node.user_data = pool;
  const Tensor& x = *node.inputs[0];
  const Tensor& y = *node.outputs[0];
  switch (x.dtype) {
    case DType::kFloat32:
      node.eval = EvalTyped<float>;
      return Status::Ok();
    case DType::kInt8:
    case DType::kUInt8:
      TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, x, "input"));
      TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, y, "output"));
      if (!SameQuantization(x, y))
        return Status::Error(StatusCode::kInvalidArgument,
                             "MaxPool node '%s': input '%s' and output '%s' must share scale "
                             "and zero point; requantize after the pool instead",
                             node.name, x.name, y.name);
      node.eval = x.dtype == DType::kInt8 ? EvalTyped<int8_t> : EvalTyped<uint8_t>;
      return Status::Ok();
    default:
      return UnsupportedDType(node, x, "input");
  }
}

}  // namespace

KernelRegistration MaxPool() { return {"MaxPool", Prepare, EvalTyped<float>}; }

}  // namespace tinymlops::runtime::reference
