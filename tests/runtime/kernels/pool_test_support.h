// Test support for the MaxPool and AveragePool tests: PoolOptions from a WindowSpec and a
// one-op pool graph whose output shape follows ONNX's rules (window_op_reference.h).
#ifndef TINYMLOPS_TESTS_RUNTIME_KERNELS_POOL_TEST_SUPPORT_H_
#define TINYMLOPS_TESTS_RUNTIME_KERNELS_POOL_TEST_SUPPORT_H_

#include <utility>
#include <vector>

#include "single_op_graph.h"
#include "window_op_reference.h"

namespace tinymlops::kernel_test {

inline tmm::OpOptionsUnion PoolOptions(const WindowSpec& spec, bool count_include_pad) {
  tmm::PoolOptionsT options;
  options.kernel = spec.kernel;
  options.strides = spec.strides;
  options.dilations = spec.dilations;
  options.pads = spec.pads;
  options.count_include_pad = count_include_pad;
  tmm::OpOptionsUnion union_options;
  union_options.Set(std::move(options));
  return union_options;
}

inline std::vector<int32_t> PoolOutputShape(const WindowSpec& spec) {
  std::vector<int32_t> shape = {spec.input[0], spec.input[1]};
  for (int32_t d : spec.OutputSpatial()) shape.push_back(d);
  return shape;
}

// A pool of `type` over input `x` whose output `y` carries `output`'s dtype and quantization.
inline SingleOpGraph PoolGraph(tmm::OpType type, const WindowSpec& spec, bool count_include_pad,
                               TensorDef x, TensorDef output) {
  output.shape = PoolOutputShape(spec);
  output.name = "y";
  return SingleOpGraph(type, {std::move(x)}, {std::move(output)},
                       PoolOptions(spec, count_include_pad));
}

}  // namespace tinymlops::kernel_test

#endif  // TINYMLOPS_TESTS_RUNTIME_KERNELS_POOL_TEST_SUPPORT_H_
