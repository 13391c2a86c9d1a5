// Converters of the sliding-window ops: Conv, QLinearConv (a quantized Conv), MaxPool,
// AveragePool and GlobalAveragePool. auto_pad and ceil_mode are resolved here into explicit
// pads and static output shapes.
#include <algorithm>

#include "toolchain/graph/bias_quantization.h"
#include "toolchain/onnx/onnx_op_converters.h"
#include "toolchain/onnx/onnx_quantization.h"
#include "toolchain/onnx/onnx_shape_util.h"

namespace tinymlops::toolchain::onnx_converters {
namespace {

// Kernel, strides, dilations and explicit pads of a window op, and its output spatial dims.
struct Window {
  std::vector<int32_t> kernel, strides, dilations, pads;
  Shape output;
};

// Reads a per-spatial-dim attribute (`count` values, default `fill` when absent).
Result<std::vector<int32_t>> SpatialAttribute(const OnnxNode& node, const char* name, size_t count,
                                              int32_t fill, int32_t minimum) {
  TMM_ASSIGN_OR_RETURN(std::vector<int64_t> values, node.IntsAttribute(name));
  if (values.empty()) return std::vector<int32_t>(count, fill);
  if (values.size() != count)
    return node.Error(StatusCode::kInvalidArgument, "'%s' has %zu values, expected %zu", name,
                      values.size(), count);
  std::vector<int32_t> result;
  for (int64_t value : values) {
    if (value < minimum || value > kMaxShapeDim)
      return node.Error(StatusCode::kInvalidArgument, "'%s' holds invalid value %lld", name,
                        static_cast<long long>(value));
    result.push_back(static_cast<int32_t>(value));
  }
  return result;
}

// Resolves the window of a Conv or pool over `input` spatial dims with `kernel` dims.
Result<Window> ResolveWindow(const OnnxNode& node, const Shape& input_spatial,
                             std::vector<int32_t> kernel, bool has_dilations, bool ceil_mode) {
  const size_t rank = input_spatial.size();
  Window window;
  window.kernel = std::move(kernel);
  TMM_ASSIGN_OR_RETURN(window.strides, SpatialAttribute(node, "strides", rank, 1, 1));
  if (has_dilations) {
    TMM_ASSIGN_OR_RETURN(window.dilations, SpatialAttribute(node, "dilations", rank, 1, 1));
  } else {
    window.dilations.assign(rank, 1);
  }
  TMM_ASSIGN_OR_RETURN(window.pads, SpatialAttribute(node, "pads", 2 * rank, 0, 0));
  TMM_ASSIGN_OR_RETURN(std::string auto_pad, node.StringAttribute("auto_pad", "NOTSET"));
  const bool same = auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
  if (!same && auto_pad != "NOTSET" && auto_pad != "VALID")
    return node.Error(StatusCode::kInvalidArgument, "auto_pad '%s' is invalid", auto_pad.c_str());
  for (size_t d = 0; d < rank; ++d) {
    const int64_t in = input_spatial[d];
    const int64_t stride = window.strides[d];
    const int64_t extent = int64_t{window.dilations[d]} * (window.kernel[d] - 1) + 1;
    int64_t out;
    if (same) {
      out = (in + stride - 1) / stride;
      const int64_t total = std::max<int64_t>(0, (out - 1) * stride + extent - in);
      const int64_t small = total / 2;
      window.pads[d] = static_cast<int32_t>(auto_pad == "SAME_UPPER" ? small : total - small);
      window.pads[d + rank] = static_cast<int32_t>(total - window.pads[d]);
    } else {
      if (auto_pad == "VALID") window.pads[d] = window.pads[d + rank] = 0;
      const int64_t padded = in + window.pads[d] + window.pads[d + rank];
      if (padded < extent)
        return node.Error(StatusCode::kInvalidArgument,
                          "the window (extent %lld) is larger than the padded input (%lld) on "
                          "spatial dim %zu",
                          static_cast<long long>(extent), static_cast<long long>(padded), d);
      out = (padded - extent) / stride + 1;
      if (ceil_mode && (padded - extent) % stride != 0) {
        ++out;
        // As PyTorch and ONNX Runtime: the last window must start inside the input or the
        // begin padding.
        if ((out - 1) * stride >= in + window.pads[d]) --out;
      }
    }
    window.output.push_back(static_cast<int32_t>(out));
  }
  return window;
}

// Spatial dims of an [N, C, spatial...] input, or an error when the rank is below 3.
Result<Shape> SpatialDims(const OnnxNode& node, const TensorDef& input) {
  if (input.shape.size() < 3)
    return node.Error(StatusCode::kInvalidArgument,
                      "input '%s' %s must be [N, C, spatial...] (rank 3 or more)",
                      input.name.c_str(), ShapeString(input.shape).c_str());
  return Shape(input.shape.begin() + 2, input.shape.end());
}

// Conv and QLinearConv: validates shapes and builds options; returns the output shape.
Result<Shape> ConvShapeAndOptions(const OnnxNode& node, const TensorDef& x, const TensorDef& w,
                                  int bias_input, tmm::ConvOptionsT& options) {
  TMM_ASSIGN_OR_RETURN(Shape spatial, SpatialDims(node, x));
  if (w.shape.size() != x.shape.size())
    return node.Error(StatusCode::kInvalidArgument, "weight %s and input %s differ in rank",
                      ShapeString(w.shape).c_str(), ShapeString(x.shape).c_str());
  TMM_ASSIGN_OR_RETURN(int64_t group, node.IntAttribute("group", 1));
  const int64_t channels = x.shape[1], filters = w.shape[0];
  if (group < 1 || channels % group != 0 || filters % group != 0 || w.shape[1] * group != channels)
    return node.Error(
        StatusCode::kInvalidArgument, "group %lld does not fit input %s and weight %s",
        static_cast<long long>(group), ShapeString(x.shape).c_str(), ShapeString(w.shape).c_str());
  std::vector<int32_t> kernel(w.shape.begin() + 2, w.shape.end());
  for (int32_t k : kernel)
    if (k < 1)
      return node.Error(StatusCode::kInvalidArgument, "weight %s has an empty kernel",
                        ShapeString(w.shape).c_str());
  TMM_ASSIGN_OR_RETURN(std::vector<int64_t> kernel_shape, node.IntsAttribute("kernel_shape"));
  if (!kernel_shape.empty() && kernel_shape != std::vector<int64_t>(kernel.begin(), kernel.end()))
    return node.Error(StatusCode::kInvalidArgument, "kernel_shape does not match weight %s",
                      ShapeString(w.shape).c_str());
  if (bias_input >= 0 && node.Input(bias_input) >= 0) {
    const Shape& bias = node.InputTensor(bias_input).shape;
    if (bias.size() != 1 || bias[0] != filters)
      return node.Error(StatusCode::kInvalidArgument, "bias %s must be [%lld]",
                        ShapeString(bias).c_str(), static_cast<long long>(filters));
  }
  TMM_ASSIGN_OR_RETURN(Window window, ResolveWindow(node, spatial, kernel, true, false));
  options.group = static_cast<int32_t>(group);
  options.strides = window.strides;
  options.dilations = window.dilations;
  options.pads = window.pads;
  Shape output = {x.shape[0], static_cast<int32_t>(filters)};
  output.insert(output.end(), window.output.begin(), window.output.end());
  return output;
}

tmm::OpOptionsUnion Wrap(tmm::ConvOptionsT options) {
  tmm::OpOptionsUnion result;
  result.Set(std::move(options));
  return result;
}

tmm::OpOptionsUnion Wrap(tmm::PoolOptionsT options) {
  tmm::OpOptionsUnion result;
  result.Set(std::move(options));
  return result;
}

Status Pool(OnnxNode& node, tmm::OpType type) {
  const bool is_max = type == tmm::OpType::MaxPool;
  TMM_RETURN_IF_ERROR(node.CheckArity(1, 1, 1, 2));
  if (node.HasOutput(1))
    return node.Error(StatusCode::kUnsupported,
                      "the Indices output of MaxPool is unsupported: remove it");
  const TensorDef& x = node.InputTensor(0);
  TMM_ASSIGN_OR_RETURN(Shape spatial, SpatialDims(node, x));
  if (!node.FindAttribute("kernel_shape"))
    return node.Error(StatusCode::kInvalidArgument, "the 'kernel_shape' attribute is required");
  TMM_ASSIGN_OR_RETURN(std::vector<int32_t> kernel,
                       SpatialAttribute(node, "kernel_shape", spatial.size(), 1, 1));
  TMM_ASSIGN_OR_RETURN(int64_t ceil_mode, node.IntAttribute("ceil_mode", 0));
  TMM_ASSIGN_OR_RETURN(int64_t count_include_pad, node.IntAttribute("count_include_pad", 0));
  TMM_ASSIGN_OR_RETURN(Window window, ResolveWindow(node, spatial, kernel, is_max, ceil_mode));
  tmm::PoolOptionsT options;
  options.kernel = window.kernel;
  options.strides = window.strides;
  options.dilations = window.dilations;
  options.pads = window.pads;
  options.count_include_pad = !is_max && count_include_pad != 0;
  Shape shape = {x.shape[0], x.shape[1]};
  shape.insert(shape.end(), window.output.begin(), window.output.end());
  const DType dtype = x.dtype;
  const QuantInfo quant = x.quant;
  const int output = node.AddOutput(0, dtype, shape);
  node.graph().tensors[output].quant = quant;
  node.AddOp(type, {node.Input(0)}, {output}, Wrap(std::move(options)));
  return Status::Ok();
}

}  // namespace

Status Conv(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(2, 3, 1, 1));
  tmm::ConvOptionsT options;
  TMM_ASSIGN_OR_RETURN(
      Shape shape, ConvShapeAndOptions(node, node.InputTensor(0), node.InputTensor(1), 2, options));
  const DType dtype = node.InputTensor(0).dtype;
  std::vector<int> inputs = {node.Input(0), node.Input(1)};
  if (node.Input(2) >= 0) inputs.push_back(node.Input(2));
  const int output = node.AddOutput(0, dtype, shape);
  node.AddOp(tmm::OpType::Conv, inputs, {output}, Wrap(std::move(options)));
  return Status::Ok();
}

Status QLinearConv(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(8, 9, 1, 1));
  tmm::ConvOptionsT options;
  TMM_ASSIGN_OR_RETURN(
      Shape shape, ConvShapeAndOptions(node, node.InputTensor(0), node.InputTensor(3), 8, options));
  const Shape x_shape = node.InputTensor(0).shape, w_shape = node.InputTensor(3).shape;
  TMM_ASSIGN_OR_RETURN(QuantInfo x_quant, ReadQuantInfo(node, 1, 2, 1, x_shape, nullptr));
  TMM_ASSIGN_OR_RETURN(QuantInfo w_quant, ReadQuantInfo(node, 4, 5, 0, w_shape, nullptr));
  DType y_dtype = DType::kUInt8;
  TMM_ASSIGN_OR_RETURN(QuantInfo y_quant, ReadQuantInfo(node, 6, 7, 1, shape, &y_dtype));
  if (x_quant.scale.size() != 1 || y_quant.scale.size() != 1)
    return node.Error(StatusCode::kUnsupported, "x and y must be quantized per tensor");
  std::vector<int> inputs;
  TMM_ASSIGN_OR_RETURN(int x, QuantizedInput(node, 0, x_quant));
  TMM_ASSIGN_OR_RETURN(int w, QuantizedInput(node, 3, w_quant));
  inputs = {x, w};
  if (node.Input(8) >= 0) {
    TMM_ASSIGN_OR_RETURN(int bias, QuantizedInput(node, 8, BiasQuantization(x_quant, w_quant)));
    inputs.push_back(bias);
  }
  const int output = node.AddOutput(0, y_dtype, shape);
  node.graph().tensors[output].quant = y_quant;
  node.AddOp(tmm::OpType::Conv, inputs, {output}, Wrap(std::move(options)));
  return Status::Ok();
}

Status MaxPool(OnnxNode& node) { return Pool(node, tmm::OpType::MaxPool); }

Status AveragePool(OnnxNode& node) { return Pool(node, tmm::OpType::AveragePool); }

Status GlobalAveragePool(OnnxNode& node) {
  TMM_RETURN_IF_ERROR(node.CheckArity(1, 1, 1, 1));
  const TensorDef& x = node.InputTensor(0);
  TMM_ASSIGN_OR_RETURN(Shape spatial, SpatialDims(node, x));
  Shape shape = {x.shape[0], x.shape[1]};
  shape.resize(x.shape.size(), 1);
  const DType dtype = x.dtype;
  const QuantInfo quant = x.quant;
  const int output = node.AddOutput(0, dtype, shape);
  node.graph().tensors[output].quant = quant;
  node.AddOp(tmm::OpType::GlobalAveragePool, {node.Input(0)}, {output});
  return Status::Ok();
}

}  // namespace tinymlops::toolchain::onnx_converters
