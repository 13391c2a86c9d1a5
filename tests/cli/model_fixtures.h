// Small models for the CLI's integration tests, built as toolchain Graphs and written as .tmm
// files, and .npy inputs. Expected outputs are computed in the tests by plain loops.
#ifndef TINYMLOPS_TESTS_CLI_MODEL_FIXTURES_H_
#define TINYMLOPS_TESTS_CLI_MODEL_FIXTURES_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "toolchain/graph/graph.h"
#include "toolchain/graph/tmm_writer.h"
#include "toolchain/io/file_io.h"
#include "toolchain/io/npy.h"

namespace tinymlops::cli_test {

using toolchain::Graph;
using toolchain::OpDef;
using toolchain::TensorDef;

inline TensorDef Activation(const std::string& name, std::vector<int32_t> shape,
                            runtime::DType dtype = runtime::DType::kFloat32) {
  TensorDef tensor;
  tensor.name = name;
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  return tensor;
}

inline TensorDef Constant(const std::string& name, std::vector<int32_t> shape,
                          const std::vector<float>& values) {
  TensorDef tensor = Activation(name, std::move(shape));
  tensor.SetValues(values);
  return tensor;
}

inline OpDef Op(tmm::OpType type, const std::string& name, std::vector<int> inputs,
                std::vector<int> outputs) {
  OpDef op;
  op.type = type;
  op.name = name;
  op.inputs = std::move(inputs);
  op.outputs = std::move(outputs);
  return op;
}

// "affine": y = relu(x * w + b) elementwise, x and y float32 [1, 4].
constexpr float kAffineW[4] = {2.0f, -1.0f, 0.5f, 3.0f};
constexpr float kAffineB[4] = {0.5f, 0.25f, -1.0f, 0.0f};
inline Graph AffineGraph() {
  Graph graph;
  graph.name = "affine";
  graph.version = "2.1.0";
  graph.source = "cli test";
  const int x = graph.AddTensor(Activation("x", {1, 4}));
  const int w = graph.AddTensor(Constant("w", {4}, {kAffineW, kAffineW + 4}));
  const int b = graph.AddTensor(Constant("b", {4}, {kAffineB, kAffineB + 4}));
  const int scaled = graph.AddTensor(Activation("scaled", {1, 4}));
  const int shifted = graph.AddTensor(Activation("shifted", {1, 4}));
  const int y = graph.AddTensor(Activation("y", {1, 4}));
  graph.ops.push_back(Op(tmm::OpType::Mul, "mul", {x, w}, {scaled}));
  graph.ops.push_back(Op(tmm::OpType::Add, "add", {scaled, b}, {shifted}));
  graph.ops.push_back(Op(tmm::OpType::Relu, "relu", {shifted}, {y}));
  graph.inputs = {x};
  graph.outputs = {y};
  return graph;
}

// "pair": sum = a + b and difference = a - b, all float32 [1, 3]; the outputs' names hold
// characters that are not safe in file names.
inline Graph PairGraph() {
  Graph graph;
  graph.name = "pair";
  const int a = graph.AddTensor(Activation("a", {1, 3}));
  const int b = graph.AddTensor(Activation("b", {1, 3}));
  const int sum = graph.AddTensor(Activation("out/sum", {1, 3}));
  const int difference = graph.AddTensor(Activation("out:difference", {1, 3}));
  graph.ops.push_back(Op(tmm::OpType::Add, "add", {a, b}, {sum}));
  graph.ops.push_back(Op(tmm::OpType::Sub, "sub", {a, b}, {difference}));
  graph.inputs = {a, b};
  graph.outputs = {sum, difference};
  return graph;
}

// "dequantize": y = 0.5 * (q - 1), q int8 [2, 2] quantized per tensor, y float32 [2, 2].
inline Graph DequantizeGraph() {
  Graph graph;
  graph.name = "dequantize";
  TensorDef q = Activation("q", {2, 2}, runtime::DType::kInt8);
  q.quant.scale = {0.5f};
  q.quant.zero_point = {1};
  const int input = graph.AddTensor(q);
  const int y = graph.AddTensor(Activation("y", {2, 2}));
  graph.ops.push_back(Op(tmm::OpType::DequantizeLinear, "dequantize", {input}, {y}));
  graph.inputs = {input};
  graph.outputs = {y};
  return graph;
}

inline void WriteModel(const Graph& graph, const std::string& path) {
  auto bytes = toolchain::WriteTmm(graph);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  ASSERT_TRUE(toolchain::WriteFileAtomically(path, bytes->data(), bytes->size()).ok());
}

template <typename T>
void WriteNpy(const std::string& path, std::vector<int32_t> shape, const std::vector<T>& values,
              runtime::DType dtype = runtime::DType::kFloat32) {
  TensorDef tensor;
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  tensor.SetValues(values);
  ASSERT_TRUE(toolchain::WriteNpyFile(path, tensor).ok());
}

template <typename T>
std::vector<T> ReadNpyValues(const std::string& path, std::vector<int32_t> expected_shape) {
  auto tensor = toolchain::ReadNpyFile(path);
  EXPECT_TRUE(tensor.ok()) << tensor.status().message();
  if (!tensor.ok()) return {};
  EXPECT_EQ(tensor->shape, expected_shape);
  return tensor->Values<T>();
}

}  // namespace tinymlops::cli_test

#endif  // TINYMLOPS_TESTS_CLI_MODEL_FIXTURES_H_
