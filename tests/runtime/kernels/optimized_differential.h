// Test support for the optimized kernels' differential tests: builds one-op graphs with random
// constants, runs them with the reference and the optimized kernel sets through ModelSession,
// and compares the outputs (float: within 1e-5 relative; integer: identical bytes).
#ifndef TINYMLOPS_TESTS_RUNTIME_KERNELS_OPTIMIZED_DIFFERENTIAL_H_
#define TINYMLOPS_TESTS_RUNTIME_KERNELS_OPTIMIZED_DIFFERENTIAL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "toolchain/graph/graph.h"
#include "toolchain/graph/model_session.h"

namespace tinymlops::testing {

using toolchain::Graph;
using toolchain::KernelSet;
using toolchain::ModelSession;
using toolchain::TensorDef;

inline TensorDef RandomFloatTensor(const std::string& name, std::vector<int32_t> shape,
                                   std::mt19937& rng, bool constant) {
  TensorDef tensor;
  tensor.name = name;
  tensor.dtype = runtime::DType::kFloat32;
  tensor.shape = std::move(shape);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  std::vector<float> values(static_cast<size_t>(tensor.ElementCount()));
  for (float& v : values) v = value(rng);
  tensor.SetValues(values);
  tensor.is_constant = constant;
  return tensor;
}

// A tensor of `dtype` (int8, uint8 or int32) with values uniform in [low, high].
inline TensorDef RandomIntTensor(const std::string& name, runtime::DType dtype,
                                 std::vector<int32_t> shape, int32_t low, int32_t high,
                                 std::mt19937& rng, bool constant) {
  TensorDef tensor;
  tensor.name = name;
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  std::uniform_int_distribution<int32_t> value(low, high);
  const size_t count = static_cast<size_t>(tensor.ElementCount());
  if (dtype == runtime::DType::kInt32) {
    std::vector<int32_t> values(count);
    for (int32_t& v : values) v = value(rng);
    tensor.SetValues(values);
  } else {
    std::vector<uint8_t> values(count);
    for (uint8_t& v : values) v = static_cast<uint8_t>(value(rng));
    tensor.SetValues(values);
  }
  tensor.is_constant = constant;
  return tensor;
}

// An activation tensor (no data) of `dtype` and `shape`.
inline TensorDef ActivationTensor(const std::string& name, runtime::DType dtype,
                                  std::vector<int32_t> shape) {
  TensorDef tensor;
  tensor.name = name;
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  return tensor;
}

// Runs `graph` on `inputs` with both kernel sets; returns {reference, optimized} first outputs.
inline void RunBothKernelSets(const Graph& graph, const std::vector<TensorDef>& inputs,
                              TensorDef* reference, TensorDef* optimized) {
  for (KernelSet set : {KernelSet::kReference, KernelSet::kOptimized}) {
    auto session = ModelSession::FromGraph(graph, set);
    ASSERT_TRUE(session.ok()) << session.status().message();
    auto outputs = (*session)->Run(inputs);
    ASSERT_TRUE(outputs.ok()) << outputs.status().message();
    ASSERT_EQ(outputs->size(), 1u);
    (set == KernelSet::kReference ? *reference : *optimized) = (*outputs)[0];
  }
}

inline void ExpectFloatsClose(const TensorDef& reference, const TensorDef& optimized,
                              const std::string& context) {
  const std::vector<float> want = reference.Values<float>();
  const std::vector<float> got = optimized.Values<float>();
  ASSERT_EQ(want.size(), got.size()) << context;
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-5f * std::max(1.0f, std::fabs(want[i])))
        << context << " at element " << i;
}

inline void ExpectBytesEqual(const TensorDef& reference, const TensorDef& optimized,
                             const std::string& context) {
  ASSERT_EQ(reference.data.size(), optimized.data.size()) << context;
  for (size_t i = 0; i < reference.data.size(); ++i)
    ASSERT_EQ(reference.data[i], optimized.data[i]) << context << " at byte " << i;
}

}  // namespace tinymlops::testing

#endif  // TINYMLOPS_TESTS_RUNTIME_KERNELS_OPTIMIZED_DIFFERENTIAL_H_
