#include "runtime/kernels/optimized/int8_float_conv.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

#include <cmath>
#include <cstdint>

#include "runtime/kernels/optimized/conv_geometry.h"
#include "runtime/kernels/optimized/float_conv.h"
#include "runtime/kernels/optimized/int8_conv_channels.h"
#include "runtime/kernels/optimized/int8_depthwise_conv.h"

namespace tinymlops::runtime::optimized {
namespace {

struct Int8FloatConvData {
  ConvGeometry geometry;  // of the node; the plan's is one image of it
  const FloatConvPlan* plan = nullptr;
  Int8ConvChannels channels;
  bool signed_input = false;  // int8 (else uint8)
  size_t input_floats = 0;    // one image
  size_t plan_floats = 0;
};

Status EvalInt8FloatConv(Node& node) {
  const auto& data = *static_cast<const Int8FloatConvData*>(node.user_data);
  const ConvGeometry& g = data.geometry;
  const auto* x = static_cast<const uint8_t*>(node.inputs[0]->data);
  auto* y = static_cast<uint8_t*>(node.outputs[0]->data);
  auto* input = static_cast<float*>(node.scratch);
  float* plan_scratch = input + data.input_floats;
  float* sums = plan_scratch + data.plan_floats;
  const ptrdiff_t in_image = ptrdiff_t{g.in_channels} * g.in_plane();
  const ptrdiff_t out_image = ptrdiff_t{g.out_channels} * g.out_plane();
  for (int n = 0; n < g.batch; ++n) {
    CenteredFloats(x + n * in_image, data.signed_input, data.channels.input_zero_point, in_image,
                   input);
    RunFloatConvPlan(*data.plan, input, plan_scratch, sums);
    for (int m = 0; m < g.out_channels; ++m)
      RequantizeFloatSums(sums + ptrdiff_t{m} * g.out_plane(), g.out_plane(),
                          data.channels.channel[m], data.channels,
                          y + n * out_image + ptrdiff_t{m} * g.out_plane());
  }
  return Status::Ok();
}

}  // namespace

Status PrepareInt8FloatConv(PrepareContext& context, Node& node) {
  if (!HasConstantConvParameters(node)) return Status::Ok();
  ConvGeometry g;
  if (!ReadConvGeometry(node, &g)) return Status::Ok();
  if (g.IsDepthwise()) return PrepareInt8DepthwiseConv(context, node, g);
  Int8ConvChannels channels;
  TMM_RETURN_IF_ERROR(PrepareInt8ConvChannels(context, node, &channels));
  const int patch = g.patch_size();
  if (!ConvSumsExactInFloat(node, channels, patch)) return Status::Ok();  // the reference's

  const Tensor& weights = *node.inputs[1];
  const size_t weight_floats = static_cast<size_t>(g.out_channels) * patch;
  auto* data =
      static_cast<Int8FloatConvData*>(context.AllocatePersistent(sizeof(Int8FloatConvData)));
  auto* centered = static_cast<float*>(context.AllocatePersistent(weight_floats * sizeof(float)));
  if (!data || !centered)
    return Status::Error(StatusCode::kResourceExhausted,
                         "Conv node '%s': cannot allocate %zu bytes for float weights", node.name,
                         sizeof(Int8FloatConvData) + weight_floats * sizeof(float));
  for (int m = 0; m < g.out_channels; ++m)
    for (int i = 0; i < patch; ++i) {
      const ptrdiff_t index = ptrdiff_t{m} * patch + i;
      centered[index] =
          static_cast<float>(ConvWeightAt(weights, index) - channels.channel[m].weight_zero_point);
    }
  ConvGeometry image = g;
  image.batch = 1;
  const FloatConvPlan* plan = nullptr;
  size_t plan_floats = 0;
  TMM_RETURN_IF_ERROR(PrepareFloatConvPlan(context, node, image, centered, nullptr,
                                           FloatRange{-INFINITY, INFINITY}, &plan, &plan_floats));
  if (!plan) return Status::Ok();
  *data = Int8FloatConvData{};
  data->geometry = g;
  data->plan = plan;
  data->channels = channels;
  data->signed_input = node.inputs[0]->dtype == DType::kInt8;
  data->input_floats = static_cast<size_t>(g.in_channels) * g.in_plane();
  data->plan_floats = plan_floats;
  const size_t sums_floats = static_cast<size_t>(g.out_channels) * g.out_plane();
  context.RequestScratch(node, (data->input_floats + plan_floats + sums_floats) * sizeof(float));
  node.user_data = data;
  node.eval = EvalInt8FloatConv;
  return Status::Ok();
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
