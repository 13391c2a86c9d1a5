// Differential tests of the optimized int8/uint8 kernels outside convolution and linear
// algebra against the reference kernels: quantized Add and Sub of equal shapes, QuantizeLinear,
// and whole-plane averages (GlobalAveragePool, AveragePool with one window). The outputs must
// be identical bytes (the determinism contract) over random lengths (full and partial vectors),
// scales, zero points, fused activations, and float inputs that include ties, NaN, infinities
// and values far outside the quantized range.
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <vector>

#include "binary_op_test_support.h"
#include "pool_test_support.h"
#include "single_op_graph.h"

namespace tinymlops::kernel_test {
namespace {

using tmm::OpType;

// Runs `op` with both kernel sets and expects the same output bytes.
void ExpectSameBytes(const SingleOpGraph& op, const std::string& context) {
  const TensorDef reference = RunOk(op, KernelSet::kReference);
  const TensorDef optimized = RunOk(op, KernelSet::kOptimized);
  ASSERT_EQ(reference.data.size(), optimized.data.size()) << context;
  for (size_t i = 0; i < reference.data.size(); ++i)
    ASSERT_EQ(reference.data[i], optimized.data[i]) << context << " at byte " << i;
}

std::vector<uint8_t> RandomBytes(int count, std::mt19937& rng) {
  std::vector<uint8_t> bytes(static_cast<size_t>(count));
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
  return bytes;
}

TEST(OptimizedQuantizedOpsTest, QuantizedAddSubAreBitExact) {
  std::mt19937 rng(41);
  auto uniform = [&rng](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(rng);
  };
  auto scale = [&rng] { return std::uniform_real_distribution<float>(0.002f, 0.2f)(rng); };
  for (int trial = 0; trial < 200; ++trial) {
    const OpType type = uniform(0, 1) ? OpType::Add : OpType::Sub;
    const bool is_int8 = uniform(0, 1);
    const DType dtype = is_int8 ? DType::kInt8 : DType::kUInt8;
    const int low = is_int8 ? -128 : 0, high = is_int8 ? 127 : 255;
    const int count = uniform(1, 300);
    const std::vector<int32_t> shape = {1, count};
    auto operand = [&](const char* name) {
      TensorDef t = Values<uint8_t>(name, shape, RandomBytes(count, rng));
      t.dtype = dtype;
      return Quantized(std::move(t), scale(), uniform(low, high));
    };
    const auto activation = static_cast<tmm::ActivationType>(uniform(0, 2));
    SingleOpGraph op(type, {operand("a"), operand("b")},
                     {Quantized(Spec("y", dtype, shape), scale(), uniform(low, high))},
                     FusedActivation(activation, -0.5f, 1.5f));
    ExpectSameBytes(op, std::string(tmm::EnumNameOpType(type)) + " " + runtime::DTypeName(dtype) +
                            " x " + std::to_string(count) + " " +
                            tmm::EnumNameActivationType(activation));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(OptimizedQuantizedOpsTest, QuantizeLinearIsBitExact) {
  std::mt19937 rng(43);
  auto uniform = [&rng](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(rng);
  };
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            1e30f,
                            -1e30f,
                            0.0f,
                            -0.0f};
  for (int trial = 0; trial < 200; ++trial) {
    const bool is_int8 = uniform(0, 1);
    const DType dtype = is_int8 ? DType::kInt8 : DType::kUInt8;
    const int low = is_int8 ? -128 : 0, high = is_int8 ? 127 : 255;
    const int channels = uniform(1, 4), inner = uniform(1, 70);
    const float step = std::uniform_real_distribution<float>(0.001f, 0.5f)(rng);
    std::vector<float> x(static_cast<size_t>(channels) * inner);
    for (float& v : x) {
      switch (uniform(0, 3)) {
        case 0:  // an exact half step: a tie
          v = step * (static_cast<float>(uniform(-300, 300)) + 0.5f);
          break;
        case 1:
          v = specials[uniform(0, 6)];
          break;
        default:
          v = std::uniform_real_distribution<float>(-200.0f, 200.0f)(rng) * step;
      }
    }
    const std::vector<int32_t> shape = {channels, inner};
    TensorDef y = Spec("y", dtype, shape);
    if (channels > 1 && uniform(0, 1)) {
      std::vector<float> scales(channels);
      std::vector<int32_t> zero_points(channels);
      for (int c = 0; c < channels; ++c) {
        scales[c] = step * static_cast<float>(uniform(1, 3));
        zero_points[c] = uniform(low, high);
      }
      y = QuantizedPerAxis(std::move(y), scales, zero_points, 0);
    } else {
      y = Quantized(std::move(y), step, uniform(low, high));
    }
    SingleOpGraph op(OpType::QuantizeLinear, {Values<float>("x", shape, x)}, {y});
    ExpectSameBytes(op, std::string(runtime::DTypeName(dtype)) + " [" + std::to_string(channels) +
                            ", " + std::to_string(inner) + "] step " + std::to_string(step));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(OptimizedQuantizedOpsTest, WholePlaneAveragesAreBitExact) {
  std::mt19937 rng(47);
  auto uniform = [&rng](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(rng);
  };
  for (int trial = 0; trial < 100; ++trial) {
    const bool is_int8 = uniform(0, 1), global = uniform(0, 1), same = uniform(0, 3) == 0;
    const DType dtype = is_int8 ? DType::kInt8 : DType::kUInt8;
    const int low = is_int8 ? -128 : 0, high = is_int8 ? 127 : 255;
    const int batch = uniform(1, 2), channels = uniform(1, 9);
    const int height = uniform(1, 30), width = uniform(1, 30);
    TensorDef x = Values<uint8_t>("x", {batch, channels, height, width},
                                  RandomBytes(batch * channels * height * width, rng));
    x.dtype = dtype;
    const float scale = 0.01f * static_cast<float>(uniform(1, 20));
    const int32_t zero_point = uniform(low, high);
    x = Quantized(std::move(x), scale, zero_point);
    TensorDef y = Spec("y", dtype, {batch, channels, 1, 1});
    y = same ? Quantized(std::move(y), scale, zero_point)
             : Quantized(std::move(y), 0.01f * static_cast<float>(uniform(1, 20)),
                         uniform(low, high));
    const std::string context = std::string(global ? "GlobalAveragePool " : "AveragePool ") +
                                runtime::DTypeName(dtype) + " " + std::to_string(height) + "x" +
                                std::to_string(width);
    if (global) {
      ExpectSameBytes(SingleOpGraph(OpType::GlobalAveragePool, {x}, {y}), context);
    } else {
      WindowSpec spec;
      spec.input = {batch, channels, height, width};
      spec.kernel = {height, width};
      spec.strides = {1, 1};
      spec.dilations = {1, 1};
      spec.pads = {0, 0, 0, 0};
      ExpectSameBytes(PoolGraph(OpType::AveragePool, spec, uniform(0, 1), x, y), context);
    }
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace tinymlops::kernel_test
