// Kernel microbenchmarks: one Conv or Gemm op built as a toolchain::Graph with random weights,
// at the shapes of the MLPerf Tiny models (DS-CNN KWS, ResNet-8, MobileNetV1 0.25 VWW, FC
// autoencoder), batch 1, one thread, with the reference and the optimized kernel sets.
// Each iteration is one Interpreter::Invoke() of the single-op model.
//   build/<dir>/bench/kernels_bench [--benchmark_filter=REGEX]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "toolchain/graph/graph.h"
#include "toolchain/graph/model_session.h"

namespace tinymlops {
namespace {

using toolchain::Graph;
using toolchain::KernelSet;
using toolchain::ModelSession;
using toolchain::TensorDef;

TensorDef FloatTensor(const std::string& name, std::vector<int32_t> shape, std::mt19937* rng) {
  TensorDef tensor;
  tensor.name = name;
  tensor.shape = std::move(shape);
  if (rng) {
    std::uniform_real_distribution<float> value(-1.0f, 1.0f);
    std::vector<float> values(static_cast<size_t>(tensor.ElementCount()));
    for (float& v : values) v = value(*rng);
    tensor.SetValues(values);
  }
  return tensor;
}

struct ConvShape {
  const char* name;
  int channels, height, width, filters, group, kernel_h, kernel_w, stride;
  int pad_top, pad_left, pad_bottom, pad_right;
};

Graph ConvGraph(const ConvShape& s) {
  std::mt19937 rng(1);
  const int out_h = (s.height + s.pad_top + s.pad_bottom - s.kernel_h) / s.stride + 1;
  const int out_w = (s.width + s.pad_left + s.pad_right - s.kernel_w) / s.stride + 1;
  Graph graph;
  graph.name = s.name;
  const int x = graph.AddTensor(FloatTensor("x", {1, s.channels, s.height, s.width}, nullptr));
  const int w = graph.AddTensor(
      FloatTensor("w", {s.filters, s.channels / s.group, s.kernel_h, s.kernel_w}, &rng));
  const int b = graph.AddTensor(FloatTensor("b", {s.filters}, &rng));
  const int y = graph.AddTensor(FloatTensor("y", {1, s.filters, out_h, out_w}, nullptr));
  tmm::ConvOptionsT options;
  options.group = s.group;
  options.strides = {s.stride, s.stride};
  options.pads = {s.pad_top, s.pad_left, s.pad_bottom, s.pad_right};
  options.activation = std::make_unique<tmm::ActivationT>();
  options.activation->type = tmm::ActivationType::Relu;
  toolchain::OpDef op;
  op.type = tmm::OpType::Conv;
  op.name = s.name;
  op.inputs = {x, w, b};
  op.outputs = {y};
  op.options.Set(std::move(options));
  graph.ops.push_back(std::move(op));
  graph.inputs = {x};
  graph.outputs = {y};
  return graph;
}

Graph GemmGraph(const char* name, int in_features, int out_features) {
  std::mt19937 rng(2);
  Graph graph;
  graph.name = name;
  const int x = graph.AddTensor(FloatTensor("x", {1, in_features}, nullptr));
  const int w = graph.AddTensor(FloatTensor("w", {out_features, in_features}, &rng));
  const int b = graph.AddTensor(FloatTensor("b", {out_features}, &rng));
  const int y = graph.AddTensor(FloatTensor("y", {1, out_features}, nullptr));
  tmm::GemmOptionsT options;
  options.trans_b = true;  // PyTorch's Linear layout
  options.activation = std::make_unique<tmm::ActivationT>();
  options.activation->type = tmm::ActivationType::Relu;
  toolchain::OpDef op;
  op.type = tmm::OpType::Gemm;
  op.name = name;
  op.inputs = {x, w, b};
  op.outputs = {y};
  op.options.Set(std::move(options));
  graph.ops.push_back(std::move(op));
  graph.inputs = {x};
  graph.outputs = {y};
  return graph;
}

void RunInvoke(benchmark::State& state, const Graph& graph, KernelSet kernels) {
  auto session = ModelSession::FromGraph(graph, kernels);
  if (!session.ok()) {
    state.SkipWithError(session.status().message());
    return;
  }
  runtime::Interpreter& interpreter = (*session)->interpreter();
  runtime::Tensor& input = *interpreter.input(0);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  for (int64_t i = 0; i < input.ElementCount(); ++i) input.Data<float>()[i] = value(rng);
  for (auto _ : state) {
    const Status status = interpreter.Invoke();
    if (!status.ok()) {
      state.SkipWithError(status.message());
      return;
    }
    benchmark::DoNotOptimize(interpreter.output(0)->data);
  }
}

void RegisterAll() {
  static const ConvShape convs[] = {
      {"kws_conv1_10x4s2", 1, 49, 10, 64, 1, 10, 4, 2, 4, 1, 5, 2},
      {"kws_dw3x3_64x25x5", 64, 25, 5, 64, 64, 3, 3, 1, 1, 1, 1, 1},
      {"kws_pw_64x25x5", 64, 25, 5, 64, 1, 1, 1, 1, 0, 0, 0, 0},
      {"resnet_stem_3to16_32x32", 3, 32, 32, 16, 1, 3, 3, 1, 1, 1, 1, 1},
      {"resnet_16to16_32x32", 16, 32, 32, 16, 1, 3, 3, 1, 1, 1, 1, 1},
      {"resnet_16to32s2_32x32", 16, 32, 32, 32, 1, 3, 3, 2, 1, 1, 1, 1},
      {"resnet_32to32_16x16", 32, 16, 16, 32, 1, 3, 3, 1, 1, 1, 1, 1},
      {"resnet_64to64_8x8", 64, 8, 8, 64, 1, 3, 3, 1, 1, 1, 1, 1},
      {"resnet_shortcut_16to32s2", 16, 32, 32, 32, 1, 1, 1, 2, 0, 0, 0, 0},
      {"mbv1_stem_3to8s2_96x96", 3, 96, 96, 8, 1, 3, 3, 2, 0, 0, 1, 1},
      {"mbv1_dw8_48x48", 8, 48, 48, 8, 8, 3, 3, 1, 1, 1, 1, 1},
      {"mbv1_pw8to16_48x48", 8, 48, 48, 16, 1, 1, 1, 1, 0, 0, 0, 0},
      {"mbv1_dw16s2_48x48", 16, 48, 48, 16, 16, 3, 3, 2, 0, 0, 1, 1},
      {"mbv1_pw64to128_12x12", 64, 12, 12, 128, 1, 1, 1, 1, 0, 0, 0, 0},
      {"mbv1_dw128_6x6", 128, 6, 6, 128, 128, 3, 3, 1, 1, 1, 1, 1},
      {"mbv1_pw256to256_3x3", 256, 3, 3, 256, 1, 1, 1, 1, 0, 0, 0, 0},
  };
  struct GemmShape {
    const char* name;
    int in, out;
  };
  static const GemmShape gemms[] = {{"fc_640to128", 640, 128},
                                    {"fc_128to128", 128, 128},
                                    {"fc_128to8", 128, 8},
                                    {"fc_8to128", 8, 128},
                                    {"fc_128to640", 128, 640}};
  const std::pair<const char*, KernelSet> sets[] = {{"reference", KernelSet::kReference},
                                                    {"optimized", KernelSet::kOptimized}};
  for (const ConvShape& shape : convs)
    for (const auto& [set_name, set] : sets) {
      const Graph graph = ConvGraph(shape);
      benchmark::RegisterBenchmark(
          (std::string("Conv/") + shape.name + "/" + set_name).c_str(),
          [graph, set = set](benchmark::State& state) { RunInvoke(state, graph, set); });
    }
  for (const GemmShape& shape : gemms)
    for (const auto& [set_name, set] : sets) {
      const Graph graph = GemmGraph(shape.name, shape.in, shape.out);
      benchmark::RegisterBenchmark(
          (std::string("Gemm/") + shape.name + "/" + set_name).c_str(),
          [graph, set = set](benchmark::State& state) { RunInvoke(state, graph, set); });
    }
}

}  // namespace
}  // namespace tinymlops

int main(int argc, char** argv) {
  tinymlops::RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
