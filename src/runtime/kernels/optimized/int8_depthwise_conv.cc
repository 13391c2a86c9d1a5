#include "runtime/kernels/optimized/int8_depthwise_conv.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "runtime/kernels/optimized/blocked_depthwise_conv.h"
#include "runtime/kernels/optimized/depthwise_conv.h"
#include "runtime/kernels/optimized/flat_conv_layout.h"
#include "runtime/kernels/optimized/int8_conv_channels.h"

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = kFloatLanes;
constexpr int kChunkFloats = 8192;  // input (or output) floats converted at a time

struct DepthwiseData {
  ConvGeometry geometry;
  ConvGeometry chunk_geometry;  // of a chunk of channels of one image (its in_channels)
  FlatConvLayout layout;        // of chunk_geometry (the same for any channel count)
  // With the channels in lanes (blocked_depthwise_conv.h) when `blocked`, chunks then being a
  // multiple of 16 channels; else depthwise_conv.h through `layout`.
  bool blocked = false;
  BlockedDepthwiseConv blocked_conv;  // of every channel of one image, unbiased, unclamped
  bool signed_input = false;          // int8 (else uint8)
  const float* weights = nullptr;     // [C][kernel taps]: w - w_zero_point
  const int32_t* tap_offsets = nullptr;
  Int8ConvChannels channels;
  size_t input_floats = 0;   // chunk channels * in_plane
  size_t planes_floats = 0;  // DepthwiseConvFloatScratchFloats
};

Status EvalInt8Depthwise(Node& node) {
  const auto& data = *static_cast<const DepthwiseData*>(node.user_data);
  const ConvGeometry& g = data.chunk_geometry;
  const int channels = data.geometry.in_channels;
  const int taps = g.kernel_h * g.kernel_w;
  const auto* x = static_cast<const uint8_t*>(node.inputs[0]->data);
  auto* y = static_cast<uint8_t*>(node.outputs[0]->data);
  auto* input = static_cast<float*>(node.scratch);
  float* planes = input + data.input_floats;
  float* sums = planes + data.planes_floats;
  const FloatRange unclamped{-INFINITY, INFINITY};
  for (int n = 0; n < data.geometry.batch; ++n)
    for (int c0 = 0; c0 < channels; c0 += g.in_channels) {
      ConvGeometry chunk = g;
      chunk.in_channels = chunk.out_channels = chunk.group = std::min(g.in_channels, channels - c0);
      const ptrdiff_t first = ptrdiff_t{n} * channels + c0;
      CenteredFloats(x + first * g.in_plane(), data.signed_input, data.channels.input_zero_point,
                     int64_t{chunk.in_channels} * g.in_plane(), input);
      if (data.blocked) {
        BlockedDepthwiseConv part = data.blocked_conv;
        part.geometry = chunk;
        part.weights += ptrdiff_t{c0} * taps;
        part.bias += c0;
        BlockedDepthwiseConvFloat(part, input, planes, sums);
      } else {
        const DepthwiseConvFloatParams params{&chunk,           &data.layout,
                                              data.tap_offsets, data.weights + ptrdiff_t{c0} * taps,
                                              nullptr,          unclamped};
        DepthwiseConvFloat(params, input, planes, sums);
      }
      for (int c = 0; c < chunk.in_channels; ++c)
        RequantizeFloatSums(sums + ptrdiff_t{c} * g.out_plane(), g.out_plane(),
                            data.channels.channel[c0 + c], data.channels,
                            y + (first + c) * g.out_plane());
    }
  return Status::Ok();
}

}  // namespace

Status PrepareInt8DepthwiseConv(PrepareContext& context, Node& node, const ConvGeometry& g) {
  Int8ConvChannels channels;
  TMM_RETURN_IF_ERROR(PrepareInt8ConvChannels(context, node, &channels));
  const Tensor& weights = *node.inputs[1];
  const int taps = g.kernel_h * g.kernel_w;
  if (!ConvSumsExactInFloat(node, channels, taps)) return Status::Ok();  // the reference's

  ConvGeometry image_geometry = g;
  image_geometry.batch = 1;
  int chunk = std::max(1, kChunkFloats / std::max(g.in_plane(), g.out_plane()));
  // The blocked kernel where a chunk holds at least one block (so it adds only its tile to the
  // scratch), on chunks of whole blocks.
  const bool blocked = chunk >= kLanes && BlockedDepthwiseConvFits(image_geometry);
  if (blocked) chunk = chunk / kLanes * kLanes;
  ConvGeometry chunk_geometry = image_geometry;
  chunk_geometry.in_channels = chunk_geometry.out_channels = chunk_geometry.group =
      std::min(chunk, g.in_channels);
  FlatConvLayout layout;
  if (!blocked && !MakeFlatConvLayout(chunk_geometry, &layout)) return Status::Ok();

  const size_t weight_bytes = sizeof(float) * taps * g.in_channels;
  const size_t plan_bytes =
      blocked ? 0 : FlatConvStorePlanSegments(layout) * sizeof(FlatStoreSegment);
  const size_t mask_bytes =
      blocked ? 0 : FlatConvTapMaskCount(chunk_geometry, layout) * sizeof(uint16_t);
  const size_t blocked_bytes =
      blocked ? BlockedDepthwiseConvPersistentFloats(image_geometry) * sizeof(float) : 0;
  auto* data = static_cast<DepthwiseData*>(context.AllocatePersistent(sizeof(DepthwiseData)));
  auto* packed = static_cast<float*>(context.AllocatePersistent(weight_bytes));
  auto* tap_offsets = static_cast<int32_t*>(context.AllocatePersistent(sizeof(int32_t) * taps));
  auto* plan = static_cast<FlatStoreSegment*>(context.AllocatePersistent(plan_bytes));
  auto* masks = static_cast<uint16_t*>(context.AllocatePersistent(mask_bytes));
  auto* blocked_floats = static_cast<float*>(context.AllocatePersistent(blocked_bytes));
  if (!data || !packed || !tap_offsets || (plan_bytes && !plan) || (mask_bytes && !masks) ||
      (blocked_bytes && !blocked_floats))
    return Status::Error(StatusCode::kResourceExhausted,
                         "Conv node '%s': cannot allocate %zu bytes for depthwise weights",
                         node.name, weight_bytes + plan_bytes + mask_bytes + blocked_bytes);
  for (int c = 0; c < g.in_channels; ++c)
    for (int t = 0; t < taps; ++t) {
      const ptrdiff_t i = ptrdiff_t{c} * taps + t;
      packed[i] =
          static_cast<float>(ConvWeightAt(weights, i) - channels.channel[c].weight_zero_point);
    }
  *data = DepthwiseData{};
  if (blocked) {
    MakeBlockedDepthwiseConv(image_geometry, packed, nullptr, FloatRange{-INFINITY, INFINITY},
                             blocked_floats, &data->blocked_conv);
  } else {
    FillFlatConvStorePlan(&layout, plan);
    FillFlatConvTapMasks(chunk_geometry, &layout, masks);
    FillFlatConvTapOffsets(chunk_geometry, layout, 1, tap_offsets);
  }
  data->geometry = g;
  data->chunk_geometry = chunk_geometry;
  data->layout = layout;
  data->blocked = blocked;
  data->signed_input = node.inputs[0]->dtype == DType::kInt8;
  data->weights = packed;
  data->tap_offsets = tap_offsets;
  data->channels = channels;
  data->input_floats = static_cast<size_t>(chunk_geometry.in_channels) * g.in_plane();
  data->planes_floats = blocked ? BlockedDepthwiseConvScratchFloats(data->blocked_conv)
                                : DepthwiseConvFloatScratchFloats(chunk_geometry, layout);
  const size_t sums_floats = static_cast<size_t>(chunk_geometry.in_channels) * g.out_plane();
  context.RequestScratch(node,
                         (data->input_floats + data->planes_floats + sums_floats) * sizeof(float));
  node.user_data = data;
  node.eval = EvalInt8Depthwise;
  return Status::Ok();
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
