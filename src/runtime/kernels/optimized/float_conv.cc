#include "runtime/kernels/optimized/float_conv.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/optimized/blocked_depthwise_conv.h"
#include "runtime/kernels/optimized/conv_geometry.h"
#include "runtime/kernels/optimized/depthwise_conv.h"
#include "runtime/kernels/optimized/flat_conv_layout.h"
#include "runtime/kernels/optimized/sgemm.h"

namespace tinymlops::runtime::optimized {
namespace {

// Pointwise convolutions of at most this many pixels, with at least this many output channels,
// run transposed (EvalSmallPlanePointwiseConv).
constexpr int kSmallPlanePixels = 36;
constexpr int kSmallPlaneMinChannels = 32;

struct FloatConvData {
  ConvGeometry geometry;
  FlatConvLayout layout;
  const int32_t* tap_offsets = nullptr;   // of one group's (or one channel's) taps
  const float* packed_weights = nullptr;  // GEMM: group after group, `group_floats` each
  size_t group_floats = 0;
  const float* weights = nullptr;  // depthwise: the model's [C, 1, kh, kw] weights
  const float* bias = nullptr;
  FloatRange clamp{};
};

Status EvalGemmConv(Node& node) {
  const auto& data = *static_cast<const FloatConvData*>(node.user_data);
  const ConvGeometry& g = data.geometry;
  const int m = g.out_channels_per_group(), k = g.patch_size();
  const int group_channels = g.in_channels_per_group();
  for (int image = 0; image < g.batch; ++image) {
    const float* input = node.inputs[0]->Data<float>() +
                         static_cast<ptrdiff_t>(image) * g.in_channels * g.in_plane();
    float* output = node.outputs[0]->Data<float>() +
                    static_cast<ptrdiff_t>(image) * g.out_channels * g.out_plane();
    for (int group = 0; group < g.group; ++group) {
      const float* group_input =
          input + static_cast<ptrdiff_t>(group) * group_channels * g.in_plane();
      const float* planes = group_input;
      if (!data.layout.reads_input) {
        BuildFlatConvPlanes(g, data.layout, group_input, group_channels,
                            static_cast<float*>(node.scratch));
        planes = static_cast<float*>(node.scratch);
      }
      const FlatConvOperands operands{&data.layout, planes, data.tap_offsets,
                                      output + static_cast<ptrdiff_t>(group) * m * g.out_plane(),
                                      g.out_plane()};
      GemmPackedA(data.packed_weights + group * data.group_floats, m, k, operands,
                  GemmEpilogue{data.bias ? data.bias + group * m : nullptr, data.clamp});
    }
  }
  return Status::Ok();
}

// A pointwise convolution of a small plane (a few vectors of pixels at most) runs transposed, so
// that the vectors span output channels instead of a few, partly empty, vectors of pixels: Y^T
// [pixels, out] = X^T * W^T into scratch (sgemm.h GemmPackedB, W^T packed in column panels), then Y
// = its transpose.
Status EvalSmallPlanePointwiseConv(Node& node) {
  const auto& data = *static_cast<const FloatConvData*>(node.user_data);
  const ConvGeometry& g = data.geometry;
  const int pixels = g.out_plane();
  float* transposed = static_cast<float*>(node.scratch);
  for (int image = 0; image < g.batch; ++image) {
    const float* input =
        node.inputs[0]->Data<float>() + static_cast<ptrdiff_t>(image) * g.in_channels * pixels;
    float* output =
        node.outputs[0]->Data<float>() + static_cast<ptrdiff_t>(image) * g.out_channels * pixels;
    GemmPackedB(input, 1, pixels, pixels, g.in_channels, data.packed_weights, g.out_channels,
                transposed, g.out_channels, GemmEpilogue{data.bias, data.clamp});
    for (int channel = 0; channel < g.out_channels; ++channel)
      for (int pixel = 0; pixel < pixels; ++pixel)
        output[channel * pixels + pixel] = transposed[pixel * g.out_channels + channel];
  }
  return Status::Ok();
}

Status EvalDepthwiseConv(Node& node) {
  const auto& data = *static_cast<const FloatConvData*>(node.user_data);
  const ConvGeometry& g = data.geometry;
  const DepthwiseConvFloatParams params{&g,           &data.layout, data.tap_offsets,
                                        data.weights, data.bias,    data.clamp};
  for (int image = 0; image < g.batch; ++image)
    DepthwiseConvFloat(params,
                       node.inputs[0]->Data<float>() +
                           static_cast<ptrdiff_t>(image) * g.in_channels * g.in_plane(),
                       static_cast<float*>(node.scratch),
                       node.outputs[0]->Data<float>() +
                           static_cast<ptrdiff_t>(image) * g.out_channels * g.out_plane());
  return Status::Ok();
}

Status EvalBlockedDepthwiseConv(Node& node) {
  const auto& conv = *static_cast<const BlockedDepthwiseConv*>(node.user_data);
  const ConvGeometry& g = conv.geometry;
  for (int image = 0; image < g.batch; ++image)
    BlockedDepthwiseConvFloat(conv,
                              node.inputs[0]->Data<float>() +
                                  static_cast<ptrdiff_t>(image) * g.in_channels * g.in_plane(),
                              static_cast<float*>(node.scratch),
                              node.outputs[0]->Data<float>() +
                                  static_cast<ptrdiff_t>(image) * g.out_channels * g.out_plane());
  return Status::Ok();
}

Status OutOfPersistentMemory(const Node& node, size_t bytes) {
  return Status::Error(StatusCode::kResourceExhausted,
                       "Conv node '%s': cannot allocate %zu bytes for packed weights", node.name,
                       bytes);
}

}  // namespace

Status PrepareFloatConv(PrepareContext& context, Node& node) {
  const Tensor& weights = *node.inputs[1];
  const Tensor* bias = node.Input(2);
  ConvGeometry g;
  FlatConvLayout layout;
  if (!weights.is_constant || weights.dtype != DType::kFloat32 ||
      (bias && (!bias->is_constant || bias->dtype != DType::kFloat32)) ||
      !ReadConvGeometry(node, &g) || g.patch_size() < 1 || !MakeFlatConvLayout(g, &layout))
    return Status::Ok();
  FloatRange clamp;
  const tmm::ConvOptions* options = node.op->options_as_ConvOptions();
  TMM_RETURN_IF_ERROR(
      FloatActivationRange(node, options ? options->activation() : nullptr, &clamp));

  const bool depthwise = g.IsDepthwise();
  if (depthwise && BlockedDepthwiseConvFits(g)) {
    const size_t conv_bytes = (sizeof(BlockedDepthwiseConv) + 63) / 64 * 64;
    const size_t bytes = conv_bytes + BlockedDepthwiseConvPersistentFloats(g) * sizeof(float);
    auto* block = static_cast<unsigned char*>(context.AllocatePersistent(bytes));
    if (!block) return OutOfPersistentMemory(node, bytes);
    auto* conv = reinterpret_cast<BlockedDepthwiseConv*>(block);
    MakeBlockedDepthwiseConv(g, weights.Data<float>(), bias ? bias->Data<float>() : nullptr, clamp,
                             reinterpret_cast<float*>(block + conv_bytes), conv);
    context.RequestScratch(node, BlockedDepthwiseConvScratchFloats(*conv) * sizeof(float));
    node.user_data = conv;
    node.eval = EvalBlockedDepthwiseConv;
    return Status::Ok();
  }
  const bool small_plane_pointwise = !depthwise && g.group == 1 && g.IsPointwise() &&
                                     g.out_plane() <= kSmallPlanePixels &&
                                     g.out_channels >= kSmallPlaneMinChannels;
  const int tap_channels = depthwise ? 1 : g.in_channels_per_group();
  const int taps = tap_channels * g.kernel_h * g.kernel_w;
  const int m = g.out_channels_per_group(), k = g.patch_size();
  const size_t group_floats = depthwise               ? 0
                              : small_plane_pointwise ? PackedColumnPanelsFloats(k, m)
                                                      : PackedRowPanelsFloats(m, k);
  // One block: the data, the packed weights, the store plan, the tap offsets, the tap masks.
  const size_t data_bytes = (sizeof(FloatConvData) + 63) / 64 * 64;
  const size_t weight_bytes = group_floats * g.group * sizeof(float);
  const size_t plan_bytes = FlatConvStorePlanSegments(layout) * sizeof(FlatStoreSegment);
  const size_t offset_bytes = taps * sizeof(int32_t);
  const size_t bytes = data_bytes + weight_bytes + plan_bytes + offset_bytes +
                       FlatConvTapMaskCount(g, layout) * sizeof(uint16_t);
  auto* block = static_cast<unsigned char*>(context.AllocatePersistent(bytes));
  if (!block) return OutOfPersistentMemory(node, bytes);
  auto* data = reinterpret_cast<FloatConvData*>(block);
  auto* packed = reinterpret_cast<float*>(block + data_bytes);
  auto* plan = reinterpret_cast<FlatStoreSegment*>(block + data_bytes + weight_bytes);
  auto* tap_offsets = reinterpret_cast<int32_t*>(block + data_bytes + weight_bytes + plan_bytes);
  auto* tap_masks =
      reinterpret_cast<uint16_t*>(block + data_bytes + weight_bytes + plan_bytes + offset_bytes);
  FillFlatConvStorePlan(&layout, plan);
  FillFlatConvTapMasks(g, &layout, tap_masks);
  FillFlatConvTapOffsets(g, layout, tap_channels, tap_offsets);
  *data = FloatConvData{};
  data->geometry = g;
  data->layout = layout;
  data->tap_offsets = tap_offsets;
  data->bias = bias ? bias->Data<float>() : nullptr;
  data->clamp = clamp;
  if (depthwise) {
    data->weights = weights.Data<float>();
    context.RequestScratch(node, DepthwiseConvFloatScratchFloats(g, layout) * sizeof(float));
    node.user_data = data;
    node.eval = EvalDepthwiseConv;
    return Status::Ok();
  }
  if (small_plane_pointwise) {
    PackColumnPanels(weights.Data<float>(), 1, k, k, m, 1.0f, packed);
    data->packed_weights = packed;
    context.RequestScratch(node, static_cast<size_t>(g.out_plane()) * m * sizeof(float));
    node.user_data = data;
    node.eval = EvalSmallPlanePointwiseConv;
    return Status::Ok();
  }
  for (int group = 0; group < g.group; ++group)
    PackRowPanels(weights.Data<float>() + static_cast<ptrdiff_t>(group) * m * k, k, 1, m, k,
                  packed + group * group_floats);
  data->packed_weights = packed;
  data->group_floats = group_floats;
  context.RequestScratch(node, FlatConvPlanesFloats(layout, tap_channels) * sizeof(float));
  node.user_data = data;
  node.eval = EvalGemmConv;
  return Status::Ok();
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
