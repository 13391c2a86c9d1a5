// NumPy multidirectional broadcasting of two input shapes to an op's static output shape, as
// ONNX Add, Sub, Mul (and any other two-input elementwise op) define it: shapes are aligned on
// their last dimension and every dimension pair is equal or has a 1 on one side.
//
// MakeBroadcastPlan (prepare time) checks that the inputs broadcast to exactly the output's
// shape and returns element strides per input (0 along broadcast dimensions), with adjacent
// dimensions merged wherever both inputs are contiguous across them, so eval walks few loops.
// ForEachBroadcastIndex (eval time) visits the output in order without allocating.
// Errors: shapes that do not broadcast, or whose broadcast is not the output's shape.
// Thread-safety: pure functions.
#ifndef TINYMLOPS_RUNTIME_KERNELS_BROADCAST_H_
#define TINYMLOPS_RUNTIME_KERNELS_BROADCAST_H_

#include <cstdint>

#include "runtime/kernel.h"

namespace tinymlops::runtime {

struct BroadcastPlan {
  int rank = 1;                      // >= 1 after merging; a scalar output has one dimension of 1
  int32_t dims[kMaxRank] = {1};      // merged output dimensions
  int64_t a_strides[kMaxRank] = {};  // element strides of input a per merged dimension
  int64_t b_strides[kMaxRank] = {};
  int64_t count = 1;  // output elements
};

// Checks that `a` and `b` (inputs 0 and 1 of `node`) broadcast to `output` and fills `plan`.
Status MakeBroadcastPlan(const Node& node, const Shape& a, const Shape& b, const Shape& output,
                         BroadcastPlan* plan);

// Calls fn(output_index, a_index, b_index) for every output element, in output order.
template <typename Fn>
void ForEachBroadcastIndex(const BroadcastPlan& plan, Fn&& fn) {
  if (plan.count == 0) return;
  const int inner = plan.rank - 1;
  const int32_t inner_dim = plan.dims[inner];
  const int64_t inner_a = plan.a_strides[inner];
  const int64_t inner_b = plan.b_strides[inner];
  int32_t index[kMaxRank] = {};
  int64_t a = 0, b = 0, out = 0;
  while (true) {
    for (int32_t i = 0; i < inner_dim; ++i) fn(out++, a + i * inner_a, b + i * inner_b);
    int d = inner - 1;
    for (; d >= 0; --d) {
      a += plan.a_strides[d];
      b += plan.b_strides[d];
      if (++index[d] < plan.dims[d]) break;
      a -= plan.a_strides[d] * plan.dims[d];
      b -= plan.b_strides[d] * plan.dims[d];
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_KERNELS_BROADCAST_H_
