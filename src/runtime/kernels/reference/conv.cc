// Conv reference kernel: ONNX Conv on NCHW input with 1 to 3 spatial dims, groups (depthwise
// included), strides, dilations, explicit pads, an optional bias and a fused activation.
// Float32, and int8/uint8 input with int8/uint8 weights quantized per tensor or per output
// channel, int32 bias, and TensorFlow Lite's integer requantization (linear_requantization.h).
#include <new>

#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/linear_requantization.h"
#include "runtime/kernels/reference/registrations.h"
#include "runtime/kernels/window_geometry.h"

namespace tinymlops::runtime::reference {
namespace {

struct ConvParams {
  WindowGeometry window;
  int32_t batch;
  int32_t input_channels;
  int32_t group_input_channels;  // input channels each output channel reads
  int32_t output_channels;
  int32_t group_output_channels;  // output channels per group
  FloatRange float_range;
  LinearRequantization requantization;
};

// Float arithmetic in the form Convolve expects (LinearRequantization is the quantized one).
struct FloatConvArithmetic {
  FloatRange range;

  float Input(float x) const { return x; }
  float Weight(float w, int) const { return w; }
  float Output(float accumulator, int) const { return range.Clamp(accumulator); }
};

// y[n, m, o...] = arithmetic.Output(bias[m] + sum over the window of m's group of
// arithmetic.Input(x) * arithmetic.Weight(w, m), m); padding contributes nothing.
template <typename Accumulator, typename X, typename W, typename B, typename Y, typename Arithmetic>
void Convolve(const ConvParams& p, const Arithmetic& arithmetic, const X* x, const W* w,
              const B* bias, Y* y) {
  const WindowGeometry& g = p.window;
  const int32_t input_size = g.InputSize();
  const int32_t kernel_size = g.KernelSize();
  for (int32_t n = 0; n < p.batch; ++n) {
    for (int32_t m = 0; m < p.output_channels; ++m) {
      const int32_t group = m / p.group_output_channels;
      const X* x_group =
          x +
          (int64_t{n} * p.input_channels + int64_t{group} * p.group_input_channels) * input_size;
      const W* w_m = w + int64_t{m} * p.group_input_channels * kernel_size;
      for (int32_t od = 0; od < g.output[0]; ++od) {
        for (int32_t oh = 0; oh < g.output[1]; ++oh) {
          for (int32_t ow = 0; ow < g.output[2]; ++ow) {
            Accumulator accumulator = bias ? bias[m] : 0;
            for (int32_t c = 0; c < p.group_input_channels; ++c) {
              const X* x_c = x_group + int64_t{c} * input_size;
              const W* w_c = w_m + int64_t{c} * kernel_size;
              for (int32_t kd = 0; kd < g.kernel[0]; ++kd) {
                const int32_t id = g.InputCoordinate(0, od, kd);
                if (!g.InsideInput(0, id)) continue;
                for (int32_t kh = 0; kh < g.kernel[1]; ++kh) {
                  const int32_t ih = g.InputCoordinate(1, oh, kh);
                  if (!g.InsideInput(1, ih)) continue;
                  for (int32_t kw = 0; kw < g.kernel[2]; ++kw) {
                    const int32_t iw = g.InputCoordinate(2, ow, kw);
                    if (!g.InsideInput(2, iw)) continue;
                    const X x_value = x_c[(id * g.input[1] + ih) * g.input[2] + iw];
                    const W w_value = w_c[(kd * g.kernel[1] + kh) * g.kernel[2] + kw];
                    accumulator += arithmetic.Input(x_value) * arithmetic.Weight(w_value, m);
                  }
                }
              }
            }
            *y++ = static_cast<Y>(arithmetic.Output(accumulator, m));
          }
        }
      }
    }
  }
}

Status EvalFloat(Node& node) {
  const ConvParams& p = *static_cast<const ConvParams*>(node.user_data);
  const Tensor* bias = node.Input(2);
  Convolve<float>(p, FloatConvArithmetic{p.float_range}, node.inputs[0]->Data<float>(),
                  node.inputs[1]->Data<float>(), bias ? bias->Data<float>() : nullptr,
                  node.outputs[0]->Data<float>());
  return Status::Ok();
}

template <typename X, typename W>
struct QuantizedConv {
  static Status Eval(Node& node) {
    const ConvParams& p = *static_cast<const ConvParams*>(node.user_data);
    const Tensor* bias = node.Input(2);
    Convolve<int32_t>(p, p.requantization, node.inputs[0]->Data<X>(), node.inputs[1]->Data<W>(),
                      bias ? bias->Data<int32_t>() : nullptr, node.outputs[0]->Data<X>());
    return Status::Ok();
  }
};

// Checks the channel structure of X [N, C, ...], W [M, C / group, k...], B [M], Y [N, M, ...].
Status CheckChannels(const Node& node, int32_t group, const Tensor& x, const Tensor& w,
                     const Tensor* bias, const Tensor& y) {
  if (w.shape.rank != x.shape.rank || x.shape.rank < 3)
    return Status::Error(StatusCode::kInvalidArgument,
                         "Conv node '%s': weights '%s' have rank %d and input '%s' rank %d; both "
                         "must be [batch or filters, channels, spatial...] of equal rank",
                         node.name, w.name, w.shape.rank, x.name, x.shape.rank);
  const int32_t channels = x.shape.dims[1];
  const int32_t filters = w.shape.dims[0];
  if (group < 1 || channels % group != 0 || filters % group != 0 ||
      w.shape.dims[1] * group != channels)
    return Status::Error(StatusCode::kInvalidArgument,
                         "Conv node '%s': group %d does not fit input '%s' with %d channels and "
                         "weights '%s' [%d, %d, ...]; need channels = group * weights dim 1 and "
                         "filters divisible by group",
                         node.name, group, x.name, channels, w.name, filters, w.shape.dims[1]);
  if (y.shape.rank < 2 || y.shape.dims[1] != filters)
    return Status::Error(StatusCode::kInvalidArgument,
                         "Conv node '%s': output '%s' must have %d channels (the filters of '%s')",
                         node.name, y.name, filters, w.name);
  if (bias && (bias->shape.rank != 1 || bias->shape.dims[0] != filters))
    return Status::Error(StatusCode::kInvalidArgument,
                         "Conv node '%s': bias '%s' must have shape [%d]", node.name, bias->name,
                         filters);
  return Status::Ok();
}

Status Prepare(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(CheckArity(node, 2, 3, 1));
  const tmm::ConvOptions* options = node.op->options_as_ConvOptions();
  if (!options) return MissingOptions(node, "ConvOptions");
  const Tensor& x = *node.inputs[0];
  const Tensor& w = *node.inputs[1];
  const Tensor* bias = node.Input(2);
  const Tensor& y = *node.outputs[0];
  TMM_RETURN_IF_ERROR(CheckChannels(node, options->group(), x, w, bias, y));

  auto* p = static_cast<ConvParams*>(context.AllocatePersistent(sizeof(ConvParams)));
  if (!p)
    return Status::Error(StatusCode::kResourceExhausted, "Conv node '%s': out of persistent memory",
                         node.name);
  new (p) ConvParams();
  const WindowAttributes attributes{options->strides(), options->dilations(), options->pads()};
  TMM_RETURN_IF_ERROR(MakeWindowGeometry(node, x, y, &w.shape.dims[2], attributes,
                                         WindowOutputRule::kFloor, &p->window));
  p->batch = x.shape.dims[0];
  p->input_channels = x.shape.dims[1];
  p->group_input_channels = w.shape.dims[1];
  p->output_channels = w.shape.dims[0];
  p->group_output_channels = p->output_channels / options->group();
  node.user_data = p;

  if (x.dtype == DType::kFloat32) {
    TMM_RETURN_IF_ERROR(CheckDType(node, w, DType::kFloat32, "weights"));
    if (bias) TMM_RETURN_IF_ERROR(CheckDType(node, *bias, DType::kFloat32, "bias"));
    TMM_RETURN_IF_ERROR(CheckDType(node, y, DType::kFloat32, "output"));
    TMM_RETURN_IF_ERROR(FloatActivationRange(node, options->activation(), &p->float_range));
    node.eval = EvalFloat;
    return Status::Ok();
  }
  if (x.dtype != DType::kInt8 && x.dtype != DType::kUInt8)
    return UnsupportedDType(node, x, "input");
  TMM_RETURN_IF_ERROR(PrepareLinearRequantization(context, node, x, w, /*weight_channel_axis=*/0,
                                                  p->output_channels, y, options->activation(),
                                                  &p->requantization));
  if (bias) TMM_RETURN_IF_ERROR(CheckQuantizedBias(node, *bias, x, w, p->output_channels));
  node.eval = QuantizedLinearEval<QuantizedConv>(x.dtype, w.dtype);
  return Status::Ok();
}

}  // namespace

KernelRegistration Conv() { return {"Conv", Prepare, EvalFloat}; }

}  // namespace tinymlops::runtime::reference
