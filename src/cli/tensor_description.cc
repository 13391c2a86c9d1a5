#include "cli/tensor_description.h"

namespace tinymlops::cli {

JsonValue DescribeTensor(const runtime::Tensor& tensor) {
  JsonValue description = JsonValue::Object();
  description.Set("name", tensor.name);
  description.Set("dtype", runtime::DTypeName(tensor.dtype));
  description.Set("shape", ShapeJson(ShapeOf(tensor)));
  if (tensor.quant.IsQuantized()) {
    JsonValue scale = JsonValue::Array(), zero_point = JsonValue::Array();
    for (int i = 0; i < tensor.quant.count; ++i) {
      scale.Append(static_cast<double>(tensor.quant.scale[i]));
      zero_point.Append(tensor.quant.zero_point[i]);
    }
    JsonValue quantization = JsonValue::Object();
    quantization.Set("scale", std::move(scale));
    quantization.Set("zero_point", std::move(zero_point));
    quantization.Set("axis", tensor.quant.axis);
    description.Set("quantization", std::move(quantization));
  }
  return description;
}

JsonValue ShapeJson(const std::vector<int32_t>& shape) {
  JsonValue json = JsonValue::Array();
  for (int32_t dim : shape) json.Append(dim);
  return json;
}

std::string ShapeText(const std::vector<int32_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

std::vector<int32_t> ShapeOf(const runtime::Tensor& tensor) {
  return std::vector<int32_t>(tensor.shape.dims, tensor.shape.dims + tensor.shape.rank);
}

}  // namespace tinymlops::cli
