// Helpers shared by kernels' prepare functions: checks that produce precise, uniform errors.
// Thread-safety: pure functions.
#ifndef TINYMLOPS_RUNTIME_KERNELS_KERNEL_UTIL_H_
#define TINYMLOPS_RUNTIME_KERNELS_KERNEL_UTIL_H_

#include "runtime/kernel.h"

namespace tinymlops::runtime {

// OK when `node` has between min and max inputs (absent optional inputs count) and exactly
// `outputs` outputs, with every required input (index < min) present.
Status CheckArity(const Node& node, int min_inputs, int max_inputs, int outputs);

// OK when `tensor` has dtype `dtype`; else an error naming the op, the role ("input 0") and both
// dtypes.
Status CheckDType(const Node& node, const Tensor& tensor, DType dtype, const char* role);

// OK when `tensor` is a constant (its values are needed at prepare time).
Status CheckConstant(const Node& node, const Tensor* tensor, const char* role);

// Error for a dtype combination a kernel does not implement.
Status UnsupportedDType(const Node& node, const Tensor& tensor, const char* role);

// Error for options of the wrong kind or missing.
Status MissingOptions(const Node& node, const char* expected);

}  // namespace tinymlops::runtime

#endif  // TINYMLOPS_RUNTIME_KERNELS_KERNEL_UTIL_H_
