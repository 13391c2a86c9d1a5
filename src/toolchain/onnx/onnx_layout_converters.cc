// Converters of the layout ops: Reshape, Flatten (lowered to Reshape), Transpose, Concat, Pad.
#include <algorithm>
#include <cstring>

#include "toolchain/onnx/onnx_op_converters.h"
#include "toolchain/onnx/onnx_shape_util.h"

namespace tinymlops::toolchain::onnx_converters {
namespace {

int64_t Product(const Shape& shape, size_t begin, size_t end) {
  int64_t product = 1;
  for (size_t i = begin; i < end; ++i) product *= shape[i];
  return product;
}

// Concatenates constant inputs at import.
TensorDef ConcatConstants(const std::vector<const TensorDef*>& inputs, int axis,
                          const Shape& shape) {
  TensorDef result;
  result.dtype = inputs[0]->dtype;
  result.shape = shape;
  result.is_constant = true;
  const size_t element = runtime::DTypeSize(result.dtype);
  const int64_t outer = Product(shape, 0, axis);
  for (int64_t o = 0; o < outer; ++o)
    for (const TensorDef* input : inputs) {
      const size_t block = Product(input->shape, axis, input->shape.size()) * element;
      const uint8_t* begin = input->data.data() + o * block;
      result.data.insert(result.data.end(), begin, begin + block);
    }
  return result;
}

}  // namespace

Status EmitReshape(OnnxNode& node, const Shape& shape) {
  const TensorDef& input = node.InputTensor(0);
  if (input.ElementCount() != Product(shape, 0, shape.size()))
    return node.Error(StatusCode::kInvalidArgument, "cannot reshape %s into %s",
                      ShapeString(input.shape).c_str(), ShapeString(shape).c_str());
  if (shape.size() > static_cast<size_t>(runtime::kMaxRank))
    return node.Error(StatusCode::kUnsupported, "output rank %zu exceeds %d", shape.size(),
                      runtime::kMaxRank);
  if (input.is_constant) {
    TensorDef value = input;
    value.shape = shape;
    node.AddConstantOutput(0, std::move(value));
    return Status::Ok();
  }
  const DType dtype = input.dtype;
  const QuantInfo quant = input.quant;
  const int output = node.AddOutput(0, dtype, shape);
  node.graph().tensors[output].quant = quant;
  node.AddOp(tmm::OpType::Reshape, {node.Input(0)}, {output});
  return Status::Ok();
}

Status Reshape(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(2, 2, 1, 1));
  TMM_ASSIGN_OR_RETURN(const TensorDef* shape_tensor, node.ConstantInput(1, "shape"));
  TMM_ASSIGN_OR_RETURN(std::vector<int64_t> requested, IntegerValues(node, *shape_tensor, "shape"));
  TMM_ASSIGN_OR_RETURN(int64_t allow_zero, node.IntAttribute("allowzero", 0));
  const Shape& input = node.InputTensor(0).shape;
  Shape shape(requested.size());
  int inferred = -1;
  int64_t known = 1;
  for (size_t i = 0; i < requested.size(); ++i) {
    int64_t dim = requested[i];
    if (dim == 0 && allow_zero == 0) {
      if (i >= input.size())
        return node.Error(StatusCode::kInvalidArgument,
                          "shape entry %zu is 0 (copy) but the input %s has no dimension %zu", i,
                          ShapeString(input).c_str(), i);
      dim = input[i];
    } else if (dim == -1) {
      if (inferred >= 0)
        return node.Error(StatusCode::kInvalidArgument, "shape has more than one -1");
      inferred = static_cast<int>(i);
      continue;
    } else if (dim < 0 || dim > kMaxShapeDim) {
      return node.Error(StatusCode::kInvalidArgument, "shape entry %lld is invalid",
                        static_cast<long long>(dim));
    }
    shape[i] = static_cast<int32_t>(dim);
    known *= dim;
    if (known > kMaxShapeDim) return node.Error(StatusCode::kInvalidArgument, "shape is too large");
  }
  if (inferred >= 0) {
    const int64_t total = Product(input, 0, input.size());
    if (known == 0 || total % known != 0)
      return node.Error(StatusCode::kInvalidArgument, "cannot infer the -1 of the shape for %s",
                        ShapeString(input).c_str());
    shape[inferred] = static_cast<int32_t>(total / known);
  }
  return EmitReshape(node, shape);
}

Status Flatten(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(1, 1, 1, 1));
  const Shape input = node.InputTensor(0).shape;
  const int rank = static_cast<int>(input.size());
  TMM_ASSIGN_OR_RETURN(int64_t axis, node.IntAttribute("axis", 1));
  if (axis < -rank || axis > rank)
    return node.Error(StatusCode::kInvalidArgument, "axis %lld is out of range for rank %d",
                      static_cast<long long>(axis), rank);
  if (axis < 0) axis += rank;
  return EmitReshape(node, {static_cast<int32_t>(Product(input, 0, axis)),
                            static_cast<int32_t>(Product(input, axis, rank))});
}

Status Transpose(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(1, 1, 1, 1));
  const TensorDef& input = node.InputTensor(0);
  const int rank = static_cast<int>(input.shape.size());
  TMM_ASSIGN_OR_RETURN(std::vector<int64_t> perm, node.IntsAttribute("perm"));
  if (perm.empty())
    for (int i = rank - 1; i >= 0; --i) perm.push_back(i);
  if (static_cast<int>(perm.size()) != rank)
    return node.Error(StatusCode::kInvalidArgument, "perm has %zu entries for rank %d", perm.size(),
                      rank);
  std::vector<bool> seen(rank, false);
  tmm::TransposeOptionsT options;
  Shape shape;
  for (int64_t axis : perm) {
    if (axis < 0 || axis >= rank || seen[axis])
      return node.Error(StatusCode::kInvalidArgument, "perm is not a permutation of 0..%d",
                        rank - 1);
    seen[axis] = true;
    options.perm.push_back(static_cast<int32_t>(axis));
    shape.push_back(input.shape[axis]);
  }
  const DType dtype = input.dtype;
  const QuantInfo quant = input.quant;
  const int output = node.AddOutput(0, dtype, shape);
  node.graph().tensors[output].quant = quant;
  tmm::OpOptionsUnion union_options;
  union_options.Set(std::move(options));
  node.AddOp(tmm::OpType::Transpose, {node.Input(0)}, {output}, std::move(union_options));
  return Status::Ok();
}

Status Concat(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(1, 1 << 16, 1, 1));
  std::vector<const TensorDef*> inputs;
  bool all_constant = true;
  for (int i = 0; i < node.input_count(); ++i) {
    if (node.Input(i) < 0) return node.Error(StatusCode::kInvalidArgument, "input %d is empty", i);
    inputs.push_back(&node.InputTensor(i));
    all_constant = all_constant && inputs.back()->is_constant;
  }
  const Shape& first = inputs[0]->shape;
  const int rank = static_cast<int>(first.size());
  TMM_ASSIGN_OR_RETURN(int64_t axis_attribute, node.IntAttribute("axis", 0));
  if (!node.FindAttribute("axis"))
    return node.Error(StatusCode::kInvalidArgument, "the 'axis' attribute is required");
  TMM_ASSIGN_OR_RETURN(int axis, NormalizeAxis(node, axis_attribute, rank, "axis"));
  Shape shape = first;
  shape[axis] = 0;
  for (const TensorDef* input : inputs) {
    bool compatible = input->dtype == inputs[0]->dtype && input->shape.size() == first.size();
    for (int d = 0; compatible && d < rank; ++d)
      compatible = d == axis || input->shape[d] == first[d];
    if (!compatible)
      return node.Error(StatusCode::kInvalidArgument,
                        "input '%s' (%s %s) does not match '%s' (%s %s) outside axis %d",
                        input->name.c_str(), runtime::DTypeName(input->dtype),
                        ShapeString(input->shape).c_str(), inputs[0]->name.c_str(),
                        runtime::DTypeName(inputs[0]->dtype), ShapeString(first).c_str(), axis);
    shape[axis] += input->shape[axis];
  }
  if (all_constant) {
    node.AddConstantOutput(0, ConcatConstants(inputs, axis, shape));
    return Status::Ok();
  }
  const DType dtype = inputs[0]->dtype;
  std::vector<int> input_indices;
  for (int i = 0; i < node.input_count(); ++i) input_indices.push_back(node.Input(i));
  const int output = node.AddOutput(0, dtype, shape);
  tmm::ConcatOptionsT options;
  options.axis = axis;
  tmm::OpOptionsUnion union_options;
  union_options.Set(std::move(options));
  node.AddOp(tmm::OpType::Concat, input_indices, {output}, std::move(union_options));
  return Status::Ok();
}

Status Pad(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(2, 3, 1, 1));
  TMM_ASSIGN_OR_RETURN(const TensorDef* pads_tensor, node.ConstantInput(1, "pads"));
  TMM_ASSIGN_OR_RETURN(std::vector<int64_t> pads, IntegerValues(node, *pads_tensor, "pads"));
  float value = 0.0f;
  if (node.Input(2) >= 0) {
    TMM_ASSIGN_OR_RETURN(value, node.ScalarInput(2, "constant_value"));
  }
  TMM_ASSIGN_OR_RETURN(std::string mode, node.StringAttribute("mode", "constant"));
  tmm::PadOptionsT options;
  if (mode == "constant") {
    options.mode = tmm::PadMode::Constant;
  } else if (mode == "reflect") {
    options.mode = tmm::PadMode::Reflect;
  } else if (mode == "edge") {
    options.mode = tmm::PadMode::Edge;
  } else {
    return node.Error(StatusCode::kUnsupported,
                      "mode '%s' is unsupported (constant, reflect and edge are)", mode.c_str());
  }
  options.value = value;
  const TensorDef& input = node.InputTensor(0);
  const size_t rank = input.shape.size();
  if (pads.size() != 2 * rank)
    return node.Error(StatusCode::kInvalidArgument,
                      "pads has %zu entries, expected %zu for rank %zu", pads.size(), 2 * rank,
                      rank);
  Shape shape = input.shape;
  for (size_t d = 0; d < rank; ++d) {
    if (pads[d] < 0 || pads[d + rank] < 0)
      return node.Error(StatusCode::kUnsupported,
                        "negative pads (cropping) are unsupported: use Slice before the model");
    if (pads[d] > kMaxShapeDim || pads[d + rank] > kMaxShapeDim ||
        shape[d] + pads[d] + pads[d + rank] > kMaxShapeDim)
      return node.Error(StatusCode::kInvalidArgument, "pads are too large");
    if (options.mode == tmm::PadMode::Reflect &&
        (pads[d] >= shape[d] || pads[d + rank] >= shape[d]))
      return node.Error(StatusCode::kInvalidArgument,
                        "reflect pads must be smaller than the dimension they pad");
    if (options.mode == tmm::PadMode::Edge && shape[d] == 0 && pads[d] + pads[d + rank] > 0)
      return node.Error(StatusCode::kInvalidArgument, "edge padding of an empty dimension");
    shape[d] += static_cast<int32_t>(pads[d] + pads[d + rank]);
  }
  for (int64_t pad : pads) options.pads.push_back(static_cast<int32_t>(pad));
  const DType dtype = input.dtype;
  const QuantInfo quant = input.quant;
  const int output = node.AddOutput(0, dtype, shape);
  node.graph().tensors[output].quant = quant;
  tmm::OpOptionsUnion union_options;
  union_options.Set(std::move(options));
  node.AddOp(tmm::OpType::Pad, {node.Input(0)}, {output}, std::move(union_options));
  return Status::Ok();
}

}  // namespace tinymlops::toolchain::onnx_converters
