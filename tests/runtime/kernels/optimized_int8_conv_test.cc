// Differential tests of the optimized int8/uint8 Conv kernels against the reference kernel: the
// outputs must be identical bytes (the determinism contract), over random shapes (1-D and 2-D),
// strides, dilations, pads, groups (depthwise included), zero points, per-tensor and
// per-channel weight scales, int8 and uint8 weights, bias and fused activations, plus the
// shapes of the benchmark models' layers (wide rows, many channels).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "runtime/kernels/optimized_differential.h"

namespace tinymlops::testing {
namespace {

using runtime::DType;

struct Int8ConvCase {
  DType dtype = DType::kInt8;  // of X and Y
  DType weight_dtype = DType::kInt8;
  int spatial_rank = 2;  // 1: X is [N, C, W] (height 1)
  int batch = 1, channels = 1, height = 1, width = 1, filters = 1, group = 1;
  int kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool per_channel = true, bias = true;
  // Every input 255 from its zero point, the first half of each filter's patch 127 above the
  // weight zero point and the second half 127 below, no bias, and an output step of one
  // accumulator unit: windows inside the input sum to exactly 0 after partial sums of
  // 127 * 255 * taps / 2, so any rounding of those sums shows in the output.
  bool extreme = false;
  tmm::ActivationType activation = tmm::ActivationType::None;

  int OutH() const {
    return (height + pad_top + pad_bottom - dilation_h * (kernel_h - 1) - 1) / stride_h + 1;
  }
  int OutW() const {
    return (width + pad_left + pad_right - dilation_w * (kernel_w - 1) - 1) / stride_w + 1;
  }
  std::vector<int32_t> Shape(int n, int c, int h, int w) const {
    return spatial_rank == 1 ? std::vector<int32_t>{n, c, w} : std::vector<int32_t>{n, c, h, w};
  }
  std::string Describe() const {
    auto pair = [](int a, int b) { return std::to_string(a) + "x" + std::to_string(b); };
    return std::string(runtime::DTypeName(dtype)) + " weights " + runtime::DTypeName(weight_dtype) +
           " rank " + std::to_string(spatial_rank) + " x [" + std::to_string(batch) + "," +
           std::to_string(channels) + "," + pair(height, width) + "] filters " +
           std::to_string(filters) + " group " + std::to_string(group) + " kernel " +
           pair(kernel_h, kernel_w) + " stride " + pair(stride_h, stride_w) + " dilation " +
           pair(dilation_h, dilation_w) + " pads " + pair(pad_top, pad_left) + "," +
           pair(pad_bottom, pad_right) + (per_channel ? " per-channel" : " per-tensor") +
           (bias ? " bias " : " ") + tmm::EnumNameActivationType(activation);
  }
};

void Quantize(TensorDef& tensor, std::vector<float> scale, std::vector<int32_t> zero_point,
              int axis) {
  tensor.quant.scale = std::move(scale);
  tensor.quant.zero_point = std::move(zero_point);
  tensor.quant.axis = axis;
}

void CheckInt8Conv(const Int8ConvCase& c, std::mt19937& rng) {
  auto uniform = [&rng](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(rng);
  };
  const bool signed_x = c.dtype == DType::kInt8, signed_w = c.weight_dtype == DType::kInt8;
  const int x_low = signed_x ? -128 : 0, x_high = signed_x ? 127 : 255;
  const int w_low = signed_w ? -128 : 0, w_high = signed_w ? 127 : 255;
  Graph graph;
  graph.name = "int8_conv";
  TensorDef x_def = RandomIntTensor("x", c.dtype, c.Shape(c.batch, c.channels, c.height, c.width),
                                    x_low, x_high, rng, false);
  Quantize(x_def, {0.05f}, {c.extreme ? x_high : uniform(x_low, x_high)}, -1);
  if (c.extreme) {
    x_def.SetValues(std::vector<uint8_t>(x_def.data.size(), static_cast<uint8_t>(x_low)));
    x_def.is_constant = false;
  }
  const int x = graph.AddTensor(x_def);
  const int in_group = c.channels / c.group;
  TensorDef w_def =
      RandomIntTensor("w", c.weight_dtype, c.Shape(c.filters, in_group, c.kernel_h, c.kernel_w),
                      w_low, w_high, rng, true);
  const int patch = in_group * c.kernel_h * c.kernel_w;
  if (c.extreme) {
    std::vector<uint8_t> values(w_def.data.size());
    for (size_t i = 0; i < values.size(); ++i)
      values[i] =
          static_cast<uint8_t>((signed_w ? 0 : 128) + (int(i % patch) < patch / 2 ? 127 : -127));
    w_def.SetValues(values);
  }
  const int scales = c.per_channel ? c.filters : 1;
  std::vector<float> w_scale(scales);
  std::vector<int32_t> w_zero_point(scales);
  for (int i = 0; i < scales; ++i) {
    w_scale[i] = 0.001f * static_cast<float>(uniform(1, 20));
    // Symmetric int8 weights (the quantizer's) half the time; any zero point otherwise.
    w_zero_point[i] =
        c.extreme ? (signed_w ? 0 : 128) : (signed_w && uniform(0, 1) ? 0 : uniform(w_low, w_high));
  }
  Quantize(w_def, w_scale, w_zero_point, c.per_channel ? 0 : -1);
  const int w = graph.AddTensor(w_def);
  int b = -1;
  if (c.bias) {
    TensorDef b_def = RandomIntTensor("b", DType::kInt32, {c.filters}, -20000, 20000, rng, true);
    b = graph.AddTensor(b_def);
  }
  TensorDef y_def = ActivationTensor("y", c.dtype, c.Shape(c.batch, c.filters, c.OutH(), c.OutW()));
  const float depth = static_cast<float>(in_group * c.kernel_h * c.kernel_w);
  // Spread the outputs over the whole range, some saturating: the clamp is tested too.
  const float y_scale =
      c.extreme ? 0.05f * w_scale[0]
                : 0.05f * 0.01f * 60.0f * std::sqrt(depth) * (uniform(0, 1) ? 1.0f : 0.1f);
  Quantize(y_def, {y_scale}, {uniform(x_low / 2, x_high / 2) + (signed_x ? 0 : 64)}, -1);
  const int y = graph.AddTensor(y_def);
  tmm::ConvOptionsT options;
  options.group = c.group;
  if (c.spatial_rank == 1) {
    options.strides = {c.stride_w};
    options.dilations = {c.dilation_w};
    options.pads = {c.pad_left, c.pad_right};
  } else {
    options.strides = {c.stride_h, c.stride_w};
    options.dilations = {c.dilation_h, c.dilation_w};
    options.pads = {c.pad_top, c.pad_left, c.pad_bottom, c.pad_right};
  }
  options.activation = std::make_unique<tmm::ActivationT>();
  options.activation->type = c.activation;
  options.activation->clip_min = -1.0f;
  options.activation->clip_max = 2.0f;
  toolchain::OpDef op;
  op.type = tmm::OpType::Conv;
  op.name = "conv";
  op.inputs = c.bias ? std::vector<int>{x, w, b} : std::vector<int>{x, w};
  op.outputs = {y};
  op.options.Set(std::move(options));
  graph.ops.push_back(std::move(op));
  graph.inputs = {x};
  graph.outputs = {y};
  TensorDef reference, optimized;
  RunBothKernelSets(graph, {graph.tensors[x]}, &reference, &optimized);
  ExpectBytesEqual(reference, optimized, c.Describe());
}

Int8ConvCase RandomCase(std::mt19937& rng) {
  auto uniform = [&rng](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(rng);
  };
  Int8ConvCase c;
  c.dtype = uniform(0, 2) == 0 ? DType::kUInt8 : DType::kInt8;
  c.weight_dtype = uniform(0, 3) == 0 ? DType::kUInt8 : DType::kInt8;
  c.spatial_rank = uniform(0, 4) == 0 ? 1 : 2;
  c.batch = uniform(1, 2);
  const int kind = uniform(0, 2);  // 0: dense, 1: grouped, 2: depthwise
  const int groups = kind == 0 ? 1 : uniform(2, 5);
  c.group = groups;
  c.channels = groups * (kind == 2 ? 1 : uniform(1, 9));
  c.filters = kind == 2 ? c.channels : groups * uniform(1, 9);
  c.height = c.spatial_rank == 1 ? 1 : uniform(1, 12);
  c.width = uniform(1, 40);
  c.kernel_h = c.spatial_rank == 1 ? 1 : uniform(1, 4);
  c.kernel_w = uniform(1, 4);
  c.stride_h = c.spatial_rank == 1 ? 1 : uniform(1, 3);
  c.stride_w = uniform(1, 3);
  c.dilation_h = c.spatial_rank == 1 ? 1 : uniform(1, 2);
  c.dilation_w = uniform(1, 2);
  if (c.spatial_rank == 2) {
    c.pad_top = uniform(0, 2);
    c.pad_bottom = uniform(0, 2);
  }
  c.pad_left = uniform(0, 2);
  c.pad_right = uniform(0, 2);
  // Keep at least one output pixel.
  c.height = std::max(c.height, c.dilation_h * (c.kernel_h - 1) + 1);
  c.width = std::max(c.width, c.dilation_w * (c.kernel_w - 1) + 1);
  c.per_channel = uniform(0, 1);
  c.bias = uniform(0, 1);
  c.activation = static_cast<tmm::ActivationType>(uniform(0, 2));
  return c;
}

TEST(OptimizedInt8ConvTest, RandomConvolutionsAreBitExact) {
  std::mt19937 rng(2024);
  for (int trial = 0; trial < 300; ++trial) {
    CheckInt8Conv(RandomCase(rng), rng);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// Depthwise convolutions of at least 16 channels on small planes sum on the channel-blocked
// float kernel (blocked_depthwise_conv.h): channel counts that are not a multiple of 16, more
// channels than one chunk (300 on 6x6), strides, dilations, pads, 1-D and 2-D, both dtypes.
TEST(OptimizedInt8ConvTest, ChannelBlockedDepthwiseIsBitExact) {
  std::mt19937 rng(1616);
  for (int trial = 0; trial < 40; ++trial) {
    Int8ConvCase c = RandomCase(rng);
    if (trial == 0) c.spatial_rank = 2, c.kernel_h = c.kernel_w = 3, c.dilation_h = 1;
    c.channels = c.filters = c.group = trial == 0 ? 300 : 16 + trial % 25;
    c.height = trial == 0 ? 6 : std::min(c.height, 8);
    c.width = trial == 0 ? 6 : std::min(c.width, 10);
    c.height = std::max(c.height, c.dilation_h * (c.kernel_h - 1) + 1);
    c.width = std::max(c.width, c.dilation_w * (c.kernel_w - 1) + 1);
    CheckInt8Conv(c, rng);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// Depthwise convolutions with the output pixels in the lanes (int8_pixel_depthwise_conv.h):
// vectors that span several narrow rows or stop where a row's windows leave a 64-byte load,
// kernel rows of 1 to 9 taps (one to three tap quads), strides, dilations and asymmetric pads,
// planes built from the prepare-time table and, past 8 KB, row by row (rows wider than 64
// bytes), both dtypes and weight zero points, batches of 2; and windows too sparse for a load
// (stride 24), which keep the float-summing kernel.
TEST(OptimizedInt8ConvTest, PixelDepthwiseConvolutionsAreBitExact) {
  std::mt19937 rng(4242);
  struct Shape {
    int height, width, kernel_h, kernel_w, stride, dilation;
  };
  const Shape shapes[] = {
      {25, 5, 3, 3, 1, 1},  {6, 6, 3, 3, 2, 1},   {12, 12, 3, 3, 2, 1},  {48, 48, 3, 3, 2, 1},
      {3, 3, 3, 3, 1, 1},   {7, 17, 3, 5, 1, 2},  {9, 33, 1, 9, 1, 1},   {11, 15, 5, 7, 3, 1},
      {4, 16, 2, 4, 1, 3},  {1, 1, 1, 1, 1, 1},   {110, 100, 3, 3, 1, 1}, {5, 150, 3, 2, 2, 2},
      {3, 200, 1, 3, 24, 1}};
  for (const Shape& shape : shapes) {
    Int8ConvCase c = RandomCase(rng);  // dtypes, batch, pads, scales, bias, activation
    c.spatial_rank = 2;
    c.channels = c.filters = c.group = std::uniform_int_distribution<int>(1, 20)(rng);
    c.kernel_h = shape.kernel_h;
    c.kernel_w = shape.kernel_w;
    c.stride_h = c.stride_w = shape.stride;
    c.dilation_h = c.dilation_w = shape.dilation;
    c.height = std::max(shape.height, c.dilation_h * (c.kernel_h - 1) + 1);
    c.width = std::max(shape.width, c.dilation_w * (c.kernel_w - 1) + 1);
    CheckInt8Conv(c, rng);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(OptimizedInt8ConvTest, PointwiseConvolutionsAreBitExact) {
  std::mt19937 rng(7);
  for (DType dtype : {DType::kInt8, DType::kUInt8})
    for (DType weight_dtype : {DType::kInt8, DType::kUInt8}) {
      Int8ConvCase c;
      c.dtype = dtype;
      c.weight_dtype = weight_dtype;
      c.channels = 37;
      c.filters = 70;
      c.height = 11;
      c.width = 13;  // 143 pixels: full and partial vectors of one flattened row
      c.activation = tmm::ActivationType::Relu;
      CheckInt8Conv(c, rng);
      if (::testing::Test::HasFatalFailure()) return;
    }
}

TEST(OptimizedInt8ConvTest, BenchmarkModelLayersAreBitExact) {
  std::mt19937 rng(11);
  // {channels, size, filters, group, kernel, stride, pad}: the layers of ResNet-8, MobileNetV1
  // and DS-CNN (whose first layer is 10x4 on 49x10), with rows wider than one 64-pixel tile.
  struct Layer {
    int channels, height, width, filters, group, kernel_h, kernel_w, stride, pad;
  };
  const Layer layers[] = {
      {3, 32, 32, 16, 1, 3, 3, 1, 1},  {16, 32, 32, 32, 1, 3, 3, 2, 1},
      {16, 32, 32, 32, 1, 1, 1, 2, 0}, {3, 96, 96, 8, 1, 3, 3, 2, 1},
      {8, 48, 48, 8, 8, 3, 3, 1, 1},   {16, 48, 48, 16, 16, 3, 3, 2, 1},
      {64, 25, 5, 64, 64, 3, 3, 1, 1}, {1, 49, 10, 64, 1, 10, 4, 2, 1},
      {130, 3, 3, 67, 1, 1, 1, 1, 0},  {8, 5, 100, 12, 1, 3, 3, 1, 1},
      {32, 8, 8, 64, 1, 3, 3, 1, 1},   {32, 16, 16, 64, 1, 3, 3, 2, 1},
  };
  for (const Layer& layer : layers) {
    Int8ConvCase c;
    c.channels = layer.channels;
    c.height = layer.height;
    c.width = layer.width;
    c.filters = layer.filters;
    c.group = layer.group;
    c.kernel_h = layer.kernel_h;
    c.kernel_w = layer.kernel_w;
    c.stride_h = c.stride_w = layer.stride;
    c.pad_top = c.pad_left = c.pad_bottom = c.pad_right = layer.pad;
    c.activation = tmm::ActivationType::Clip;
    CheckInt8Conv(c, rng);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// Fewer than 4 input channels with many taps and narrow rows: the patch im2col layout (patch
// elements, not channels, in the quads), read from the padded planes at every stride (1 and 2
// specialised, 3 gathered) and dilation, with asymmetric padding.
TEST(OptimizedInt8ConvTest, FewInputChannelsAreBitExact) {
  std::mt19937 rng(13);
  const int kernels[][2] = {{3, 3}, {5, 2}, {10, 4}};
  for (int channels = 1; channels <= 3; ++channels)
    for (const auto& kernel : kernels)
      for (int stride = 1; stride <= 3; ++stride)
        for (int dilation = 1; dilation <= 2; ++dilation) {
          Int8ConvCase c;
          c.dtype = stride == 2 ? DType::kUInt8 : DType::kInt8;
          c.weight_dtype = dilation == 2 ? DType::kUInt8 : DType::kInt8;
          c.channels = channels;
          c.filters = 5 + channels;
          c.height = 21;
          c.width = 9;
          c.kernel_h = kernel[0];
          c.kernel_w = kernel[1];
          c.stride_h = c.stride_w = stride;
          c.dilation_h = c.dilation_w = dilation;
          c.pad_top = 2;
          c.pad_left = 1;
          c.pad_right = 2;
          c.per_channel = channels != 2;
          c.activation = tmm::ActivationType::Relu;
          CheckInt8Conv(c, rng);
          if (::testing::Test::HasFatalFailure()) return;
        }
}

// Depthwise sums (and, without the integer kernels of int8_conv.h, every Conv's) run in float32,
// exact while 255 * sum |w| < 2^24: 500 extreme taps (partial sums up to 8.1M) stay on that
// path; at 1040 taps (partial sums of 16.8M, which float32 would round: its final sum would be
// -1, not 0) the node must fall back to int32 arithmetic. The taps are a 1-D kernel's, or a
// dense convolution's input channels times a kernel of 4.
TEST(OptimizedInt8ConvTest, ConvolutionsAtTheExactFloatBoundAreBitExact) {
  std::mt19937 rng(3);
  for (DType dtype : {DType::kInt8, DType::kUInt8})
    for (int taps : {500, 1040})
      for (bool depthwise : {true, false}) {
        Int8ConvCase c;
        c.dtype = c.weight_dtype = dtype;
        c.spatial_rank = 1;
        if (depthwise) {
          c.channels = c.filters = c.group = 3;
          c.width = taps + 20;
          c.kernel_w = taps;
        } else {
          c.channels = taps / 4;
          c.filters = 3;
          c.width = 9;
          c.kernel_w = 4;
        }
        c.pad_left = c.pad_right = 2;
        c.extreme = true;
        c.bias = false;
        c.per_channel = false;
        CheckInt8Conv(c, rng);
        if (::testing::Test::HasFatalFailure()) return;
      }
}

}  // namespace
}  // namespace tinymlops::testing
