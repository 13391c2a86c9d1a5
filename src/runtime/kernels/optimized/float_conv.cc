#include "runtime/kernels/optimized/float_conv.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

#include <algorithm>

#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/optimized/conv_geometry.h"
#include "runtime/kernels/optimized/depthwise_conv.h"
#include "runtime/kernels/optimized/sgemm.h"

namespace tinymlops::runtime::optimized {
namespace {

// im2col block budget: K x columns floats, about half of a 256 KB L2 share.
constexpr int kIm2colBlockFloats = 32 * 1024;
constexpr int kIm2colColumnAlign = 32;  // GemmPackedA tile width

struct FloatConvData {
  ConvGeometry geometry;
  const float* packed_weights = nullptr;  // group after group, `group_floats` each
  size_t group_floats = 0;
  const float* weights = nullptr;         // depthwise: the model's [C, 1, kh, kw] weights
  const float* bias = nullptr;
  FloatRange clamp{};
  int block_columns = 0;                  // im2col: output pixels per block
};

// Fills col[k * columns + (n - first)] for output pixels n in [first, first + columns) of one
// group whose input channels start at `input`.
void Im2col(const ConvGeometry& g, const float* input, int first, int columns, float* col) {
  for (int c = 0; c < g.in_channels_per_group(); ++c) {
    const float* channel = input + static_cast<ptrdiff_t>(c) * g.in_plane();
    for (int i = 0; i < g.kernel_h; ++i)
      for (int j = 0; j < g.kernel_w; ++j) {
        float* row = col;
        col += columns;
        const int x_offset = j * g.dilation_w - g.pad_left;
        // Output columns whose input column x * stride_w + x_offset lies inside the image.
        const int x_begin = x_offset >= 0 ? 0 : (-x_offset + g.stride_w - 1) / g.stride_w;
        const int last_inside = g.in_w - 1 - x_offset;
        const int x_end = last_inside < 0 ? 0 : last_inside / g.stride_w + 1;
        for (int n = first; n < first + columns;) {
          const int y = n / g.out_w;
          const int x_first = n % g.out_w;
          const int x_last = std::min(g.out_w, x_first + first + columns - n);
          float* out = row + (n - first);  // out[x - x_first] is output column x of row y
          const int in_y = y * g.stride_h + i * g.dilation_h - g.pad_top;
          const bool row_inside = in_y >= 0 && in_y < g.in_h;
          const int lo = row_inside ? std::clamp(x_begin, x_first, x_last) : x_last;
          const int hi = row_inside ? std::clamp(x_end, lo, x_last) : x_last;
          ZeroFloats(out, lo - x_first);
          if (hi > lo) {
            const float* in_row = channel + in_y * g.in_w;
            if (g.stride_w == 1)
              CopyFloats(out + (lo - x_first), in_row + lo + x_offset, hi - lo);
            else
              for (int x = lo; x < hi; ++x) out[x - x_first] = in_row[x * g.stride_w + x_offset];
          }
          ZeroFloats(out + (hi - x_first), x_last - hi);
          n += x_last - x_first;
        }
      }
  }
}

Status EvalGemmConv(Node& node) {
  const auto& data = *static_cast<const FloatConvData*>(node.user_data);
  const ConvGeometry& g = data.geometry;
  const int m = g.out_channels_per_group(), k = g.patch_size(), n = g.out_plane();
  const bool pointwise = g.IsPointwise();
  float* col = static_cast<float*>(node.scratch);
  for (int image = 0; image < g.batch; ++image) {
    const float* input = node.inputs[0]->Data<float>() +
                         static_cast<ptrdiff_t>(image) * g.in_channels * g.in_plane();
    float* output = node.outputs[0]->Data<float>() +
                    static_cast<ptrdiff_t>(image) * g.out_channels * n;
    for (int group = 0; group < g.group; ++group) {
      const float* group_input =
          input + static_cast<ptrdiff_t>(group) * g.in_channels_per_group() * g.in_plane();
      float* group_output = output + static_cast<ptrdiff_t>(group) * m * n;
      const float* weights = data.packed_weights + group * data.group_floats;
      const GemmEpilogue epilogue{data.bias ? data.bias + group * m : nullptr, data.clamp};
      if (pointwise) {
        GemmPackedA(weights, m, k, group_input, n, n, group_output, n, epilogue);
        continue;
      }
      for (int first = 0; first < n; first += data.block_columns) {
        const int columns = std::min(data.block_columns, n - first);
        Im2col(g, group_input, first, columns, col);
        GemmPackedA(weights, m, k, col, columns, columns, group_output + first, n, epilogue);
      }
    }
  }
  return Status::Ok();
}

Status EvalDepthwiseConv(Node& node) {
  const auto& data = *static_cast<const FloatConvData*>(node.user_data);
  const ConvGeometry& g = data.geometry;
  for (int image = 0; image < g.batch; ++image)
    DepthwiseConvFloat(g,
                       node.inputs[0]->Data<float>() +
                           static_cast<ptrdiff_t>(image) * g.in_channels * g.in_plane(),
                       data.weights, data.bias, data.clamp, static_cast<float*>(node.scratch),
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
  if (!weights.is_constant || weights.dtype != DType::kFloat32 ||
      (bias && (!bias->is_constant || bias->dtype != DType::kFloat32)) ||
      !ReadConvGeometry(node, &g))
    return Status::Ok();
  FloatRange clamp;
  const tmm::ConvOptions* options = node.op->options_as_ConvOptions();
  TMM_RETURN_IF_ERROR(
      FloatActivationRange(node, options ? options->activation() : nullptr, &clamp));

  auto* data = static_cast<FloatConvData*>(context.AllocatePersistent(sizeof(FloatConvData)));
  if (!data) return OutOfPersistentMemory(node, sizeof(FloatConvData));
  *data = FloatConvData{};
  data->geometry = g;
  data->bias = bias ? bias->Data<float>() : nullptr;
  data->clamp = clamp;
  if (DepthwiseConvFloatSupports(g)) {
    data->weights = weights.Data<float>();
    context.RequestScratch(node, DepthwiseConvFloatScratchFloats(g) * sizeof(float));
    node.user_data = data;
    node.eval = EvalDepthwiseConv;
    return Status::Ok();
  }
  const int m = g.out_channels_per_group(), k = g.patch_size();
  data->group_floats = PackedRowPanelsFloats(m, k);
  const size_t packed_bytes = data->group_floats * g.group * sizeof(float);
  auto* packed = static_cast<float*>(context.AllocatePersistent(packed_bytes));
  if (!packed) return OutOfPersistentMemory(node, packed_bytes);
  for (int group = 0; group < g.group; ++group)
    PackRowPanels(weights.Data<float>() + static_cast<ptrdiff_t>(group) * m * k, k, 1, m, k,
                  packed + group * data->group_floats);
  data->packed_weights = packed;
  if (!g.IsPointwise()) {
    const int n = g.out_plane();
    const int budget_columns =
        std::max(kIm2colColumnAlign,
                 kIm2colBlockFloats / k / kIm2colColumnAlign * kIm2colColumnAlign);
    data->block_columns = std::min(n, budget_columns);
    context.RequestScratch(node, static_cast<size_t>(k) * data->block_columns * sizeof(float));
  }
  node.user_data = data;
  node.eval = EvalGemmConv;
  return Status::Ok();
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
