#include "runtime/kernels/optimized/float_conv.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

#include <new>

#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/optimized/blocked_depthwise_conv.h"
#include "runtime/kernels/optimized/conv_geometry.h"
#include "runtime/kernels/optimized/depthwise_conv.h"
#include "runtime/kernels/optimized/flat_conv_layout.h"
#include "runtime/kernels/optimized/sgemm.h"

namespace tinymlops::runtime::optimized {
namespace {

// Pointwise convolutions of at most this many pixels, with at least this many output channels,
// run transposed (RunSmallPlanePointwiseConv).
constexpr int kSmallPlanePixels = 36;
constexpr int kSmallPlaneMinChannels = 32;

}  // namespace

struct FloatConvPlan {
  enum class Kind { kGemm, kSmallPlanePointwise, kDepthwise, kBlockedDepthwise };
  Kind kind = Kind::kGemm;
  ConvGeometry geometry;
  FlatConvLayout layout;
  const int32_t* tap_offsets = nullptr;   // of one group's (or one channel's) taps
  const float* packed_weights = nullptr;  // GEMM: group after group, `group_floats` each
  size_t group_floats = 0;
  const float* weights = nullptr;  // depthwise: the [C, 1, kh, kw] weights
  const float* bias = nullptr;
  FloatRange clamp{};
  BlockedDepthwiseConv blocked;  // kBlockedDepthwise
};

namespace {

void RunGemmConv(const FloatConvPlan& plan, const float* input, float* scratch, float* output) {
  const ConvGeometry& g = plan.geometry;
  const int m = g.out_channels_per_group(), k = g.patch_size();
  const int group_channels = g.in_channels_per_group();
  for (int group = 0; group < g.group; ++group) {
    const float* group_input =
        input + static_cast<ptrdiff_t>(group) * group_channels * g.in_plane();
    const float* planes = group_input;
    if (!plan.layout.reads_input) {
      BuildFlatConvPlanes(g, plan.layout, group_input, group_channels, scratch);
      planes = scratch;
    }
    const FlatConvOperands operands{&plan.layout, planes, plan.tap_offsets,
                                    output + static_cast<ptrdiff_t>(group) * m * g.out_plane(),
                                    g.out_plane()};
    GemmPackedA(plan.packed_weights + group * plan.group_floats, m, k, operands,
                GemmEpilogue{plan.bias ? plan.bias + group * m : nullptr, plan.clamp});
  }
}

// A pointwise convolution of a small plane (a few vectors of pixels at most) runs transposed, so
// that the vectors span output channels instead of a few, partly empty, vectors of pixels: Y^T
// [pixels, out] = X^T * W^T into scratch (sgemm.h GemmPackedB, W^T packed in column panels), then Y
// = its transpose.
void RunSmallPlanePointwiseConv(const FloatConvPlan& plan, const float* input, float* transposed,
                                float* output) {
  const ConvGeometry& g = plan.geometry;
  const int pixels = g.out_plane();
  GemmPackedB(input, 1, pixels, pixels, g.in_channels, plan.packed_weights, g.out_channels,
              transposed, g.out_channels, GemmEpilogue{plan.bias, plan.clamp});
  for (int channel = 0; channel < g.out_channels; ++channel)
    for (int pixel = 0; pixel < pixels; ++pixel)
      output[channel * pixels + pixel] = transposed[pixel * g.out_channels + channel];
}

Status EvalFloatConv(Node& node) {
  const auto& plan = *static_cast<const FloatConvPlan*>(node.user_data);
  RunFloatConvPlan(plan, node.inputs[0]->Data<float>(), static_cast<float*>(node.scratch),
                   node.outputs[0]->Data<float>());
  return Status::Ok();
}

Status OutOfPersistentMemory(const Node& node, size_t bytes) {
  return Status::Error(StatusCode::kResourceExhausted,
                       "Conv node '%s': cannot allocate %zu bytes for packed weights", node.name,
                       bytes);
}

}  // namespace

void RunFloatConvPlan(const FloatConvPlan& plan, const float* input, float* scratch,
                      float* output) {
  const ConvGeometry& g = plan.geometry;
  const DepthwiseConvFloatParams depthwise{&g,           &plan.layout, plan.tap_offsets,
                                           plan.weights, plan.bias,    plan.clamp};
  for (int image = 0; image < g.batch; ++image) {
    const float* image_input = input + static_cast<ptrdiff_t>(image) * g.in_channels * g.in_plane();
    float* image_output = output + static_cast<ptrdiff_t>(image) * g.out_channels * g.out_plane();
    switch (plan.kind) {
      case FloatConvPlan::Kind::kGemm:
        RunGemmConv(plan, image_input, scratch, image_output);
        break;
      case FloatConvPlan::Kind::kSmallPlanePointwise:
        RunSmallPlanePointwiseConv(plan, image_input, scratch, image_output);
        break;
      case FloatConvPlan::Kind::kDepthwise:
        DepthwiseConvFloat(depthwise, image_input, scratch, image_output);
        break;
      case FloatConvPlan::Kind::kBlockedDepthwise:
        BlockedDepthwiseConvFloat(plan.blocked, image_input, scratch, image_output);
        break;
    }
  }
}

Status PrepareFloatConvPlan(PrepareContext& context, const Node& node, const ConvGeometry& g,
                            const float* weights, const float* bias, FloatRange clamp,
                            const FloatConvPlan** plan_out, size_t* scratch_floats) {
  *plan_out = nullptr;
  FlatConvLayout layout;
  if (g.patch_size() < 1 || !MakeFlatConvLayout(g, &layout)) return Status::Ok();
  const size_t plan_bytes = (sizeof(FloatConvPlan) + 63) / 64 * 64;
  const bool depthwise = g.IsDepthwise();
  if (depthwise && BlockedDepthwiseConvFits(g)) {
    const size_t bytes = plan_bytes + BlockedDepthwiseConvPersistentFloats(g) * sizeof(float);
    auto* block = static_cast<unsigned char*>(context.AllocatePersistent(bytes));
    if (!block) return OutOfPersistentMemory(node, bytes);
    auto* plan = new (block) FloatConvPlan{};
    plan->kind = FloatConvPlan::Kind::kBlockedDepthwise;
    plan->geometry = g;
    MakeBlockedDepthwiseConv(g, weights, bias, clamp, reinterpret_cast<float*>(block + plan_bytes),
                             &plan->blocked);
    *scratch_floats = BlockedDepthwiseConvScratchFloats(plan->blocked);
    *plan_out = plan;
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
  // One block: the plan, the packed weights, the store plan, the tap offsets, the tap masks.
  const size_t weight_bytes = group_floats * g.group * sizeof(float);
  const size_t store_bytes = FlatConvStorePlanSegments(layout) * sizeof(FlatStoreSegment);
  const size_t offset_bytes = taps * sizeof(int32_t);
  const size_t bytes = plan_bytes + weight_bytes + store_bytes + offset_bytes +
                       FlatConvTapMaskCount(g, layout) * sizeof(uint16_t);
  auto* block = static_cast<unsigned char*>(context.AllocatePersistent(bytes));
  if (!block) return OutOfPersistentMemory(node, bytes);
  auto* plan = new (block) FloatConvPlan{};
  auto* packed = reinterpret_cast<float*>(block + plan_bytes);
  auto* store_plan = reinterpret_cast<FlatStoreSegment*>(block + plan_bytes + weight_bytes);
  auto* tap_offsets = reinterpret_cast<int32_t*>(block + plan_bytes + weight_bytes + store_bytes);
  auto* tap_masks =
      reinterpret_cast<uint16_t*>(block + plan_bytes + weight_bytes + store_bytes + offset_bytes);
  FillFlatConvStorePlan(&layout, store_plan);
  FillFlatConvTapMasks(g, &layout, tap_masks);
  FillFlatConvTapOffsets(g, layout, tap_channels, tap_offsets);
  plan->geometry = g;
  plan->layout = layout;
  plan->tap_offsets = tap_offsets;
  plan->bias = bias;
  plan->clamp = clamp;
  if (depthwise) {
    plan->kind = FloatConvPlan::Kind::kDepthwise;
    plan->weights = weights;
    *scratch_floats = DepthwiseConvFloatScratchFloats(g, layout);
  } else if (small_plane_pointwise) {
    plan->kind = FloatConvPlan::Kind::kSmallPlanePointwise;
    PackColumnPanels(weights, 1, k, k, m, 1.0f, packed);
    plan->packed_weights = packed;
    *scratch_floats = static_cast<size_t>(g.out_plane()) * m;
  } else {
    plan->kind = FloatConvPlan::Kind::kGemm;
    for (int group = 0; group < g.group; ++group)
      PackRowPanels(weights + static_cast<ptrdiff_t>(group) * m * k, k, 1, m, k,
                    packed + group * group_floats);
    plan->packed_weights = packed;
    plan->group_floats = group_floats;
    *scratch_floats = FlatConvPlanesFloats(layout, tap_channels);
  }
  *plan_out = plan;
  return Status::Ok();
}

Status PrepareFloatConv(PrepareContext& context, Node& node) {
  const Tensor& weights = *node.inputs[1];
  const Tensor* bias = node.Input(2);
  ConvGeometry g;
  if (!weights.is_constant || weights.dtype != DType::kFloat32 ||
      (bias && (!bias->is_constant || bias->dtype != DType::kFloat32)) ||
      !ReadConvGeometry(node, &g))
    return Status::Ok();
  FloatRange clamp;
  const tmm::ConvOptions* options = node.op->options_as_ConvOptions();
  TMM_RETURN_IF_ERROR(
      FloatActivationRange(node, options ? options->activation() : nullptr, &clamp));
  const FloatConvPlan* plan = nullptr;
  size_t scratch_floats = 0;
  TMM_RETURN_IF_ERROR(PrepareFloatConvPlan(context, node, g, weights.Data<float>(),
                                           bias ? bias->Data<float>() : nullptr, clamp, &plan,
                                           &scratch_floats));
  if (!plan) return Status::Ok();
  context.RequestScratch(node, scratch_floats * sizeof(float));
  node.user_data = const_cast<FloatConvPlan*>(plan);
  node.eval = EvalFloatConv;
  return Status::Ok();
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
