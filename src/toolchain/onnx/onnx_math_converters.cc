// Converters of the arithmetic ops: Gemm, MatMul, QLinearMatMul (a quantized MatMul), Add, Sub,
// Mul, Div (by a constant, lowered to Mul), Relu, Sigmoid, Tanh, Clip, Softmax and
// BatchNormalization (lowered to a per-channel scale and shift).
#include <cmath>
#include <limits>

#include "toolchain/onnx/onnx_op_converters.h"
#include "toolchain/onnx/onnx_quantization.h"
#include "toolchain/onnx/onnx_shape_util.h"

namespace tinymlops::toolchain::onnx_converters {
namespace {

template <typename OptionsT>
tmm::OpOptionsUnion Wrap(OptionsT options) {
  tmm::OpOptionsUnion result;
  result.Set(std::move(options));
  return result;
}

// A new float constant of `shape`, named `<node>/<suffix>`.
int AddFloatConstant(OnnxNode& node, const std::string& suffix, Shape shape,
                     const std::vector<float>& values) {
  TensorDef tensor;
  tensor.name = node.name() + "/" + suffix;
  tensor.shape = std::move(shape);
  tensor.SetValues(values);
  return node.graph().AddTensor(std::move(tensor));
}

// NumPy matmul output shape of `a` x `b` (1-D operands promoted, then their dim dropped).
Result<Shape> MatMulShape(const OnnxNode& node, Shape a, Shape b) {
  if (a.empty() || b.empty())
    return node.Error(StatusCode::kInvalidArgument, "MatMul operands must have rank >= 1");
  const bool a_vector = a.size() == 1, b_vector = b.size() == 1;
  if (a_vector) a.insert(a.begin(), 1);
  if (b_vector) b.push_back(1);
  const size_t ra = a.size(), rb = b.size();
  if (a[ra - 1] != b[rb - 2])
    return node.Error(StatusCode::kInvalidArgument, "cannot multiply %s by %s",
                      ShapeString(a).c_str(), ShapeString(b).c_str());
  TMM_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(node, Shape(a.begin(), a.end() - 2),
                                                    Shape(b.begin(), b.end() - 2)));
  if (!a_vector) shape.push_back(a[ra - 2]);
  if (!b_vector) shape.push_back(b[rb - 1]);
  return shape;
}

}  // namespace

Status Gemm(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(2, 3, 1, 1));
  tmm::GemmOptionsT options;
  TMM_ASSIGN_OR_RETURN(options.alpha, node.FloatAttribute("alpha", 1.0f));
  TMM_ASSIGN_OR_RETURN(options.beta, node.FloatAttribute("beta", 1.0f));
  TMM_ASSIGN_OR_RETURN(int64_t trans_a, node.IntAttribute("transA", 0));
  TMM_ASSIGN_OR_RETURN(int64_t trans_b, node.IntAttribute("transB", 0));
  options.trans_a = trans_a != 0;
  options.trans_b = trans_b != 0;
  const Shape a = node.InputTensor(0).shape, b = node.InputTensor(1).shape;
  if (a.size() != 2 || b.size() != 2)
    return node.Error(StatusCode::kInvalidArgument, "A %s and B %s must be matrices",
                      ShapeString(a).c_str(), ShapeString(b).c_str());
  const int32_t m = a[options.trans_a ? 1 : 0], k = a[options.trans_a ? 0 : 1];
  const int32_t kb = b[options.trans_b ? 1 : 0], n = b[options.trans_b ? 0 : 1];
  if (k != kb)
    return node.Error(StatusCode::kInvalidArgument, "A %s and B %s do not multiply",
                      ShapeString(a).c_str(), ShapeString(b).c_str());
  std::vector<int> inputs = {node.Input(0), node.Input(1)};
  if (node.Input(2) >= 0) {
    const Shape c = node.InputTensor(2).shape;
    bool broadcastable = c.size() <= 2;
    if (broadcastable && !c.empty()) broadcastable = c.back() == n || c.back() == 1;
    if (broadcastable && c.size() == 2) broadcastable = c[0] == m || c[0] == 1;
    if (!broadcastable)
      return node.Error(StatusCode::kInvalidArgument, "C %s does not broadcast to [%d, %d]",
                        ShapeString(c).c_str(), m, n);
    inputs.push_back(node.Input(2));
  }
  const DType dtype = node.InputTensor(0).dtype;
  const int output = node.AddOutput(0, dtype, {m, n});
  node.AddOp(tmm::OpType::Gemm, inputs, {output}, Wrap(std::move(options)));
  return Status::Ok();
}

Status MatMul(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(2, 2, 1, 1));
  TMM_ASSIGN_OR_RETURN(Shape shape,
                       MatMulShape(node, node.InputTensor(0).shape, node.InputTensor(1).shape));
  const DType dtype = node.InputTensor(0).dtype;
  const int output = node.AddOutput(0, dtype, shape);
  node.AddOp(tmm::OpType::MatMul, {node.Input(0), node.Input(1)}, {output},
             Wrap(tmm::MatMulOptionsT()));
  return Status::Ok();
}

Status QLinearMatMul(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(8, 8, 1, 1));
  const Shape a_shape = node.InputTensor(0).shape, b_shape = node.InputTensor(3).shape;
  TMM_ASSIGN_OR_RETURN(Shape shape, MatMulShape(node, a_shape, b_shape));
  TMM_ASSIGN_OR_RETURN(QuantInfo a_quant, ReadQuantInfo(node, 1, 2, 0, a_shape, nullptr));
  TMM_ASSIGN_OR_RETURN(QuantInfo b_quant, ReadQuantInfo(node, 4, 5, -1, b_shape, nullptr));
  DType y_dtype = DType::kUInt8;
  TMM_ASSIGN_OR_RETURN(QuantInfo y_quant, ReadQuantInfo(node, 6, 7, 0, shape, &y_dtype));
  if (a_quant.scale.size() != 1 || y_quant.scale.size() != 1)
    return node.Error(StatusCode::kUnsupported, "a and y must be quantized per tensor");
  TMM_ASSIGN_OR_RETURN(int a, QuantizedInput(node, 0, a_quant));
  TMM_ASSIGN_OR_RETURN(int b, QuantizedInput(node, 3, b_quant));
  const int output = node.AddOutput(0, y_dtype, shape);
  node.graph().tensors[output].quant = y_quant;
  node.AddOp(tmm::OpType::MatMul, {a, b}, {output}, Wrap(tmm::MatMulOptionsT()));
  return Status::Ok();
}

Status Elementwise(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(2, 2, 1, 1));
  const TensorDef& a = node.InputTensor(0);
  const TensorDef& b = node.InputTensor(1);
  const bool integer = a.dtype == DType::kInt64 || a.dtype == DType::kInt32;
  if (integer && a.is_constant && b.is_constant) return IntegerArithmetic(node);
  if (a.dtype != b.dtype)
    return node.Error(StatusCode::kInvalidArgument, "inputs '%s' (%s) and '%s' (%s) differ",
                      a.name.c_str(), runtime::DTypeName(a.dtype), b.name.c_str(),
                      runtime::DTypeName(b.dtype));
  TMM_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(node, a.shape, b.shape));
  const DType dtype = a.dtype;
  tmm::OpType type = node.op_type() == "Add"   ? tmm::OpType::Add
                     : node.op_type() == "Sub" ? tmm::OpType::Sub
                                               : tmm::OpType::Mul;
  int rhs = node.Input(1);
  if (node.op_type() == "Div") {
    if (dtype != DType::kFloat32 || !b.is_constant)
      return node.Error(StatusCode::kUnsupported,
                        "Div is supported only for float inputs divided by a constant");
    std::vector<float> reciprocal = b.Values<float>();
    for (float& value : reciprocal) value = 1.0f / value;
    rhs = AddFloatConstant(node, "reciprocal", b.shape, reciprocal);
  }
  const int output = node.AddOutput(0, dtype, shape);
  node.AddOp(type, {node.Input(0), rhs}, {output}, Wrap(tmm::ElementwiseOptionsT()));
  return Status::Ok();
}

Status Unary(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(1, 1, 1, 1));
  const tmm::OpType type = node.op_type() == "Relu"      ? tmm::OpType::Relu
                           : node.op_type() == "Sigmoid" ? tmm::OpType::Sigmoid
                                                         : tmm::OpType::Tanh;
  const DType dtype = node.InputTensor(0).dtype;
  const Shape shape = node.InputTensor(0).shape;
  const int output = node.AddOutput(0, dtype, shape);
  node.AddOp(type, {node.Input(0)}, {output});
  return Status::Ok();
}

Status Clip(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(1, 3, 1, 1));
  tmm::ClipOptionsT options;
  options.min = -std::numeric_limits<float>::infinity();
  options.max = std::numeric_limits<float>::infinity();
  if (node.Input(1) >= 0) {
    TMM_ASSIGN_OR_RETURN(options.min, node.ScalarInput(1, "min"));
  }
  if (node.Input(2) >= 0) {
    TMM_ASSIGN_OR_RETURN(options.max, node.ScalarInput(2, "max"));
  }
  const DType dtype = node.InputTensor(0).dtype;
  const Shape shape = node.InputTensor(0).shape;
  const int output = node.AddOutput(0, dtype, shape);
  node.AddOp(tmm::OpType::Clip, {node.Input(0)}, {output}, Wrap(std::move(options)));
  return Status::Ok();
}

Status Softmax(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(1, 1, 1, 1));
  const DType dtype = node.InputTensor(0).dtype;
  const Shape shape = node.InputTensor(0).shape;
  const int rank = static_cast<int>(shape.size());
  const bool coerced_2d = node.opset() < 13;
  TMM_ASSIGN_OR_RETURN(int64_t axis_attribute, node.IntAttribute("axis", coerced_2d ? 1 : -1));
  TMM_ASSIGN_OR_RETURN(int axis, NormalizeAxis(node, axis_attribute, rank, "axis"));
  tmm::SoftmaxOptionsT options;
  options.axis = axis;
  options.axis_end = coerced_2d ? rank : axis + 1;
  const int output = node.AddOutput(0, dtype, shape);
  node.AddOp(tmm::OpType::Softmax, {node.Input(0)}, {output}, Wrap(std::move(options)));
  return Status::Ok();
}

Status BatchNormalization(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(5, 5, 1, 5));
  if (node.output_count() > 1)
    return node.Error(StatusCode::kUnsupported,
                      "has training outputs (running mean/var); only inference is supported");
  TMM_ASSIGN_OR_RETURN(int64_t training_mode, node.IntAttribute("training_mode", 0));
  if (training_mode != 0)
    return node.Error(StatusCode::kUnsupported, "training_mode must be 0 (inference)");
  TMM_ASSIGN_OR_RETURN(float epsilon, node.FloatAttribute("epsilon", 1e-5f));
  const Shape shape = node.InputTensor(0).shape;
  const DType dtype = node.InputTensor(0).dtype;
  if (shape.size() < 2 || dtype != DType::kFloat32)
    return node.Error(StatusCode::kInvalidArgument, "input must be float [N, C, ...], it is %s",
                      ShapeString(shape).c_str());
  const int32_t channels = shape[1];
  const char* roles[] = {"scale", "B", "input_mean", "input_var"};
  std::vector<float> params[4];
  for (int i = 0; i < 4; ++i) {
    TMM_ASSIGN_OR_RETURN(const TensorDef* tensor, node.ConstantInput(i + 1, roles[i]));
    if (tensor->dtype != DType::kFloat32 || tensor->ElementCount() != channels)
      return node.Error(StatusCode::kInvalidArgument, "%s must be float [%d], it is %s %s",
                        roles[i], channels, runtime::DTypeName(tensor->dtype),
                        ShapeString(tensor->shape).c_str());
    params[i] = tensor->Values<float>();
  }
  std::vector<float> scale(channels), shift(channels);
  for (int32_t c = 0; c < channels; ++c) {
    const double factor = params[0][c] / std::sqrt(double{params[3][c]} + epsilon);
    scale[c] = static_cast<float>(factor);
    shift[c] = static_cast<float>(params[1][c] - params[2][c] * factor);
  }
  const int scale_index = AddFloatConstant(node, "scale", {channels}, scale);
  const int shift_index = AddFloatConstant(node, "shift", {channels}, shift);
  const int output = node.AddOutput(0, dtype, shape);
  node.AddOp(tmm::OpType::BatchNormalization, {node.Input(0), scale_index, shift_index}, {output});
  return Status::Ok();
}

}  // namespace tinymlops::toolchain::onnx_converters
