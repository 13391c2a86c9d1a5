// Differential tests of the optimized float32 Conv kernel against the reference kernel: random
// shapes, strides, dilations, pads, groups (depthwise included), bias and fused activations.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "runtime/kernels/optimized_differential.h"

namespace tinymlops::testing {
namespace {

struct ConvCase {
  int batch, channels, height, width, filters, group;
  int kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  int pad_top, pad_left, pad_bottom, pad_right;
  bool bias;
  tmm::ActivationType activation;

  int OutH() const {
    return (height + pad_top + pad_bottom - dilation_h * (kernel_h - 1) - 1) / stride_h + 1;
  }
  int OutW() const {
    return (width + pad_left + pad_right - dilation_w * (kernel_w - 1) - 1) / stride_w + 1;
  }
  std::string Describe() const {
    return "x [" + std::to_string(batch) + "," + std::to_string(channels) + "," +
           std::to_string(height) + "," + std::to_string(width) + "] filters " +
           std::to_string(filters) + " group " + std::to_string(group) + " kernel " +
           std::to_string(kernel_h) + "x" + std::to_string(kernel_w) + " stride " +
           std::to_string(stride_h) + "x" + std::to_string(stride_w) + " dilation " +
           std::to_string(dilation_h) + "x" + std::to_string(dilation_w) + " pads " +
           std::to_string(pad_top) + "," + std::to_string(pad_left) + "," +
           std::to_string(pad_bottom) + "," + std::to_string(pad_right) +
           (bias ? " bias" : "") + " activation " + tmm::EnumNameActivationType(activation);
  }
};

void CheckConv(const ConvCase& c, std::mt19937& rng) {
  Graph graph;
  graph.name = "conv";
  const int x = graph.AddTensor(
      RandomFloatTensor("x", {c.batch, c.channels, c.height, c.width}, rng, false));
  const int w = graph.AddTensor(RandomFloatTensor(
      "w", {c.filters, c.channels / c.group, c.kernel_h, c.kernel_w}, rng, true));
  const int b = c.bias ? graph.AddTensor(RandomFloatTensor("b", {c.filters}, rng, true)) : -1;
  const int y = graph.AddTensor(
      ActivationTensor("y", runtime::DType::kFloat32, {c.batch, c.filters, c.OutH(), c.OutW()}));
  tmm::ConvOptionsT options;
  options.group = c.group;
  options.strides = {c.stride_h, c.stride_w};
  options.dilations = {c.dilation_h, c.dilation_w};
  options.pads = {c.pad_top, c.pad_left, c.pad_bottom, c.pad_right};
  options.activation = std::make_unique<tmm::ActivationT>();
  options.activation->type = c.activation;
  options.activation->clip_min = -0.5f;
  options.activation->clip_max = 0.75f;
  toolchain::OpDef op;
  op.type = tmm::OpType::Conv;
  op.name = "conv";
  op.inputs = {x, w, b};
  op.outputs = {y};
  op.options.Set(std::move(options));
  graph.ops.push_back(std::move(op));
  graph.inputs = {x};
  graph.outputs = {y};

  TensorDef input = graph.tensors[x];
  input.is_constant = false;
  TensorDef reference, optimized;
  RunBothKernelSets(graph, {input}, &reference, &optimized);
  ExpectFloatsClose(reference, optimized, c.Describe());
}

// The shapes of the models that matter (DS-CNN, ResNet-8, MobileNetV1 0.25).
TEST(OptimizedConvTest, FloatModelShapesMatchReference) {
  std::mt19937 rng(7);
  const tmm::ActivationType relu = tmm::ActivationType::Relu;
  const ConvCase cases[] = {
      {1, 1, 49, 10, 64, 1, 10, 4, 2, 2, 1, 1, 4, 1, 5, 2, true, relu},   // DS-CNN first conv
      {1, 64, 25, 5, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, relu},   // DS-CNN depthwise
      {1, 64, 25, 5, 64, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, true, relu},    // DS-CNN pointwise
      {1, 3, 32, 32, 16, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, relu},    // ResNet-8 stem
      {1, 16, 32, 32, 32, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, true, relu},   // ResNet-8 stride 2
      {1, 16, 32, 32, 32, 1, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, true, tmm::ActivationType::None},
      {1, 3, 96, 96, 8, 1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, true, tmm::ActivationType::Clip},
      {1, 16, 48, 48, 16, 16, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, true, tmm::ActivationType::Clip},
      {1, 256, 3, 3, 256, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, true, tmm::ActivationType::Clip},
  };
  for (const ConvCase& c : cases) CheckConv(c, rng);
}

// Stride-1 convolutions whose padding keeps the width read the input itself, with the taps on
// the padding masked off: symmetric, asymmetric, dilated, grouped, depthwise 3x3 and 5x5, and
// padding that changes the height only.
TEST(OptimizedConvTest, WidthPreservingPaddingMatchesReference) {
  std::mt19937 rng(99);
  const tmm::ActivationType relu = tmm::ActivationType::Relu;
  const tmm::ActivationType none = tmm::ActivationType::None;
  const ConvCase cases[] = {
      {1, 16, 8, 8, 24, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, relu},
      {2, 5, 7, 9, 11, 1, 3, 3, 1, 1, 1, 1, 0, 2, 2, 0, false, none},
      {1, 4, 9, 10, 8, 1, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, true, relu},
      {1, 6, 6, 13, 9, 3, 3, 5, 1, 1, 1, 1, 1, 2, 1, 2, true, none},
      {1, 64, 25, 5, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, relu},
      {1, 7, 11, 17, 7, 7, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, false, tmm::ActivationType::Clip},
      {1, 3, 5, 20, 4, 1, 3, 1, 1, 1, 1, 1, 2, 0, 0, 0, true, relu},
  };
  for (const ConvCase& c : cases) CheckConv(c, rng);
}

// Strided convolutions whose stride phases would be wider than the output, with a small patch
// times output, read an im2col instead: dilated, grouped, asymmetric pads, stride 3.
TEST(OptimizedConvTest, SmallStridedConvolutionsMatchReference) {
  std::mt19937 rng(17);
  const ConvCase cases[] = {
      {1, 4, 9, 11, 6, 2, 3, 3, 2, 2, 2, 1, 1, 2, 0, 1, true, tmm::ActivationType::Relu},
      {2, 1, 13, 10, 5, 1, 4, 3, 3, 3, 1, 2, 2, 0, 1, 2, false, tmm::ActivationType::None},
      {1, 3, 8, 7, 16, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, true, tmm::ActivationType::Clip},
  };
  for (const ConvCase& c : cases) CheckConv(c, rng);
}

// Pointwise convolutions of planes of at most 36 pixels run transposed (output channels in the
// vectors): 36 pixels, 16, one, batches, no bias, clip, odd channel counts.
TEST(OptimizedConvTest, SmallPlanePointwiseMatchesReference) {
  std::mt19937 rng(5);
  const ConvCase cases[] = {
      {2, 40, 4, 4, 33, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, false, tmm::ActivationType::Clip},
      {1, 7, 1, 1, 64, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, true, tmm::ActivationType::Relu},
      {1, 128, 3, 3, 256, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, true, tmm::ActivationType::None},
      {1, 3, 5, 3, 50, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, true, tmm::ActivationType::Relu},
      {1, 64, 6, 6, 128, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, true, tmm::ActivationType::Clip},
      {2, 9, 5, 7, 37, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, false, tmm::ActivationType::None},
  };
  for (const ConvCase& c : cases) CheckConv(c, rng);
}

// Depthwise convolutions of at least 16 channels and small planes run with the channels in the
// vector lanes (blocked_depthwise_conv.h): channel counts that are not a multiple of 16, 1x1
// planes and kernels, strides 1 to 3, symmetric and asymmetric pads, dilations, kernels other
// than 3x3, batches, with and without bias, every fused activation.
TEST(OptimizedConvTest, ChannelBlockedDepthwiseMatchesReference) {
  std::mt19937 rng(16);
  const tmm::ActivationType relu = tmm::ActivationType::Relu;
  const tmm::ActivationType none = tmm::ActivationType::None;
  const tmm::ActivationType clip = tmm::ActivationType::Clip;
  const ConvCase cases[] = {
      {1, 128, 6, 6, 128, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, clip},  // VWW 6x6
      {1, 128, 6, 6, 128, 128, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, true, clip},  // VWW stride 2
      {1, 256, 3, 3, 256, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, clip},  // VWW 3x3
      {1, 32, 24, 24, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, clip},   // VWW 24x24
      {1, 17, 5, 7, 17, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, relu},
      {2, 33, 9, 4, 33, 33, 3, 3, 2, 2, 1, 1, 1, 0, 1, 1, false, none},
      {1, 20, 1, 1, 20, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, relu},  // 1x1 plane
      {1, 40, 1, 1, 40, 40, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, true, none},  // 1x1 everything
      {1, 16, 2, 3, 16, 16, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, false, clip},
      {1, 31, 11, 10, 31, 31, 3, 3, 3, 3, 1, 1, 2, 1, 0, 2, true, clip},  // stride 3
      {1, 48, 9, 9, 48, 48, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, true, relu},    // dilation 2
      {1, 19, 8, 12, 19, 19, 3, 3, 1, 2, 2, 1, 1, 0, 2, 1, false, none},  // mixed
      {1, 24, 7, 9, 24, 24, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, true, clip},    // 5x5
      {2, 50, 10, 4, 50, 50, 3, 1, 2, 1, 1, 1, 1, 0, 1, 0, true, relu},   // 3x1
      {1, 64, 4, 4, 64, 64, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, true, none},    // no padding
      {1, 16, 3, 33, 16, 16, 3, 3, 1, 1, 1, 3, 1, 3, 1, 3, false, relu},  // dilated width
  };
  for (const ConvCase& c : cases) CheckConv(c, rng);
}

// Random depthwise convolutions of 16 to 40 channels on planes of up to 12x12.
TEST(OptimizedConvTest, RandomChannelBlockedDepthwiseMatchesReference) {
  std::mt19937 rng(1616);
  auto uniform = [&rng](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(rng);
  };
  for (int trial = 0; trial < 40; ++trial) {
    ConvCase c{};
    c.batch = uniform(1, 2);
    c.channels = c.filters = c.group = uniform(16, 40);
    c.height = uniform(1, 12);
    c.width = uniform(1, 12);
    c.kernel_h = uniform(1, 5);
    c.kernel_w = uniform(1, 5);
    c.stride_h = uniform(1, 3);
    c.stride_w = uniform(1, 3);
    c.dilation_h = uniform(1, 2);
    c.dilation_w = uniform(1, 2);
    c.pad_top = uniform(0, 2);
    c.pad_left = uniform(0, 2);
    c.pad_bottom = uniform(0, 2);
    c.pad_right = uniform(0, 2);
    c.bias = uniform(0, 1) == 1;
    c.activation = static_cast<tmm::ActivationType>(uniform(0, 2));
    const bool window_fits =
        c.height + c.pad_top + c.pad_bottom > c.dilation_h * (c.kernel_h - 1) &&
        c.width + c.pad_left + c.pad_right > c.dilation_w * (c.kernel_w - 1);
    if (!window_fits) continue;
    CheckConv(c, rng);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(OptimizedConvTest, RandomFloatConvolutionsMatchReference) {
  std::mt19937 rng(2024);
  auto uniform = [&rng](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(rng);
  };
  for (int trial = 0; trial < 150; ++trial) {
    ConvCase c{};
    c.batch = uniform(1, 2);
    const int kind = uniform(0, 2);  // 0: dense, 1: depthwise, 2: grouped
    c.group = kind == 0 ? 1 : uniform(2, 6);
    c.channels = kind == 1 ? c.group : c.group * uniform(1, 5);
    c.filters = kind == 1 ? c.channels : c.group * uniform(1, 6);
    if (kind == 0) c.channels = uniform(1, 20), c.filters = uniform(1, 40);
    c.height = uniform(1, 20);
    c.width = uniform(1, 40);
    c.kernel_h = uniform(1, 5);
    c.kernel_w = uniform(1, 5);
    c.stride_h = uniform(1, 3);
    c.stride_w = uniform(1, 3);
    c.dilation_h = uniform(1, 2);
    c.dilation_w = uniform(1, 2);
    c.pad_top = uniform(0, 2);
    c.pad_left = uniform(0, 2);
    c.pad_bottom = uniform(0, 2);
    c.pad_right = uniform(0, 2);
    c.bias = uniform(0, 1) == 1;
    c.activation = static_cast<tmm::ActivationType>(uniform(0, 2));
    if (uniform(0, 3) == 0) {  // a pointwise convolution: the GEMM reads the input itself
      c.kernel_h = c.kernel_w = c.stride_h = c.stride_w = 1;
      c.pad_top = c.pad_left = c.pad_bottom = c.pad_right = 0;
    }
    const bool window_fits =
        c.height + c.pad_top + c.pad_bottom > c.dilation_h * (c.kernel_h - 1) &&
        c.width + c.pad_left + c.pad_right > c.dilation_w * (c.kernel_w - 1);
    if (!window_fits) continue;
    CheckConv(c, rng);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace tinymlops::testing
