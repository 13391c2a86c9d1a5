#include "toolchain/quantize/quantizer.h"

#include <cstdio>
#include <string>
#include <utility>

#include "toolchain/graph/activation_fusion.h"
#include "toolchain/graph/bias_quantization.h"
#include "toolchain/quantize/calibration.h"
#include "toolchain/quantize/int8_op_rules.h"
#include "toolchain/quantize/quantization_params.h"

namespace tinymlops::toolchain {
namespace {

using tmm::OpType;

Status CheckFloatModel(const Graph& graph) {
  for (const OpDef& op : graph.ops)
    if (op.type == OpType::QuantizeLinear || op.type == OpType::DequantizeLinear ||
        op.type == OpType::Requantize)
      return Status::Error(StatusCode::kInvalidArgument,
                           "model '%s' is already quantized (node '%s' is a %s): quantize the "
                           "float model instead",
                           graph.name.c_str(), op.name.c_str(), tmm::EnumNameOpType(op.type));
  for (const TensorDef& tensor : graph.tensors)
    if (tensor.dtype == DType::kInt8 || tensor.dtype == DType::kUInt8 ||
        tensor.quant.IsQuantized())
      return Status::Error(StatusCode::kInvalidArgument,
                           "model '%s' is already quantized (tensor '%s' is %s): quantize the "
                           "float model instead",
                           graph.name.c_str(), tensor.name.c_str(),
                           runtime::DTypeName(tensor.dtype));
  return Status::Ok();
}

// `bias` (one value per output channel, or one for all) as the int32 tensor [channels] of a
// quantized linear op whose input and weights have the parameters `input` and `weights`.
TensorDef QuantizedBias(const TensorDef& bias, const QuantInfo& input, const QuantInfo& weights) {
  std::vector<float> real = bias.Values<float>();
  if (real.size() == 1) real.assign(weights.scale.size(), real[0]);
  TensorDef quantized;
  quantized.name = bias.name;
  quantized.dtype = DType::kInt32;
  quantized.shape = {static_cast<int32_t>(real.size())};
  quantized.quant = BiasQuantization(input, weights);
  quantized.SetValues(QuantizeBias(real, quantized.quant));
  return quantized;
}

bool SameParams(const QuantInfo& a, const QuantInfo& b) {
  return a.scale == b.scale && a.zero_point == b.zero_point;
}

// Rewrites a float graph (activations fused, ranges calibrated) into its int8 form. The output
// graph keeps every tensor of the source at its index (float tensors an int8 op produces turn
// int8 in place) and appends the tensors it adds: "<name>_quantized" after a QuantizeLinear,
// "<name>_dequantized" after a DequantizeLinear, "<name>_int8" for an int8 value of a float
// graph output, "<name>_requantized" for a Concat input brought to the output's parameters.
class Int8Rewriter {
 public:
  Int8Rewriter(const Graph& source, const std::map<int, TensorRange>& ranges)
      : source_(source),
        ranges_(ranges),
        result_(source),
        int8_version_(source.tensors.size(), -1),
        float_version_(source.tensors.size(), -1),
        readers_(source.tensors.size(), 0),
        is_graph_output_(source.tensors.size(), false) {
    result_.ops.clear();
    for (int input : source.inputs) float_version_[input] = input;
    for (const OpDef& op : source.ops)
      for (int input : op.inputs)
        if (input >= 0) ++readers_[input];
    for (int output : source.outputs) {
      ++readers_[output];
      is_graph_output_[output] = true;
    }
  }

  Result<Graph> Run() {
    for (const OpDef& op : source_.ops) {
      const Int8OpRule rule = Int8RuleFor(source_, op);
      if (rule.runs_in_int8) {
        TMM_RETURN_IF_ERROR(EmitInt8(op, rule));
      } else {
        EmitFloat(op);
      }
    }
    return std::move(result_);
  }

 private:
  int AddTensor(const TensorDef& like, const std::string& suffix, DType dtype,
                const QuantInfo& params) {
    TensorDef tensor;
    tensor.name = like.name + suffix;
    tensor.dtype = dtype;
    tensor.shape = like.shape;
    tensor.quant = params;
    return result_.AddTensor(std::move(tensor));
  }

  void AddOp(OpType type, const std::string& name, int input, int output) {
    OpDef op;
    op.type = type;
    op.name = name;
    op.inputs = {input};
    op.outputs = {output};
    result_.ops.push_back(std::move(op));
  }

  // The int8 version of non-constant float tensor `index`, quantizing it if it is float.
  Result<int> Int8Of(int index) {
    if (int8_version_[index] >= 0) return int8_version_[index];
    auto range = ranges_.find(index);
    if (range == ranges_.end())
      return Status::Error(StatusCode::kInternal,
                           "no calibrated range for tensor '%s': a bug in the quantizer, please "
                           "report it",
                           source_.tensors[index].name.c_str());
    const TensorDef& tensor = source_.tensors[index];
    const int quantized = AddTensor(tensor, "_quantized", DType::kInt8,
                                    ChooseActivationParams(range->second.min, range->second.max));
    AddOp(OpType::QuantizeLinear, tensor.name + "_quantize", float_version_[index], quantized);
    int8_version_[index] = quantized;
    return quantized;
  }

  // The float version of non-constant tensor `index`, dequantizing it if it is int8.
  int FloatOf(int index) {
    if (float_version_[index] >= 0) return float_version_[index];
    const TensorDef& tensor = source_.tensors[index];
    const int dequantized = AddTensor(tensor, "_dequantized", DType::kFloat32, QuantInfo{});
    AddOp(OpType::DequantizeLinear, tensor.name + "_dequantize", int8_version_[index],
          dequantized);
    float_version_[index] = dequantized;
    return dequantized;
  }

  // Stores quantized constant `tensor` in place of source constant `index` when `op` is its
  // only reader, else as a new tensor named after the op.
  int PlaceConstant(int index, TensorDef tensor, const OpDef& op) {
    if (readers_[index] == 1 && !is_graph_output_[index]) {
      result_.tensors[index] = std::move(tensor);
      return index;
    }
    tensor.name += "_" + op.name;
    return result_.AddTensor(std::move(tensor));
  }

  void EmitFloat(const OpDef& op) {
    OpDef emitted = op;
    for (int& input : emitted.inputs)
      if (input >= 0 && !source_.tensors[input].is_constant &&
          source_.tensors[input].dtype == DType::kFloat32)
        input = FloatOf(input);
    for (int output : op.outputs) float_version_[output] = output;
    result_.ops.push_back(std::move(emitted));
  }

  Status EmitInt8(const OpDef& op, const Int8OpRule& rule) {
    OpDef emitted = op;
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      const int index = op.inputs[i];
      if (index < 0 || source_.tensors[index].dtype != DType::kFloat32) continue;
      const TensorDef& tensor = source_.tensors[index];
      switch (rule.inputs[i]) {
        case Int8InputRole::kWeights: {
          TMM_ASSIGN_OR_RETURN(TensorDef weights,
                               QuantizeWeightsPerChannel(tensor, rule.weight_axis));
          emitted.inputs[i] = PlaceConstant(index, std::move(weights), op);
          break;
        }
        case Int8InputRole::kBias:
          emitted.inputs[i] = PlaceConstant(
              index,
              QuantizedBias(tensor, result_.tensors[emitted.inputs[0]].quant,
                            result_.tensors[emitted.inputs[1]].quant),
              op);
          break;
        case Int8InputRole::kActivation:
          if (tensor.is_constant) {
            emitted.inputs[i] =
                PlaceConstant(index, QuantizeConstant(tensor, ChooseConstantParams(tensor)), op);
          } else {
            TMM_ASSIGN_OR_RETURN(emitted.inputs[i], Int8Of(index));
          }
          break;
      }
    }
    for (int output : op.outputs) {
      TMM_ASSIGN_OR_RETURN(QuantInfo params, OutputParams(op, rule, emitted, output));
      const TensorDef& tensor = source_.tensors[output];
      int int8_output = output;
      if (is_graph_output_[output]) {
        int8_output = AddTensor(tensor, "_int8", DType::kInt8, params);
      } else {
        result_.tensors[output].dtype = DType::kInt8;
        result_.tensors[output].quant = params;
      }
      int8_version_[output] = int8_output;
      for (int& o : emitted.outputs)
        if (o == output) o = int8_output;
    }
    if (rule.inputs_take_output_params) RequantizeInputsToOutput(emitted);
    result_.ops.push_back(std::move(emitted));
    // A float graph output is dequantized right away, into the tensor of its original name.
    for (int output : op.outputs) {
      if (!is_graph_output_[output]) continue;
      AddOp(OpType::DequantizeLinear, source_.tensors[output].name + "_dequantize",
            int8_version_[output], output);
      float_version_[output] = output;
    }
    return Status::Ok();
  }

  Result<QuantInfo> OutputParams(const OpDef& op, const Int8OpRule& rule, const OpDef& emitted,
                                 int output) {
    switch (rule.output) {
      case Int8OutputParams::kSameAsInput:
        return result_.tensors[emitted.inputs[0]].quant;
      case Int8OutputParams::kSoftmax:
        return SoftmaxOutputParams();
      case Int8OutputParams::kSigmoid:
        return SigmoidOutputParams();
      case Int8OutputParams::kTanh:
        return TanhOutputParams();
      case Int8OutputParams::kCalibrated:
        break;
    }
    auto range = ranges_.find(output);
    if (range == ranges_.end())
      return Status::Error(StatusCode::kInternal,
                           "no calibrated range for output '%s' of node '%s': a bug in the "
                           "quantizer, please report it",
                           source_.tensors[output].name.c_str(), op.name.c_str());
    return ChooseActivationParams(range->second.min, range->second.max);
  }

  // Inserts, before `op`, a Requantize of every input whose parameters differ from the
  // output's, so that the op itself only moves bytes.
  void RequantizeInputsToOutput(OpDef& op) {
    // A copy: adding tensors below may move the one it comes from.
    const QuantInfo output_params = result_.tensors[op.outputs[0]].quant;
    for (int& input : op.inputs) {
      if (input < 0 || SameParams(result_.tensors[input].quant, output_params)) continue;
      const int requantized = AddTensor(result_.tensors[input], "_requantized", DType::kInt8,
                                        output_params);
      AddOp(OpType::Requantize, result_.tensors[input].name + "_requantize", input, requantized);
      input = requantized;
    }
  }

  const Graph& source_;
  const std::map<int, TensorRange>& ranges_;
  Graph result_;
  std::vector<int> int8_version_;
  std::vector<int> float_version_;
  std::vector<int> readers_;
  std::vector<bool> is_graph_output_;
};

}  // namespace

Result<Graph> QuantizeGraph(const Graph& float_graph, const std::vector<CalibrationSample>& samples,
                            const QuantizeOptions& options) {
  TMM_RETURN_IF_ERROR(CheckFloatModel(float_graph));
  Graph graph = float_graph;
  FuseActivations(graph);
  TMM_ASSIGN_OR_RETURN(auto ranges, CalibrateRanges(graph, samples, options));
  TMM_ASSIGN_OR_RETURN(Graph quantized, Int8Rewriter(graph, ranges).Run());
  char note[128];
  std::snprintf(note, sizeof(note), "int8 post-training quantized (%s calibration, %zu samples)",
                options.method == CalibrationMethod::kMinMax ? "min/max" : "percentile",
                samples.size());
  quantized.description += (quantized.description.empty() ? "" : "; ") + std::string(note);
  return quantized;
}

}  // namespace tinymlops::toolchain
