#include "toolchain/onnx/onnx_quantization.h"

#include <cmath>

#include "toolchain/onnx/onnx_shape_util.h"

namespace tinymlops::toolchain {
namespace {

bool SameQuantization(const QuantInfo& a, const QuantInfo& b) {
  return a.scale == b.scale && a.zero_point == b.zero_point &&
         (a.scale.size() <= 1 || a.axis == b.axis);
}

}  // namespace

Result<QuantInfo> ReadQuantInfo(const OnnxNode& node, int scale_input, int zero_point_input,
                                int64_t axis, const std::vector<int32_t>& shape,
                                DType* zero_point_dtype) {
  TMM_ASSIGN_OR_RETURN(const TensorDef* scale, node.ConstantInput(scale_input, "scale"));
  if (scale->dtype != DType::kFloat32)
    return node.Error(StatusCode::kUnsupported, "scale '%s' must be float, it is %s",
                      scale->name.c_str(), runtime::DTypeName(scale->dtype));
  QuantInfo quant;
  quant.scale = scale->Values<float>();
  for (float value : quant.scale)
    if (!(value > 0.0f) || !std::isfinite(value))
      return node.Error(StatusCode::kInvalidArgument,
                        "scale '%s' holds %g; scales must be positive and finite",
                        scale->name.c_str(), value);
  if (quant.scale.empty())
    return node.Error(StatusCode::kInvalidArgument, "scale '%s' is empty", scale->name.c_str());
  if (quant.scale.size() > 1) {
    TMM_ASSIGN_OR_RETURN(int normalized,
                         NormalizeAxis(node, axis, static_cast<int>(shape.size()), "axis"));
    if (static_cast<int64_t>(quant.scale.size()) != shape[normalized])
      return node.Error(StatusCode::kInvalidArgument,
                        "scale '%s' has %zu values but axis %d of %s has %d", scale->name.c_str(),
                        quant.scale.size(), normalized, ShapeString(shape).c_str(),
                        shape[normalized]);
    quant.axis = normalized;
  }
  quant.zero_point.assign(quant.scale.size(), 0);
  if (node.Input(zero_point_input) < 0) return quant;
  TMM_ASSIGN_OR_RETURN(const TensorDef* zero_point,
                       node.ConstantInput(zero_point_input, "zero point"));
  if (zero_point->ElementCount() != static_cast<int64_t>(quant.scale.size()))
    return node.Error(StatusCode::kInvalidArgument,
                      "zero point '%s' has %lld values, its scale has %zu",
                      zero_point->name.c_str(), static_cast<long long>(zero_point->ElementCount()),
                      quant.scale.size());
  switch (zero_point->dtype) {
    case DType::kInt8: {
      const std::vector<int8_t> values = zero_point->Values<int8_t>();
      quant.zero_point.assign(values.begin(), values.end());
      break;
    }
    case DType::kUInt8: {
      const std::vector<uint8_t> values = zero_point->Values<uint8_t>();
      quant.zero_point.assign(values.begin(), values.end());
      break;
    }
    case DType::kInt32:
      quant.zero_point = zero_point->Values<int32_t>();
      break;
    default:
      return node.Error(StatusCode::kUnsupported,
                        "zero point '%s' is %s; int8, uint8 and int32 are supported",
                        zero_point->name.c_str(), runtime::DTypeName(zero_point->dtype));
  }
  if (zero_point_dtype) *zero_point_dtype = zero_point->dtype;
  return quant;
}

Result<int> QuantizedInput(OnnxNode& node, int input, const QuantInfo& quant) {
  const int index = node.Input(input);
  TensorDef& tensor = node.graph().tensors[index];
  if (!tensor.quant.IsQuantized() || SameQuantization(tensor.quant, quant)) {
    tensor.quant = quant;
    return index;
  }
  if (!tensor.is_constant)
    return node.Error(StatusCode::kUnsupported,
                      "tensor '%s' is used with two different quantizations (scale %g, then %g)",
                      tensor.name.c_str(), tensor.quant.scale[0], quant.scale[0]);
  TensorDef copy = tensor;
  copy.name += "/" + node.name();
  copy.quant = quant;
  return node.graph().AddTensor(std::move(copy));
}

}  // namespace tinymlops::toolchain
