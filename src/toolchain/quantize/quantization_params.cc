#include "toolchain/quantize/quantization_params.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace tinymlops::toolchain {
namespace {

constexpr int32_t kInt8Min = -128;
constexpr int32_t kInt8Max = 127;
constexpr int32_t kWeightMax = 127;  // symmetric weights use [-127, 127]

QuantInfo PerTensor(float scale, int32_t zero_point) {
  QuantInfo params;
  params.scale = {scale};
  params.zero_point = {zero_point};
  return params;
}

int32_t RoundToInt32(double value) {
  const double rounded = std::round(value);
  if (rounded <= static_cast<double>(std::numeric_limits<int32_t>::min()))
    return std::numeric_limits<int32_t>::min();
  if (rounded >= static_cast<double>(std::numeric_limits<int32_t>::max()))
    return std::numeric_limits<int32_t>::max();
  return static_cast<int32_t>(rounded);
}

std::string ShapeString(const std::vector<int32_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? "," : "") + std::to_string(shape[i]);
  return text + "]";
}

}  // namespace

QuantInfo ChooseActivationParams(float min, float max) {
  // TensorFlow Lite's ChooseQuantizationParams for int8.
  const double real_min = std::min(static_cast<double>(min), 0.0);
  const double real_max = std::max(static_cast<double>(max), 0.0);
  if (real_max - real_min <= 0) return PerTensor(1.0f, 0);
  const double scale = (real_max - real_min) / (kInt8Max - kInt8Min);
  const double zero_point_from_min = kInt8Min - real_min / scale;
  const double zero_point_from_max = kInt8Max - real_max / scale;
  const double error_from_min = std::abs(kInt8Min) + std::abs(real_min / scale);
  const double error_from_max = std::abs(kInt8Max) + std::abs(real_max / scale);
  const double zero_point =
      error_from_min < error_from_max ? zero_point_from_min : zero_point_from_max;
  const int32_t nudged = static_cast<int32_t>(
      std::round(std::clamp(zero_point, static_cast<double>(kInt8Min),
                            static_cast<double>(kInt8Max))));
  return PerTensor(static_cast<float>(scale), nudged);
}

QuantInfo SoftmaxOutputParams() { return PerTensor(1.0f / 256.0f, -128); }
QuantInfo SigmoidOutputParams() { return PerTensor(1.0f / 256.0f, -128); }
QuantInfo TanhOutputParams() { return PerTensor(1.0f / 128.0f, 0); }

Result<TensorDef> QuantizeWeightsPerChannel(const TensorDef& weights, int axis) {
  const int rank = static_cast<int>(weights.shape.size());
  if (axis < 0 || axis >= rank)
    return Status::Error(StatusCode::kInvalidArgument,
                         "cannot quantize weights '%s' of shape %s per channel on axis %d",
                         weights.name.c_str(), ShapeString(weights.shape).c_str(), axis);
  const std::vector<float> values = weights.Values<float>();
  const int64_t channels = weights.shape[axis];
  int64_t inner = 1;  // elements between two consecutive indices of `axis`
  for (int d = axis + 1; d < rank; ++d) inner *= weights.shape[d];
  auto channel_of = [&](int64_t i) { return (i / inner) % channels; };

  std::vector<float> max_abs(channels, 0.0f);
  for (int64_t i = 0; i < static_cast<int64_t>(values.size()); ++i)
    max_abs[channel_of(i)] = std::max(max_abs[channel_of(i)], std::abs(values[i]));
  TensorDef quantized;
  quantized.name = weights.name;
  quantized.shape = weights.shape;
  quantized.dtype = DType::kInt8;
  quantized.quant.axis = axis;
  for (int64_t c = 0; c < channels; ++c) {
    quantized.quant.scale.push_back(max_abs[c] > 0 ? max_abs[c] / kWeightMax : 1.0f);
    quantized.quant.zero_point.push_back(0);
  }
  std::vector<int8_t> q(values.size());
  for (int64_t i = 0; i < static_cast<int64_t>(values.size()); ++i) {
    const double scaled =
        static_cast<double>(values[i]) / quantized.quant.scale[channel_of(i)];
    q[i] = static_cast<int8_t>(std::clamp<int32_t>(RoundToInt32(scaled), -kWeightMax,
                                                   kWeightMax));
  }
  quantized.SetValues(q);
  return quantized;
}

QuantInfo ChooseConstantParams(const TensorDef& values) {
  float min = 0.0f, max = 0.0f;
  for (float v : values.Values<float>()) {
    min = std::min(min, v);
    max = std::max(max, v);
  }
  return ChooseActivationParams(min, max);
}

TensorDef QuantizeConstant(const TensorDef& values, const QuantInfo& params) {
  TensorDef quantized;
  quantized.name = values.name;
  quantized.shape = values.shape;
  quantized.dtype = DType::kInt8;
  quantized.quant = params;
  const double scale = params.scale[0];
  const int32_t zero_point = params.zero_point[0];
  const std::vector<float> real = values.Values<float>();
  std::vector<int8_t> q(real.size());
  for (size_t i = 0; i < real.size(); ++i)
    q[i] = static_cast<int8_t>(std::clamp(std::round(real[i] / scale) + zero_point,
                                          static_cast<double>(kInt8Min),
                                          static_cast<double>(kInt8Max)));
  quantized.SetValues(q);
  return quantized;
}

}  // namespace tinymlops::toolchain
