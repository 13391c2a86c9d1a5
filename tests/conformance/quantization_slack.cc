#include "quantization_slack.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "onnx_tensor_file.h"

namespace tinymlops::conformance {
namespace {

using toolchain::DType;
using toolchain::TensorDef;

constexpr double kUnbounded = std::numeric_limits<double>::infinity();

// Ops whose every output element moves at most as far as the farthest-moved input element.
const std::set<std::string> kNonExpandingOps = {
    "Relu",      "Clip",    "Sigmoid",     "Tanh",
    "Softmax",   "MaxPool", "AveragePool", "GlobalAveragePool",
    "Transpose", "Reshape", "Flatten",     "Pad",
    "Concat",    "Identity"};

std::vector<double> AsDoubles(const TensorDef& tensor) {
  switch (tensor.dtype) {
    case DType::kFloat32: {
      const std::vector<float> values = tensor.Values<float>();
      return {values.begin(), values.end()};
    }
    case DType::kInt8: {
      const std::vector<int8_t> values = tensor.Values<int8_t>();
      return {values.begin(), values.end()};
    }
    case DType::kUInt8: {
      const std::vector<uint8_t> values = tensor.Values<uint8_t>();
      return {values.begin(), values.end()};
    }
    case DType::kInt32: {
      const std::vector<int32_t> values = tensor.Values<int32_t>();
      return {values.begin(), values.end()};
    }
    case DType::kInt64: {
      const std::vector<int64_t> values = tensor.Values<int64_t>();
      return {values.begin(), values.end()};
    }
  }
  return {};
}

double LargestAbs(const std::vector<double>& values) {
  double largest = 0;
  for (double value : values) largest = std::max(largest, std::fabs(value));
  return largest;
}

// Real weights, with the shape they have.
struct Weights {
  std::vector<double> values;
  std::vector<int32_t> shape;
};

// max over the output positions (all axes but `summed_axis`, or all but axis 0 when
// `summed_axis` is -1) of the sum of |weights| over the other axes: how far one output can move
// when every input moves by 1.
double LargestAbsSum(const Weights& weights, int summed_axis) {
  const int rank = static_cast<int>(weights.shape.size());
  if (rank == 0) return LargestAbs(weights.values);
  std::map<std::vector<int32_t>, double> sums;
  std::vector<int32_t> index(rank, 0);
  for (double value : weights.values) {
    std::vector<int32_t> key;
    if (summed_axis < 0) {
      key = {index[0]};
    } else {
      key = index;
      key.erase(key.begin() + summed_axis);
    }
    sums[key] += std::fabs(value);
    for (int axis = rank - 1; axis >= 0 && ++index[axis] == weights.shape[axis]; --axis)
      index[axis] = 0;
  }
  double largest = 0;
  for (const auto& [key, sum] : sums) largest = std::max(largest, sum);
  return largest;
}

class SlackAnalysis {
 public:
  Status AddInitializers(const onnx::GraphProto& graph) {
    for (const onnx::TensorProto& initializer : graph.initializer()) {
      TMM_ASSIGN_OR_RETURN(TensorDef tensor,
                           TensorFromProto(initializer, "initializer " + initializer.name()));
      constants_[initializer.name()] = std::move(tensor);
    }
    return Status::Ok();
  }

  void Visit(const onnx::NodeProto& node) {
    const double slack = NodeSlack(node);
    for (const std::string& output : node.output()) {
      slack_[output] = slack;
      producer_[output] = &node;
    }
  }

  double Slack(const std::string& value) const {
    auto found = slack_.find(value);
    return found == slack_.end() ? 0 : found->second;
  }

 private:
  const TensorDef* Constant(const std::string& name) const {
    auto found = constants_.find(name);
    return found == constants_.end() ? nullptr : &found->second;
  }

  const onnx::NodeProto* Producer(const std::string& value) const {
    auto found = producer_.find(value);
    return found == producer_.end() ? nullptr : found->second;
  }

  double InputSlack(const onnx::NodeProto& node, int i) const {
    return i < node.input_size() ? Slack(node.input(i)) : 0;
  }

  // Scale values (input `scale`) of a quantization; empty when not a constant.
  std::vector<double> Scales(const onnx::NodeProto& node, int scale) const {
    const TensorDef* tensor = scale < node.input_size() ? Constant(node.input(scale)) : nullptr;
    return tensor ? AsDoubles(*tensor) : std::vector<double>{};
  }

  // (q - zero_point) * scale of the constant quantized input `data` of `node`, quantized per
  // tensor or along `axis`; nullopt when any of them is not a constant.
  std::optional<Weights> Dequantized(const onnx::NodeProto& node, int data, int scale,
                                     int zero_point, int axis) const {
    const TensorDef* q = data < node.input_size() ? Constant(node.input(data)) : nullptr;
    const std::vector<double> scales = Scales(node, scale);
    if (!q || scales.empty()) return std::nullopt;
    std::vector<double> zero_points(scales.size(), 0.0);
    if (zero_point < node.input_size() && !node.input(zero_point).empty()) {
      const TensorDef* tensor = Constant(node.input(zero_point));
      if (!tensor) return std::nullopt;
      zero_points = AsDoubles(*tensor);
    }
    Weights weights{AsDoubles(*q), q->shape};
    const int rank = static_cast<int>(q->shape.size());
    if (axis < 0) axis += rank;
    int64_t inner = 1;
    for (int d = axis + 1; d < rank; ++d) inner *= q->shape[d];
    for (size_t i = 0; i < weights.values.size(); ++i) {
      const size_t channel =
          scales.size() == 1 ? 0 : (i / inner) % static_cast<size_t>(q->shape[axis]);
      weights.values[i] = (weights.values[i] - zero_points[channel]) * scales[channel];
    }
    return weights;
  }

  // The real weights behind `value`: a float initializer or a DequantizeLinear of one.
  std::optional<Weights> RealWeights(const std::string& value) const {
    if (const TensorDef* tensor = Constant(value))
      return tensor->dtype == DType::kFloat32
                 ? std::optional<Weights>(Weights{AsDoubles(*tensor), tensor->shape})
                 : std::nullopt;
    const onnx::NodeProto* producer = Producer(value);
    if (!producer || producer->op_type() != "DequantizeLinear") return std::nullopt;
    return Dequantized(*producer, 0, 1, 2, static_cast<int>(IntAttribute(*producer, "axis", 1)));
  }

  static int64_t IntAttribute(const onnx::NodeProto& node, const char* name, int64_t fallback) {
    for (const onnx::AttributeProto& attribute : node.attribute())
      if (attribute.name() == name) return attribute.i();
    return fallback;
  }

  static float FloatAttribute(const onnx::NodeProto& node, const char* name, float fallback) {
    for (const onnx::AttributeProto& attribute : node.attribute())
      if (attribute.name() == name) return attribute.f();
    return fallback;
  }

  // A Conv, Gemm or MatMul reading a DequantizeLinear: with the QuantizeLinear after it, the
  // QDQ form of a quantized op, which tinymlops computes in integers.
  bool IsQdqLinearOp(const std::string& value) const {
    const onnx::NodeProto* producer = Producer(value);
    if (!producer || (producer->op_type() != "Conv" && producer->op_type() != "Gemm" &&
                      producer->op_type() != "MatMul"))
      return false;
    const onnx::NodeProto* data = Producer(producer->input(0));
    return data && data->op_type() == "DequantizeLinear";
  }

  // Slack of a linear op's output for input slack `slack` through `weights`.
  static double ThroughWeights(double slack, const std::optional<Weights>& weights,
                               int summed_axis) {
    if (slack == 0) return 0;
    if (!weights) return kUnbounded;
    return slack * LargestAbsSum(*weights, summed_axis);
  }

  // The axis of MatMul's B [..., K, N] that the product sums over.
  static int MatMulSummedAxis(const std::optional<Weights>& weights) {
    return weights ? std::max(0, static_cast<int>(weights->shape.size()) - 2) : 0;
  }

  static double Steps(double real_slack, const std::vector<double>& scales) {
    if (real_slack == 0) return 0;
    if (scales.empty()) return kUnbounded;
    return std::ceil(real_slack / *std::min_element(scales.begin(), scales.end()));
  }

  // Slack of a QLinearConv (`conv`) or QLinearMatMul output, in steps.
  double QLinearSlack(const onnx::NodeProto& node, bool conv) const {
    const std::vector<double> x_scales = Scales(node, 1);
    const double x_slack = x_scales.empty() ? kUnbounded : InputSlack(node, 0) * x_scales[0];
    const std::optional<Weights> weights = Dequantized(node, 3, 4, 5, conv ? 0 : -1);
    const int summed_axis = conv ? -1 : MatMulSummedAxis(weights);
    return 1 + Steps(ThroughWeights(x_slack, weights, summed_axis), Scales(node, 6));
  }

  double NodeSlack(const onnx::NodeProto& node) const {
    const std::string& op = node.op_type();
    double largest = 0;
    for (int i = 0; i < node.input_size(); ++i) largest = std::max(largest, InputSlack(node, i));
    if (op == "QuantizeLinear")
      return (IsQdqLinearOp(node.input(0)) ? 1 : 0) + Steps(InputSlack(node, 0), Scales(node, 1));
    if (op == "DequantizeLinear") {
      const std::vector<double> scales = Scales(node, 1);
      if (InputSlack(node, 0) == 0) return 0;
      return scales.empty() ? kUnbounded : InputSlack(node, 0) * LargestAbs(scales);
    }
    if (op == "QLinearConv" || op == "QLinearMatMul")
      return QLinearSlack(node, op == "QLinearConv");
    if (kNonExpandingOps.count(op)) return largest;
    if (op == "Add" || op == "Sub") return InputSlack(node, 0) + InputSlack(node, 1);
    if (largest == 0) return 0;
    if (op == "Conv")
      return ThroughWeights(InputSlack(node, 0), RealWeights(node.input(1)), -1) +
             InputSlack(node, 2);
    if (op == "MatMul" && InputSlack(node, 1) == 0) {
      const std::optional<Weights> weights = RealWeights(node.input(1));
      return ThroughWeights(InputSlack(node, 0), weights, MatMulSummedAxis(weights));
    }
    if (op == "Gemm" && InputSlack(node, 1) == 0) {
      const int summed_axis = IntAttribute(node, "transB", 0) ? 1 : 0;
      return std::fabs(FloatAttribute(node, "alpha", 1.0f)) *
                 ThroughWeights(InputSlack(node, 0), RealWeights(node.input(1)), summed_axis) +
             std::fabs(FloatAttribute(node, "beta", 1.0f)) * InputSlack(node, 2);
    }
    if (op == "Mul") {
      for (int constant = 0; constant < 2; ++constant)
        if (const TensorDef* factor = Constant(node.input(constant)))
          return InputSlack(node, 1 - constant) * LargestAbs(AsDoubles(*factor));
    }
    if (op == "BatchNormalization" && largest == InputSlack(node, 0)) {
      const TensorDef* scale = Constant(node.input(1));
      const TensorDef* variance = Constant(node.input(4));
      if (!scale || !variance) return kUnbounded;
      const std::vector<double> scales = AsDoubles(*scale), variances = AsDoubles(*variance);
      const double epsilon = FloatAttribute(node, "epsilon", 1e-5f);
      double factor = 0;
      for (size_t c = 0; c < scales.size() && c < variances.size(); ++c)
        factor = std::max(factor, std::fabs(scales[c]) / std::sqrt(variances[c] + epsilon));
      return InputSlack(node, 0) * factor;
    }
    return kUnbounded;
  }

  std::map<std::string, TensorDef> constants_;
  std::map<std::string, double> slack_;
  std::map<std::string, const onnx::NodeProto*> producer_;
};

}  // namespace

Result<std::vector<double>> QuantizationSlack(const onnx::ModelProto& model) {
  SlackAnalysis analysis;
  TMM_RETURN_IF_ERROR(analysis.AddInitializers(model.graph()));
  for (const onnx::NodeProto& node : model.graph().node()) analysis.Visit(node);
  std::vector<double> slacks;
  for (const onnx::ValueInfoProto& output : model.graph().output()) {
    const double slack = analysis.Slack(output.name());
    slacks.push_back(std::isinf(slack) ? 0 : slack);
  }
  return slacks;
}

}  // namespace tinymlops::conformance
