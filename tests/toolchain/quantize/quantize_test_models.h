// Small float models built op by op, and deterministic inputs, for the quantizer tests.
#ifndef TINYMLOPS_TESTS_TOOLCHAIN_QUANTIZE_QUANTIZE_TEST_MODELS_H_
#define TINYMLOPS_TESTS_TOOLCHAIN_QUANTIZE_QUANTIZE_TEST_MODELS_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "toolchain/graph/graph.h"
#include "toolchain/quantize/quantizer.h"

namespace tinymlops::toolchain::testing_models {

inline TensorDef FloatTensor(const std::string& name, const std::vector<int32_t>& shape,
                             const std::vector<float>& values) {
  TensorDef tensor;
  tensor.name = name;
  tensor.shape = shape;
  tensor.SetValues(values);
  return tensor;
}

// `count` values uniform in [low, high), the same on every machine for a given seed.
inline std::vector<float> UniformValues(size_t count, uint32_t seed, float low, float high) {
  std::mt19937 generator(seed);
  std::vector<float> values(count);
  for (float& v : values)
    v = low + (high - low) * static_cast<float>(generator() >> 8) / static_cast<float>(1 << 24);
  return values;
}

// `count` samples of the single input `name` with values uniform in [low, high).
inline std::vector<CalibrationSample> UniformSamples(const std::string& name,
                                                    const std::vector<int32_t>& shape,
                                                    size_t count, uint32_t seed, float low,
                                                    float high) {
  int64_t elements = 1;
  for (int32_t d : shape) elements *= d;
  std::vector<CalibrationSample> samples(count);
  for (size_t i = 0; i < count; ++i)
    samples[i][name] = FloatTensor(name, shape,
                                   UniformValues(elements, seed + static_cast<uint32_t>(i),
                                                 low, high));
  return samples;
}

class ModelBuilder {
 public:
  int Input(const std::string& name, const std::vector<int32_t>& shape) {
    const int index = Activation(name, shape);
    graph_.inputs.push_back(index);
    return index;
  }

  int Constant(const std::string& name, const std::vector<int32_t>& shape,
               const std::vector<float>& values) {
    return graph_.AddTensor(FloatTensor(name, shape, values));
  }

  // Y = X * B + C, B given as rows: [K][N], or [N][K] with trans_b.
  int Gemm(int x, const std::vector<std::vector<float>>& b, const std::vector<float>& c,
           bool trans_b, const std::string& name = "gemm") {
    const int32_t rows = static_cast<int32_t>(b.size());
    const int32_t cols = static_cast<int32_t>(b[0].size());
    std::vector<float> flat;
    for (const auto& row : b) flat.insert(flat.end(), row.begin(), row.end());
    const int weights = Constant(name + ".weight", {rows, cols}, flat);
    const int bias = Constant(name + ".bias", {static_cast<int32_t>(c.size())}, c);
    const int32_t n = trans_b ? rows : cols;
    const int y = Activation(name, {graph_.tensors[x].shape[0], n});
    tmm::GemmOptionsT options;
    options.trans_b = trans_b;
    Op(tmm::OpType::Gemm, name, {x, weights, bias}, y).options.Set(std::move(options));
    return y;
  }

  // 2-D convolution of X [N, C, H, W] with W [M, C/group, KH, KW], bias [M], stride 1,
  // symmetric padding `pad`.
  int Conv(int x, const std::vector<int32_t>& weight_shape, const std::vector<float>& weights,
           const std::vector<float>& bias, int group, int pad,
           const std::string& name = "conv") {
    const int w = Constant(name + ".weight", weight_shape, weights);
    const int b = Constant(name + ".bias", {weight_shape[0]}, bias);
    const std::vector<int32_t>& in = graph_.tensors[x].shape;
    const int y = Activation(name, {in[0], weight_shape[0], in[2] + 2 * pad - weight_shape[2] + 1,
                                    in[3] + 2 * pad - weight_shape[3] + 1});
    tmm::ConvOptionsT options;
    options.group = group;
    options.strides = {1, 1};
    options.dilations = {1, 1};
    options.pads = {pad, pad, pad, pad};
    Op(tmm::OpType::Conv, name, {x, w, b}, y).options.Set(std::move(options));
    return y;
  }

  // An op whose output has its input's shape (Relu, Sigmoid, Tanh...).
  int Unary(tmm::OpType type, int x, const std::string& name) {
    const int y = Activation(name, graph_.tensors[x].shape);
    Op(type, name, {x}, y);
    return y;
  }

  int Reshape(int x, const std::vector<int32_t>& shape, const std::string& name) {
    const int y = Activation(name, shape);
    Op(tmm::OpType::Reshape, name, {x}, y);
    return y;
  }

  int Concat(const std::vector<int>& inputs, int axis, const std::string& name) {
    std::vector<int32_t> shape = graph_.tensors[inputs[0]].shape;
    shape[axis] = 0;
    for (int input : inputs) shape[axis] += graph_.tensors[input].shape[axis];
    const int y = Activation(name, shape);
    tmm::ConcatOptionsT options;
    options.axis = axis;
    Op(tmm::OpType::Concat, name, inputs, y).options.Set(std::move(options));
    return y;
  }

  // y = x * scale[c] + shift[c] along axis 1.
  int BatchNormalization(int x, const std::vector<float>& scale, const std::vector<float>& shift,
                         const std::string& name) {
    const int32_t channels = static_cast<int32_t>(scale.size());
    const int s = Constant(name + ".scale", {channels}, scale);
    const int b = Constant(name + ".shift", {channels}, shift);
    const int y = Activation(name, graph_.tensors[x].shape);
    Op(tmm::OpType::BatchNormalization, name, {x, s, b}, y);
    return y;
  }

  int Clip(int x, float min, float max, const std::string& name) {
    const int y = Activation(name, graph_.tensors[x].shape);
    tmm::ClipOptionsT options;
    options.min = min;
    options.max = max;
    Op(tmm::OpType::Clip, name, {x}, y).options.Set(std::move(options));
    return y;
  }

  int Softmax(int x, int axis, const std::string& name) {
    const int y = Activation(name, graph_.tensors[x].shape);
    tmm::SoftmaxOptionsT options;
    options.axis = axis;
    options.axis_end = axis + 1;
    Op(tmm::OpType::Softmax, name, {x}, y).options.Set(std::move(options));
    return y;
  }

  // Add, Sub or Mul of two tensors of a's shape (b may broadcast to it).
  int Binary(tmm::OpType type, int a, int b, const std::string& name) {
    const int y = Activation(name, graph_.tensors[a].shape);
    Op(type, name, {a, b}, y).options.Set(tmm::ElementwiseOptionsT{});
    return y;
  }

  Graph Finish(const std::vector<int>& outputs) {
    graph_.name = "test_model";
    graph_.outputs = outputs;
    return graph_;
  }

 private:
  int Activation(const std::string& name, const std::vector<int32_t>& shape) {
    TensorDef tensor;
    tensor.name = name;
    tensor.shape = shape;
    return graph_.AddTensor(std::move(tensor));
  }

  OpDef& Op(tmm::OpType type, const std::string& name, const std::vector<int>& inputs,
            int output) {
    OpDef op;
    op.type = type;
    op.name = name;
    op.inputs = inputs;
    op.outputs = {output};
    graph_.ops.push_back(std::move(op));
    return graph_.ops.back();
  }

  Graph graph_;
};

}  // namespace tinymlops::toolchain::testing_models

#endif  // TINYMLOPS_TESTS_TOOLCHAIN_QUANTIZE_QUANTIZE_TEST_MODELS_H_
