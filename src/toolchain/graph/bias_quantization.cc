#include "toolchain/graph/bias_quantization.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tinymlops::toolchain {

QuantInfo BiasQuantization(const QuantInfo& input, const QuantInfo& weight) {
  QuantInfo bias;
  for (float weight_scale : weight.scale)
    bias.scale.push_back(static_cast<float>(double{input.scale[0]} * weight_scale));
  bias.zero_point.assign(bias.scale.size(), 0);
  bias.axis = bias.scale.size() > 1 ? 0 : -1;
  return bias;
}

std::vector<int32_t> QuantizeBias(const std::vector<float>& real, const QuantInfo& bias_quant) {
  std::vector<int32_t> quantized(real.size());
  for (size_t i = 0; i < real.size(); ++i) {
    const double scale = bias_quant.scale[bias_quant.scale.size() > 1 ? i : 0];
    const double value = std::nearbyint(real[i] / scale);
    quantized[i] = static_cast<int32_t>(std::clamp<double>(
        value, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()));
  }
  return quantized;
}

}  // namespace tinymlops::toolchain
