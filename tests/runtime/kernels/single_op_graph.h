// Test support for kernel tests: builds a graph of one op from TensorDefs and runs it with a
// chosen kernel set through toolchain::ModelSession, so every kernel test runs end to end
// (writer, verifier, interpreter, prepare, eval) on both the reference and optimized kernels.
#ifndef TINYMLOPS_TESTS_RUNTIME_KERNELS_SINGLE_OP_GRAPH_H_
#define TINYMLOPS_TESTS_RUNTIME_KERNELS_SINGLE_OP_GRAPH_H_

#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "toolchain/graph/graph.h"
#include "toolchain/graph/model_session.h"

namespace tinymlops::kernel_test {

using runtime::DType;
using toolchain::KernelSet;
using toolchain::TensorDef;

template <typename T>
constexpr DType DTypeOf() {
  if constexpr (std::is_same_v<T, float>) return DType::kFloat32;
  if constexpr (std::is_same_v<T, int8_t>) return DType::kInt8;
  if constexpr (std::is_same_v<T, uint8_t>) return DType::kUInt8;
  if constexpr (std::is_same_v<T, int32_t>) return DType::kInt32;
  return DType::kInt64;
}

// A tensor holding `values` (fed as a graph input unless made constant with Constant()).
template <typename T>
TensorDef Values(std::string name, std::vector<int32_t> shape, const std::vector<T>& values) {
  TensorDef tensor;
  tensor.name = std::move(name);
  tensor.dtype = DTypeOf<T>();
  tensor.shape = std::move(shape);
  tensor.SetValues(values);
  tensor.is_constant = false;
  return tensor;
}

// A tensor with no values: an op output.
inline TensorDef Spec(std::string name, DType dtype, std::vector<int32_t> shape) {
  TensorDef tensor;
  tensor.name = std::move(name);
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  return tensor;
}

// `tensor` with per-tensor quantization.
inline TensorDef Quantized(TensorDef tensor, float scale, int32_t zero_point) {
  tensor.quant.scale = {scale};
  tensor.quant.zero_point = {zero_point};
  tensor.quant.axis = -1;
  return tensor;
}

// `tensor` with per-axis quantization.
inline TensorDef QuantizedPerAxis(TensorDef tensor, std::vector<float> scales,
                                  std::vector<int32_t> zero_points, int axis) {
  tensor.quant.scale = std::move(scales);
  tensor.quant.zero_point = std::move(zero_points);
  tensor.quant.axis = axis;
  return tensor;
}

inline TensorDef Constant(TensorDef tensor) {
  tensor.is_constant = true;
  return tensor;
}

// An absent optional op input.
inline TensorDef Absent() { return TensorDef(); }

// One op of `type` over `inputs` (non-constant ones become graph inputs, fed with their values
// by Run; Absent() ones are -1) producing `outputs` (the graph outputs).
struct SingleOpGraph {
  toolchain::Graph graph;
  std::vector<TensorDef> feeds;

  SingleOpGraph(tmm::OpType type, std::vector<TensorDef> inputs, std::vector<TensorDef> outputs,
                tmm::OpOptionsUnion options = {}) {
    toolchain::OpDef op;
    op.type = type;
    op.name = "op";
    op.options = std::move(options);
    for (TensorDef& input : inputs) {
      if (input.name.empty()) {  // Absent()
        op.inputs.push_back(-1);
        continue;
      }
      if (!input.is_constant) {
        feeds.push_back(input);
        input.data.clear();
        graph.inputs.push_back(static_cast<int>(graph.tensors.size()));
      }
      op.inputs.push_back(graph.AddTensor(std::move(input)));
    }
    for (TensorDef& output : outputs) {
      const int index = graph.AddTensor(std::move(output));
      op.outputs.push_back(index);
      graph.outputs.push_back(index);
    }
    graph.ops.push_back(std::move(op));
  }

  // Loads the graph with `kernels` and runs it once.
  Result<std::vector<TensorDef>> Run(KernelSet kernels) const {
    TMM_ASSIGN_OR_RETURN(auto session, toolchain::ModelSession::FromGraph(graph, kernels));
    return session->Run(feeds);
  }
  // Only loads it (prepare runs): the status of prepare.
  Status Load(KernelSet kernels) const {
    auto session = toolchain::ModelSession::FromGraph(graph, kernels);
    return session.ok() ? Status::Ok() : session.status();
  }
};

// The single output of running `op` with `kernels`, failing the test on any error.
inline TensorDef RunOk(const SingleOpGraph& op, KernelSet kernels) {
  auto outputs = op.Run(kernels);
  EXPECT_TRUE(outputs.ok()) << outputs.status().message();
  if (!outputs.ok() || outputs->empty()) return TensorDef();
  return (*outputs)[0];
}

// Kernel tests are parametrized over both kernel sets.
class KernelSetTest : public ::testing::TestWithParam<KernelSet> {};

inline std::string KernelSetName(const ::testing::TestParamInfo<KernelSet>& info) {
  return info.param == KernelSet::kReference ? "Reference" : "Optimized";
}

#define TMM_INSTANTIATE_FOR_KERNEL_SETS(suite)                                               \
  INSTANTIATE_TEST_SUITE_P(KernelSets, suite,                                                \
                           ::testing::Values(::tinymlops::toolchain::KernelSet::kReference,  \
                                             ::tinymlops::toolchain::KernelSet::kOptimized), \
                           ::tinymlops::kernel_test::KernelSetName)

}  // namespace tinymlops::kernel_test

#endif  // TINYMLOPS_TESTS_RUNTIME_KERNELS_SINGLE_OP_GRAPH_H_
