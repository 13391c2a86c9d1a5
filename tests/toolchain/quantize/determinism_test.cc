// The determinism contract of docs/determinism.md: an int8 model gives bit-identical outputs on
// every kernel set and on every run, and quantization itself is reproducible.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "toolchain/graph/model_session.h"
#include "toolchain/graph/tmm_writer.h"
#include "toolchain/quantize/quantize_test_models.h"
#include "toolchain/quantize/quantizer.h"

namespace tinymlops::toolchain {
namespace {

using testing_models::ModelBuilder;
using testing_models::UniformSamples;
using testing_models::UniformValues;

// Conv (ReLU) -> Reshape -> Gemm -> Softmax.
Graph SmallCnn() {
  ModelBuilder model;
  const int x = model.Input("x", {1, 2, 6, 6});
  const int conv = model.Conv(x, {4, 2, 3, 3}, UniformValues(72, 1, -0.5f, 0.5f),
                              UniformValues(4, 2, -0.1f, 0.1f), /*group=*/1, /*pad=*/0, "conv");
  const int relu = model.Unary(tmm::OpType::Relu, conv, "relu");
  const int flat = model.Reshape(relu, {1, 64}, "flat");
  std::vector<std::vector<float>> weights(5);
  for (int n = 0; n < 5; ++n) weights[n] = UniformValues(64, 10 + n, -0.3f, 0.3f);
  const int logits =
      model.Gemm(flat, weights, UniformValues(5, 3, -0.1f, 0.1f), /*trans_b=*/true, "logits");
  const int probabilities = model.Softmax(logits, 1, "probabilities");
  return model.Finish({probabilities});
}

std::vector<CalibrationSample> Samples() {
  return UniformSamples("x", {1, 2, 6, 6}, 16, 100, -1.0f, 1.0f);
}

std::vector<std::vector<uint8_t>> OutputBytes(const Graph& graph, KernelSet kernels) {
  Result<std::unique_ptr<ModelSession>> session = ModelSession::FromGraph(graph, kernels);
  EXPECT_TRUE(session.ok()) << session.status().message();
  std::vector<std::vector<uint8_t>> bytes;
  if (!session.ok()) return bytes;
  for (const CalibrationSample& sample : UniformSamples("x", {1, 2, 6, 6}, 8, 500, -1.5f, 1.5f)) {
    Result<std::vector<TensorDef>> outputs = (*session)->Run(sample);
    EXPECT_TRUE(outputs.ok()) << outputs.status().message();
    if (outputs.ok()) bytes.push_back(outputs->at(0).data);
  }
  return bytes;
}

TEST(Determinism, Int8ModelIsBitIdenticalOnReferenceAndOptimizedKernels) {
  Result<Graph> quantized = QuantizeGraph(SmallCnn(), Samples(), QuantizeOptions{});
  ASSERT_TRUE(quantized.ok()) << quantized.status().message();
  const auto reference = OutputBytes(*quantized, KernelSet::kReference);
  const auto optimized = OutputBytes(*quantized, KernelSet::kOptimized);
  ASSERT_EQ(reference.size(), 8u);
  EXPECT_EQ(reference, optimized);
}

TEST(Determinism, RunningTwiceGivesIdenticalBytes) {
  Result<Graph> quantized = QuantizeGraph(SmallCnn(), Samples(), QuantizeOptions{});
  ASSERT_TRUE(quantized.ok()) << quantized.status().message();
  Result<std::unique_ptr<ModelSession>> session =
      ModelSession::FromGraph(*quantized, KernelSet::kOptimized);
  ASSERT_TRUE(session.ok()) << session.status().message();
  const CalibrationSample input = UniformSamples("x", {1, 2, 6, 6}, 1, 900, -1.0f, 1.0f)[0];
  Result<std::vector<TensorDef>> first = (*session)->Run(input);
  Result<std::vector<TensorDef>> second = (*session)->Run(input);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->at(0).data, second->at(0).data);
}

TEST(Determinism, QuantizingTwiceWritesTheSameModelBytes) {
  Result<Graph> first = QuantizeGraph(SmallCnn(), Samples(), QuantizeOptions{});
  Result<Graph> second = QuantizeGraph(SmallCnn(), Samples(), QuantizeOptions{});
  ASSERT_TRUE(first.ok() && second.ok());
  Result<std::vector<uint8_t>> first_bytes = WriteTmm(*first);
  Result<std::vector<uint8_t>> second_bytes = WriteTmm(*second);
  ASSERT_TRUE(first_bytes.ok()) << first_bytes.status().message();
  ASSERT_TRUE(second_bytes.ok());
  EXPECT_EQ(*first_bytes, *second_bytes);
}

}  // namespace
}  // namespace tinymlops::toolchain
