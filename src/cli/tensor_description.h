// Descriptions of tensors in CLI reports: name, dtype, shape and quantization as a JsonValue,
// and shapes as text ("[1, 3, 32, 32]") for error messages. Thread-safety: pure functions.
#ifndef TINYMLOPS_CLI_TENSOR_DESCRIPTION_H_
#define TINYMLOPS_CLI_TENSOR_DESCRIPTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "cli/json_value.h"
#include "runtime/tensor.h"

namespace tinymlops::cli {

// {"name", "dtype", "shape", and "quantization": {"scale", "zero_point", "axis"} if quantized}.
JsonValue DescribeTensor(const runtime::Tensor& tensor);
JsonValue ShapeJson(const std::vector<int32_t>& shape);
std::string ShapeText(const std::vector<int32_t>& shape);
std::vector<int32_t> ShapeOf(const runtime::Tensor& tensor);

}  // namespace tinymlops::cli

#endif  // TINYMLOPS_CLI_TENSOR_DESCRIPTION_H_
