// AveragePool reference kernel: ONNX AveragePool on NCHW input with 1 to 3 spatial dims,
// kernel, strides, dilations, explicit pads and windows cut off at the padded input
// (ceil_mode, resolved into the output shape). The divisor counts the window's input elements,
// plus, with count_include_pad, its taps on the explicit pads (never taps beyond them).
// Float32, and int8/uint8 with an integer sum and integer-only rescaling
// (quantized_average.h).
#include <new>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/pool_window.h"
#include "runtime/kernels/quantized_average.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {
namespace {

struct AveragePoolParams {
  PoolWindow pool;
  bool count_include_pad;
  QuantizedAverage quantized;
};

// Calls store(sum, count) for every output element in order, with the sum of
// input(x) over the window's input elements and the window's divisor.
template <typename Sum, typename T, typename Input, typename Store>
void SumWindows(const AveragePoolParams& p, const T* x, const Input& input, const Store& store) {
  ForEachPoolOutput(p.pool, [&](int64_t plane, int32_t od, int32_t oh, int32_t ow) {
    Sum sum = 0;
    int32_t count = 0;
    ForEachWindowInput(p.pool.geometry, od, oh, ow, [&](int64_t offset) {
      sum += input(x[plane + offset]);
      ++count;
    });
    if (p.count_include_pad) count = PaddedWindowSize(p.pool.geometry, od, oh, ow);
    store(sum, count);
  });
}

Status EvalFloat(Node& node) {
  const AveragePoolParams& p = *static_cast<const AveragePoolParams*>(node.user_data);
  float* y = node.outputs[0]->Data<float>();
  SumWindows<float>(
      p, node.inputs[0]->Data<float>(), [](float x) { return x; },
      [&](float sum, int32_t count) { *y++ = sum / static_cast<float>(count); });
  return Status::Ok();
}

template <typename T>
Status EvalQuantized(Node& node) {
  const AveragePoolParams& p = *static_cast<const AveragePoolParams*>(node.user_data);
  T* y = node.outputs[0]->Data<T>();
  SumWindows<int32_t>(
      p, node.inputs[0]->Data<T>(), [&](T x) { return p.quantized.Input(x); },
      [&](int32_t sum, int32_t count) { *y++ = static_cast<T>(p.quantized.Average(sum, count)); });
  return Status::Ok();
}

Status Prepare(PrepareContext& context, Node& node) {
  auto* p = static_cast<AveragePoolParams*>(context.AllocatePersistent(sizeof(AveragePoolParams)));
  if (!p)
    return Status::Error(StatusCode::kResourceExhausted,
                         "AveragePool node '%s': out of persistent memory", node.name);
  new (p) AveragePoolParams();
  TMM_RETURN_IF_ERROR(PreparePoolWindow(node, &p->pool));
  p->count_include_pad = node.op->options_as_PoolOptions()->count_include_pad();
  node.user_data = p;
  const Tensor& x = *node.inputs[0];
  switch (x.dtype) {
    case DType::kFloat32:
      node.eval = EvalFloat;
      return Status::Ok();
    case DType::kInt8:
    case DType::kUInt8:
      TMM_RETURN_IF_ERROR(PrepareQuantizedAverage(context, node, x, *node.outputs[0], 1,
                                                  p->pool.geometry.KernelSize(), &p->quantized));
      node.eval = x.dtype == DType::kInt8 ? EvalQuantized<int8_t> : EvalQuantized<uint8_t>;
      return Status::Ok();
    default:
      return UnsupportedDType(node, x, "input");
  }
}

}  // namespace

KernelRegistration AveragePool() { return {"AveragePool", Prepare, EvalFloat}; }

}  // namespace tinymlops::runtime::reference
