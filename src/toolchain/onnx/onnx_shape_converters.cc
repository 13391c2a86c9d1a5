// Converters of the ops that vanish at import (Identity, Dropout, Constant) or that compute
// shapes and other small constants (Shape, ConstantOfShape, Gather, Slice, Cast, integer
// arithmetic, Unsqueeze, Squeeze): these are evaluated here when their inputs are constant,
// because later converters (Reshape, Pad, ...) need the values.
#include <algorithm>
#include <cstring>

#include "toolchain/onnx/onnx_op_converters.h"
#include "toolchain/onnx/onnx_shape_util.h"
#include "toolchain/onnx/onnx_tensor.h"

namespace tinymlops::toolchain::onnx_converters {
namespace {

// A constant named after nothing yet (AddConstantOutput names it), of `dtype` and `shape`.
TensorDef MakeConstant(DType dtype, Shape shape) {
  TensorDef tensor;
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  tensor.is_constant = true;
  tensor.data.resize(static_cast<size_t>(tensor.ElementCount()) * runtime::DTypeSize(dtype));
  return tensor;
}

TensorDef Int64Constant(const std::vector<int64_t>& values) {
  TensorDef tensor = MakeConstant(DType::kInt64, {static_cast<int32_t>(values.size())});
  tensor.SetValues(values);
  return tensor;
}

// The axes of an opset-dependent attribute (before `input_opset`) or input `input_index`.
Result<std::vector<int64_t>> AxesAttributeOrInput(const OnnxNode& node, int input_opset,
                                                  int input_index) {
  if (node.opset() < input_opset) return node.IntsAttribute("axes");
  if (node.Input(input_index) < 0) return std::vector<int64_t>();
  TMM_ASSIGN_OR_RETURN(const TensorDef* axes, node.ConstantInput(input_index, "axes"));
  return IntegerValues(node, *axes, "axes");
}

template <typename From, typename To>
void ConvertValues(const TensorDef& source, TensorDef& target) {
  const std::vector<From> values = source.Values<From>();
  std::vector<To> converted(values.size());
  for (size_t i = 0; i < values.size(); ++i) converted[i] = static_cast<To>(values[i]);
  target.SetValues(converted);
}

template <typename From>
void ConvertFrom(const TensorDef& source, TensorDef& target) {
  switch (target.dtype) {
    case DType::kFloat32:
      return ConvertValues<From, float>(source, target);
    case DType::kInt8:
      return ConvertValues<From, int8_t>(source, target);
    case DType::kUInt8:
      return ConvertValues<From, uint8_t>(source, target);
    case DType::kInt32:
      return ConvertValues<From, int32_t>(source, target);
    case DType::kInt64:
      return ConvertValues<From, int64_t>(source, target);
  }
}

// `source` converted element-wise (C++ conversion: float to integer truncates) to `target`'s
// dtype; `target` has the shape already.
void ConvertConstant(const TensorDef& source, TensorDef& target) {
  switch (source.dtype) {
    case DType::kFloat32:
      return ConvertFrom<float>(source, target);
    case DType::kInt8:
      return ConvertFrom<int8_t>(source, target);
    case DType::kUInt8:
      return ConvertFrom<uint8_t>(source, target);
    case DType::kInt32:
      return ConvertFrom<int32_t>(source, target);
    case DType::kInt64:
      return ConvertFrom<int64_t>(source, target);
  }
}

// OK when a constant of `shape` is small enough to compute at import.
Status CheckComputedSize(const OnnxNode& node, const Shape& shape) {
  int64_t count = 1;
  for (int32_t d : shape) {
    count *= d;
    if (count > kMaxComputedConstantElements)
      return node.Error(StatusCode::kUnsupported,
                        "the constant output %s is too large to compute at import",
                        ShapeString(shape).c_str());
  }
  return Status::Ok();
}

// Copies the elements `source_indices` of `source` into a new constant of `shape`.
TensorDef GatherElements(const TensorDef& source, Shape shape,
                         const std::vector<int64_t>& source_indices) {
  TensorDef result = MakeConstant(source.dtype, std::move(shape));
  const size_t element = runtime::DTypeSize(source.dtype);
  for (size_t i = 0; i < source_indices.size(); ++i)
    std::memcpy(result.data.data() + i * element, source.data.data() + source_indices[i] * element,
                element);
  return result;
}

template <typename T>
Status ApplyIntegerArithmetic(const OnnxNode& node, const TensorDef& a, const TensorDef& b,
                              TensorDef& result) {
  const std::vector<T> lhs = a.Values<T>(), rhs = b.Values<T>();
  const std::vector<int64_t> lhs_index = BroadcastSourceIndices(a.shape, result.shape);
  const std::vector<int64_t> rhs_index = BroadcastSourceIndices(b.shape, result.shape);
  std::vector<T> values(lhs_index.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const T x = lhs[lhs_index[i]], y = rhs[rhs_index[i]];
    if (node.op_type() == "Add") {
      values[i] = x + y;
    } else if (node.op_type() == "Sub") {
      values[i] = x - y;
    } else if (node.op_type() == "Mul") {
      values[i] = x * y;
    } else {
      if (y == 0) return node.Error(StatusCode::kInvalidArgument, "integer division by zero");
      values[i] = x / y;
    }
  }
  result.SetValues(values);
  return Status::Ok();
}

}  // namespace

Status Identity(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(1, node.op_type() == "Dropout" ? 3 : 1, 1, 2));
  if (node.HasOutput(1))
    return node.Error(StatusCode::kUnsupported,
                      "the mask output of Dropout is unsupported (inference only): remove it");
  if (node.Input(2) >= 0) {
    TMM_ASSIGN_OR_RETURN(const TensorDef* training, node.ConstantInput(2, "training_mode"));
    for (uint8_t byte : training->data)
      if (byte != 0)
        return node.Error(StatusCode::kUnsupported,
                          "training_mode must be false: tinymlops runs inference only");
  }
  node.BindOutput(0, node.Input(0));
  return Status::Ok();
}

Status Constant(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(0, 0, 1, 1));
  if (const onnx::AttributeProto* value = node.FindAttribute("value")) {
    if (value->type() != onnx::AttributeProto::TENSOR)
      return node.Error(StatusCode::kInvalidArgument, "attribute 'value' must be a tensor");
    TMM_ASSIGN_OR_RETURN(TensorDef tensor, TensorFromOnnx(value->t(), node.name()));
    node.AddConstantOutput(0, std::move(tensor));
    return Status::Ok();
  }
  if (const onnx::AttributeProto* value = node.FindAttribute("value_float")) {
    TensorDef tensor = MakeConstant(DType::kFloat32, {});
    tensor.SetValues(std::vector<float>{value->f()});
    node.AddConstantOutput(0, std::move(tensor));
    return Status::Ok();
  }
  if (const onnx::AttributeProto* value = node.FindAttribute("value_floats")) {
    TensorDef tensor = MakeConstant(DType::kFloat32, {value->floats_size()});
    tensor.SetValues(std::vector<float>(value->floats().begin(), value->floats().end()));
    node.AddConstantOutput(0, std::move(tensor));
    return Status::Ok();
  }
  if (const onnx::AttributeProto* value = node.FindAttribute("value_int")) {
    TensorDef tensor = MakeConstant(DType::kInt64, {});
    tensor.SetValues(std::vector<int64_t>{value->i()});
    node.AddConstantOutput(0, std::move(tensor));
    return Status::Ok();
  }
  if (const onnx::AttributeProto* value = node.FindAttribute("value_ints")) {
    node.AddConstantOutput(0, Int64Constant({value->ints().begin(), value->ints().end()}));
    return Status::Ok();
  }
  return node.Error(StatusCode::kUnsupported,
                    "needs a 'value', 'value_float(s)' or 'value_int(s)' attribute (sparse and "
                    "string constants are unsupported)");
}

Status ShapeOf(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(1, 1, 1, 1));
  const Shape& shape = node.InputTensor(0).shape;
  const int64_t rank = static_cast<int64_t>(shape.size());
  TMM_ASSIGN_OR_RETURN(int64_t start, node.IntAttribute("start", 0));
  TMM_ASSIGN_OR_RETURN(int64_t end, node.IntAttribute("end", rank));
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  std::vector<int64_t> dims;
  for (int64_t i = start; i < end; ++i) dims.push_back(shape[i]);
  node.AddConstantOutput(0, Int64Constant(dims));
  return Status::Ok();
}

Status ConstantOfShape(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(1, 1, 1, 1));
  TMM_ASSIGN_OR_RETURN(const TensorDef* shape_input, node.ConstantInput(0, "shape"));
  TMM_ASSIGN_OR_RETURN(std::vector<int64_t> dims, IntegerValues(node, *shape_input, "shape"));
  TMM_ASSIGN_OR_RETURN(Shape shape, ShapeFromOnnxDims(dims, node.name()));
  TMM_RETURN_IF_ERROR(CheckComputedSize(node, shape));
  TensorDef fill = MakeConstant(DType::kFloat32, {1});
  if (const onnx::AttributeProto* value = node.FindAttribute("value")) {
    if (value->type() != onnx::AttributeProto::TENSOR)
      return node.Error(StatusCode::kInvalidArgument, "attribute 'value' must be a tensor");
    TMM_ASSIGN_OR_RETURN(fill, TensorFromOnnx(value->t(), node.name()));
    if (fill.ElementCount() != 1)
      return node.Error(StatusCode::kInvalidArgument, "attribute 'value' must hold one element");
  }
  int64_t count = 1;
  for (int32_t d : shape) count *= d;
  node.AddConstantOutput(0, GatherElements(fill, shape, std::vector<int64_t>(count, 0)));
  return Status::Ok();
}

Status Gather(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(2, 2, 1, 1));
  TMM_ASSIGN_OR_RETURN(const TensorDef* data, node.ConstantInput(0, "data"));
  TMM_ASSIGN_OR_RETURN(const TensorDef* indices_tensor, node.ConstantInput(1, "indices"));
  TMM_ASSIGN_OR_RETURN(std::vector<int64_t> indices,
                       IntegerValues(node, *indices_tensor, "indices"));
  const int rank = static_cast<int>(data->shape.size());
  TMM_ASSIGN_OR_RETURN(int64_t axis_attribute, node.IntAttribute("axis", 0));
  TMM_ASSIGN_OR_RETURN(int axis, NormalizeAxis(node, axis_attribute, rank, "axis"));
  const int64_t axis_dim = data->shape[axis];
  for (int64_t& index : indices) {
    if (index < -axis_dim || index >= axis_dim)
      return node.Error(StatusCode::kOutOfRange, "index %lld is out of range for dimension %lld",
                        static_cast<long long>(index), static_cast<long long>(axis_dim));
    if (index < 0) index += axis_dim;
  }
  Shape shape(data->shape.begin(), data->shape.begin() + axis);
  shape.insert(shape.end(), indices_tensor->shape.begin(), indices_tensor->shape.end());
  shape.insert(shape.end(), data->shape.begin() + axis + 1, data->shape.end());
  if (shape.size() > static_cast<size_t>(runtime::kMaxRank))
    return node.Error(StatusCode::kUnsupported, "output rank %zu exceeds %d", shape.size(),
                      runtime::kMaxRank);
  TMM_RETURN_IF_ERROR(CheckComputedSize(node, shape));
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= data->shape[i];
  for (int i = axis + 1; i < rank; ++i) inner *= data->shape[i];
  std::vector<int64_t> sources;
  sources.reserve(outer * indices.size() * inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t index : indices)
      for (int64_t i = 0; i < inner; ++i) sources.push_back((o * axis_dim + index) * inner + i);
  node.AddConstantOutput(0, GatherElements(*data, shape, sources));
  return Status::Ok();
}

Status Slice(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(3, 5, 1, 1));
  TMM_ASSIGN_OR_RETURN(const TensorDef* data, node.ConstantInput(0, "data"));
  TMM_ASSIGN_OR_RETURN(const TensorDef* starts_tensor, node.ConstantInput(1, "starts"));
  TMM_ASSIGN_OR_RETURN(const TensorDef* ends_tensor, node.ConstantInput(2, "ends"));
  TMM_ASSIGN_OR_RETURN(std::vector<int64_t> starts, IntegerValues(node, *starts_tensor, "starts"));
  TMM_ASSIGN_OR_RETURN(std::vector<int64_t> ends, IntegerValues(node, *ends_tensor, "ends"));
  const int rank = static_cast<int>(data->shape.size());
  std::vector<int64_t> axes(starts.size()), steps(starts.size(), 1);
  for (size_t i = 0; i < axes.size(); ++i) axes[i] = static_cast<int64_t>(i);
  if (node.Input(3) >= 0) {
    TMM_ASSIGN_OR_RETURN(const TensorDef* axes_tensor, node.ConstantInput(3, "axes"));
    TMM_ASSIGN_OR_RETURN(axes, IntegerValues(node, *axes_tensor, "axes"));
  }
  if (node.Input(4) >= 0) {
    TMM_ASSIGN_OR_RETURN(const TensorDef* steps_tensor, node.ConstantInput(4, "steps"));
    TMM_ASSIGN_OR_RETURN(steps, IntegerValues(node, *steps_tensor, "steps"));
  }
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return node.Error(StatusCode::kInvalidArgument,
                      "starts, ends, axes and steps must have the same length");
  std::vector<int64_t> first(rank, 0), step(rank, 1);
  Shape shape = data->shape;
  for (size_t i = 0; i < starts.size(); ++i) {
    TMM_ASSIGN_OR_RETURN(int axis, NormalizeAxis(node, axes[i], rank, "axis"));
    const int64_t dim = data->shape[axis];
    if (steps[i] == 0) return node.Error(StatusCode::kInvalidArgument, "a step is 0");
    steps[i] = std::clamp<int64_t>(steps[i], -kMaxShapeDim - 1, kMaxShapeDim + 1);
    int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
    int64_t count;
    if (steps[i] > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      count = end > start ? (end - start + steps[i] - 1) / steps[i] : 0;
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      count = start > end ? (start - end - steps[i] - 1) / -steps[i] : 0;
    }
    first[axis] = start;
    step[axis] = steps[i];
    shape[axis] = static_cast<int32_t>(count);
  }
  const std::vector<int64_t> in_strides = Strides(data->shape);
  int64_t count = 1;
  for (int32_t d : shape) count *= d;
  std::vector<int64_t> sources(count);
  std::vector<int64_t> position(rank, 0);
  for (int64_t flat = 0; flat < count; ++flat) {
    int64_t source = 0;
    for (int d = 0; d < rank; ++d) source += (first[d] + position[d] * step[d]) * in_strides[d];
    sources[flat] = source;
    for (int d = rank - 1; d >= 0; --d) {
      if (++position[d] < shape[d]) break;
      position[d] = 0;
    }
  }
  node.AddConstantOutput(0, GatherElements(*data, shape, sources));
  return Status::Ok();
}

Status Cast(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(1, 1, 1, 1));
  TMM_ASSIGN_OR_RETURN(int64_t to, node.IntAttribute("to", 0));
  TMM_ASSIGN_OR_RETURN(DType dtype, DTypeFromOnnx(static_cast<int32_t>(to), node.name()));
  const TensorDef& input = node.InputTensor(0);
  if (input.dtype == dtype) {
    node.BindOutput(0, node.Input(0));
    return Status::Ok();
  }
  if (!input.is_constant)
    return node.Error(StatusCode::kUnsupported,
                      "casting activation '%s' from %s to %s is unsupported (only constants "
                      "are cast, at import)",
                      input.name.c_str(), runtime::DTypeName(input.dtype),
                      runtime::DTypeName(dtype));
  TensorDef result = MakeConstant(dtype, input.shape);
  ConvertConstant(input, result);
  node.AddConstantOutput(0, std::move(result));
  return Status::Ok();
}

Status IntegerArithmetic(OnnxNode& node) {
  const TensorDef& a = node.InputTensor(0);
  const TensorDef& b = node.InputTensor(1);
  if (a.dtype != b.dtype)
    return node.Error(StatusCode::kInvalidArgument, "inputs are %s and %s",
                      runtime::DTypeName(a.dtype), runtime::DTypeName(b.dtype));
  TMM_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(node, a.shape, b.shape));
  TensorDef result = MakeConstant(a.dtype, shape);
  if (a.dtype == DType::kInt64)
    TMM_RETURN_IF_ERROR(ApplyIntegerArithmetic<int64_t>(node, a, b, result));
  else if (a.dtype == DType::kInt32)
    TMM_RETURN_IF_ERROR(ApplyIntegerArithmetic<int32_t>(node, a, b, result));
  else
    return node.Error(StatusCode::kInternal, "integer arithmetic on %s",
                      runtime::DTypeName(a.dtype));
  node.AddConstantOutput(0, std::move(result));
  return Status::Ok();
}

Status Unsqueeze(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(1, 2, 1, 1));
  TMM_ASSIGN_OR_RETURN(std::vector<int64_t> axes, AxesAttributeOrInput(node, 13, 1));
  const Shape& input = node.InputTensor(0).shape;
  const int rank = static_cast<int>(input.size() + axes.size());
  std::vector<bool> inserted(rank, false);
  for (int64_t axis : axes) {
    TMM_ASSIGN_OR_RETURN(int normalized, NormalizeAxis(node, axis, rank, "axis"));
    if (inserted[normalized])
      return node.Error(StatusCode::kInvalidArgument, "axis %lld is repeated",
                        static_cast<long long>(axis));
    inserted[normalized] = true;
  }
  Shape shape;
  size_t next = 0;
  for (int i = 0; i < rank; ++i) shape.push_back(inserted[i] ? 1 : input[next++]);
  return EmitReshape(node, shape);
}

Status Squeeze(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(1, 2, 1, 1));
  TMM_ASSIGN_OR_RETURN(std::vector<int64_t> axes, AxesAttributeOrInput(node, 13, 1));
  const Shape& input = node.InputTensor(0).shape;
  const int rank = static_cast<int>(input.size());
  std::vector<bool> removed(rank, axes.empty());
  if (axes.empty())
    for (int i = 0; i < rank; ++i) removed[i] = input[i] == 1;
  for (int64_t axis : axes) {
    TMM_ASSIGN_OR_RETURN(int normalized, NormalizeAxis(node, axis, rank, "axis"));
    if (input[normalized] != 1)
      return node.Error(StatusCode::kInvalidArgument, "cannot squeeze axis %d of size %d",
                        normalized, input[normalized]);
    removed[normalized] = true;
  }
  Shape shape;
  for (int i = 0; i < rank; ++i)
    if (!removed[i]) shape.push_back(input[i]);
  return EmitReshape(node, shape);
}

}  // namespace tinymlops::toolchain::onnx_converters
