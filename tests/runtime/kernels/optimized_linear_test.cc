// Differential tests of the optimized float32 Gemm and MatMul kernels against the reference
// kernels: random sizes, transposes, alpha/beta, every broadcast form of C, activations, and
// MatMul batch dims.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "runtime/kernels/optimized_differential.h"

namespace tinymlops::testing {
namespace {

std::string Dims(const std::vector<int32_t>& shape) {
  std::string text = "[";
  for (int32_t d : shape) text += std::to_string(d) + ",";
  return text + "]";
}

// One op reading input x (tensor 0) and constants, writing y.
void CheckSingleOp(Graph& graph, toolchain::OpDef op, int x, int y, const std::string& context) {
  graph.name = "linear";
  graph.ops.push_back(std::move(op));
  graph.inputs = {x};
  graph.outputs = {y};
  TensorDef input = graph.tensors[x];
  input.is_constant = false;
  TensorDef reference, optimized;
  RunBothKernelSets(graph, {input}, &reference, &optimized);
  ExpectFloatsClose(reference, optimized, context);
}

TEST(OptimizedLinearTest, RandomFloatGemmsMatchReference) {
  std::mt19937 rng(11);
  auto uniform = [&rng](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(rng);
  };
  for (int trial = 0; trial < 120; ++trial) {
    const int m = uniform(0, 2) == 0 ? uniform(2, 9) : 1;
    const int k = uniform(1, 300);
    const int n = uniform(1, 200);
    const bool trans_a = uniform(0, 1), trans_b = uniform(0, 1);
    const int c_form = uniform(0, 5);  // none, scalar, [N], [1, N], [M, N], [M, 1]
    const std::vector<std::vector<int32_t>> c_shapes = {{}, {}, {n}, {1, n}, {m, n}, {m, 1}};
    Graph graph;
    const std::vector<int32_t> a_shape =
        trans_a ? std::vector<int32_t>{k, m} : std::vector<int32_t>{m, k};
    const std::vector<int32_t> b_shape =
        trans_b ? std::vector<int32_t>{n, k} : std::vector<int32_t>{k, n};
    const int x = graph.AddTensor(RandomFloatTensor("a", a_shape, rng, false));
    const int b = graph.AddTensor(RandomFloatTensor("b", b_shape, rng, true));
    const int c = c_form == 0 ? -1
                              : graph.AddTensor(RandomFloatTensor("c", c_shapes[c_form], rng,
                                                                  true));
    const int y = graph.AddTensor(ActivationTensor("y", runtime::DType::kFloat32, {m, n}));
    tmm::GemmOptionsT options;
    options.alpha = uniform(0, 1) ? 1.0f : 0.5f;
    options.beta = uniform(0, 1) ? 1.0f : -2.0f;
    options.trans_a = trans_a;
    options.trans_b = trans_b;
    options.activation = std::make_unique<tmm::ActivationT>();
    options.activation->type = static_cast<tmm::ActivationType>(uniform(0, 2));
    options.activation->clip_min = -1.0f;
    options.activation->clip_max = 2.0f;
    toolchain::OpDef op;
    op.type = tmm::OpType::Gemm;
    op.name = "gemm";
    op.inputs = {x, b, c};
    op.outputs = {y};
    op.options.Set(std::move(options));
    CheckSingleOp(graph, std::move(op), x, y,
                  "Gemm A " + Dims(a_shape) + " B " + Dims(b_shape) + " C form " +
                      std::to_string(c_form));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(OptimizedLinearTest, RandomFloatMatMulsMatchReference) {
  std::mt19937 rng(12);
  auto uniform = [&rng](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(rng);
  };
  for (int trial = 0; trial < 80; ++trial) {
    const int k = uniform(1, 200);
    const int n = uniform(1, 150);
    std::vector<int32_t> a_shape;
    for (int d = uniform(0, 2); d > 0; --d) a_shape.push_back(uniform(1, 3));
    a_shape.push_back(k);
    const bool b_is_vector = uniform(0, 4) == 0;
    const std::vector<int32_t> b_shape =
        b_is_vector ? std::vector<int32_t>{k} : std::vector<int32_t>{k, n};
    std::vector<int32_t> y_shape(a_shape.begin(), a_shape.end() - 1);
    if (!b_is_vector) y_shape.push_back(n);
    Graph graph;
    const int x = graph.AddTensor(RandomFloatTensor("a", a_shape, rng, false));
    const int b = graph.AddTensor(RandomFloatTensor("b", b_shape, rng, true));
    const int y = graph.AddTensor(ActivationTensor("y", runtime::DType::kFloat32, y_shape));
    tmm::MatMulOptionsT options;
    options.activation = std::make_unique<tmm::ActivationT>();
    options.activation->type = static_cast<tmm::ActivationType>(uniform(0, 2));
    options.activation->clip_max = 1.0f;
    toolchain::OpDef op;
    op.type = tmm::OpType::MatMul;
    op.name = "matmul";
    op.inputs = {x, b};
    op.outputs = {y};
    op.options.Set(std::move(options));
    CheckSingleOp(graph, std::move(op), x, y,
                  "MatMul A " + Dims(a_shape) + " B " + Dims(b_shape));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace tinymlops::testing
