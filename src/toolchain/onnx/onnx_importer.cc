#include "toolchain/onnx/onnx_importer.h"

#include <onnx/onnx_pb.h>

#include <exception>
#include <fstream>
#include <set>
#include <sstream>

#include "toolchain/graph/activation_fusion.h"
#include "toolchain/graph/batchnorm_folding.h"
#include "toolchain/graph/constant_folding.h"
#include "toolchain/graph/dead_code_pruning.h"
#include "toolchain/graph/mixed_dtype_outputs.h"
#include "toolchain/graph/qdq_fusion.h"
#include "toolchain/onnx/onnx_node.h"
#include "toolchain/onnx/onnx_op_converters.h"
#include "toolchain/onnx/onnx_shape_util.h"
#include "toolchain/onnx/onnx_tensor.h"

namespace tinymlops::toolchain {
namespace {

constexpr int kMinOpset = 11;
constexpr int kMaxOpset = 17;

bool IsDefaultDomain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

Result<int> DefaultDomainOpset(const onnx::ModelProto& model) {
  for (const onnx::OperatorSetIdProto& opset : model.opset_import()) {
    if (!IsDefaultDomain(opset.domain())) continue;
    if (opset.version() < kMinOpset || opset.version() > kMaxOpset)
      return Status::Error(StatusCode::kUnsupported,
                           "the model uses ONNX opset %lld; tinymlops imports opsets %d to %d: "
                           "convert it first, e.g. onnx.version_converter.convert_version(model, "
                           "%d)",
                           static_cast<long long>(opset.version()), kMinOpset, kMaxOpset,
                           opset.version() < kMinOpset ? kMinOpset : kMaxOpset);
    return static_cast<int>(opset.version());
  }
  return Status::Error(StatusCode::kInvalidArgument,
                       "the model imports no opset of the default ONNX domain; tinymlops "
                       "imports opsets %d to %d",
                       kMinOpset, kMaxOpset);
}

Status ImportInitializers(const onnx::GraphProto& graph, OnnxImportState& state) {
  for (const onnx::TensorProto& initializer : graph.initializer()) {
    if (initializer.name().empty())
      return Status::Error(StatusCode::kInvalidArgument, "the model has an unnamed initializer");
    TMM_ASSIGN_OR_RETURN(TensorDef tensor, TensorFromOnnx(initializer, initializer.name()));
    state.tensor_by_name[initializer.name()] = state.graph.AddTensor(std::move(tensor));
  }
  return Status::Ok();
}

// The static shape of graph input `input`: symbolic or unknown dims become default_dynamic_dim.
Result<std::vector<int32_t>> InputShape(const onnx::ValueInfoProto& input,
                                        const OnnxImportOptions& options) {
  const onnx::TypeProto::Tensor& type = input.type().tensor_type();
  if (!type.has_shape())
    return Status::Error(StatusCode::kUnsupported,
                         "graph input '%s' has no shape (unknown rank); give it a shape in the "
                         "model or bind it with OnnxImportOptions::constant_inputs",
                         input.name().c_str());
  std::vector<int64_t> dims;
  for (const onnx::TensorShapeProto::Dimension& dim : type.shape().dim())
    dims.push_back(dim.has_dim_value() ? dim.dim_value() : options.default_dynamic_dim);
  return ShapeFromOnnxDims(dims, input.name());
}

Status ImportInputs(const onnx::GraphProto& graph, OnnxImportState& state) {
  std::set<std::string> bound;
  for (const onnx::ValueInfoProto& input : graph.input()) {
    if (state.tensor_by_name.count(input.name())) continue;  // an initializer (IR < 4 style)
    if (input.name().empty() || !input.type().has_tensor_type())
      return Status::Error(StatusCode::kUnsupported,
                           "graph input '%s' is not a named tensor (sequences and maps are "
                           "unsupported)",
                           input.name().c_str());
    TMM_ASSIGN_OR_RETURN(DType dtype,
                         DTypeFromOnnx(input.type().tensor_type().elem_type(), input.name()));
    auto constant = state.options.constant_inputs.find(input.name());
    if (constant != state.options.constant_inputs.end()) {
      TensorDef tensor = constant->second;
      const size_t bytes =
          static_cast<size_t>(tensor.ElementCount()) * runtime::DTypeSize(tensor.dtype);
      if (tensor.dtype != dtype || tensor.data.size() != bytes)
        return Status::Error(StatusCode::kInvalidArgument,
                             "constant bound to graph input '%s' must be %s with data for its "
                             "shape %s (got %s, %zu bytes)",
                             input.name().c_str(), runtime::DTypeName(dtype),
                             ShapeString(tensor.shape).c_str(), runtime::DTypeName(tensor.dtype),
                             tensor.data.size());
      tensor.name = input.name();
      tensor.is_constant = true;
      bound.insert(input.name());
      state.tensor_by_name[input.name()] = state.graph.AddTensor(std::move(tensor));
      continue;
    }
    TensorDef tensor;
    tensor.name = input.name();
    tensor.dtype = dtype;
    TMM_ASSIGN_OR_RETURN(tensor.shape, InputShape(input, state.options));
    const int index = state.graph.AddTensor(std::move(tensor));
    state.tensor_by_name[input.name()] = index;
    state.graph.inputs.push_back(index);
  }
  for (const auto& [name, value] : state.options.constant_inputs)
    if (!bound.count(name))
      return Status::Error(StatusCode::kNotFound,
                           "a constant is bound to '%s', which is not an input of the model",
                           name.c_str());
  return Status::Ok();
}

Status ImportNode(const onnx::NodeProto& proto, OnnxImportState& state) {
  OnnxNode node(proto, state);
  if (!IsDefaultDomain(proto.domain()))
    return node.Error(StatusCode::kUnsupported,
                      "op '%s' of domain '%s' is not supported by tinymlops",
                      proto.op_type().c_str(), proto.domain().c_str());
  const OnnxOpConverter converter = FindOnnxOpConverter(proto.op_type());
  if (!converter)
    return node.Error(StatusCode::kUnsupported,
                      "op '%s' is not supported by tinymlops; replace it in the model (see "
                      "docs for the supported ops)",
                      proto.op_type().c_str());
  for (const std::string& output : proto.output())
    if (!output.empty() && state.tensor_by_name.count(output))
      return node.Error(StatusCode::kInvalidArgument, "output '%s' is already defined",
                        output.c_str());
  TMM_RETURN_IF_ERROR(node.ResolveInputs());
  const size_t first_new = state.graph.tensors.size();
  TMM_RETURN_IF_ERROR(converter(node));
  for (size_t i = first_new; i < state.graph.tensors.size(); ++i)
    if (state.graph.tensors[i].ElementCount() > kMaxOnnxTensorElements)
      return node.Error(StatusCode::kUnsupported, "output '%s' %s is too large",
                        state.graph.tensors[i].name.c_str(),
                        ShapeString(state.graph.tensors[i].shape).c_str());
  for (int i = 0; i < node.output_count(); ++i)
    if (node.HasOutput(i) && !state.tensor_by_name.count(proto.output(i)))
      return node.Error(StatusCode::kUnsupported, "output %d '%s' is not supported", i,
                        proto.output(i).c_str());
  return Status::Ok();
}

// Binds the graph outputs. An output that is a constant, a graph input, or already another
// output gets its own tensor, copied by a Reshape op (the runtime needs outputs it writes).
Status ImportOutputs(const onnx::GraphProto& graph_proto, OnnxImportState& state) {
  Graph& graph = state.graph;
  std::set<int> used;
  for (int input : graph.inputs) used.insert(input);
  for (const onnx::ValueInfoProto& output : graph_proto.output()) {
    auto found = state.tensor_by_name.find(output.name());
    if (found == state.tensor_by_name.end())
      return Status::Error(StatusCode::kInvalidArgument,
                           "graph output '%s' is not produced by any node", output.name().c_str());
    int index = found->second;
    if (graph.tensors[index].is_constant || used.count(index)) {
      TensorDef copy = graph.tensors[index];
      copy.name = output.name();
      copy.is_constant = false;
      copy.data.clear();
      const int source = index;
      index = graph.AddTensor(std::move(copy));
      OpDef op;
      op.type = tmm::OpType::Reshape;
      op.name = output.name();
      op.inputs = {source};
      op.outputs = {index};
      graph.ops.push_back(std::move(op));
    } else {
      graph.tensors[index].name = output.name();
    }
    used.insert(index);
    graph.outputs.push_back(index);
  }
  if (graph.outputs.empty())
    return Status::Error(StatusCode::kInvalidArgument, "the model has no outputs");
  return Status::Ok();
}

// The graph passes, in an order where each helps the next: constants first (except the
// DequantizeLinear ops QDQ fusion needs to see), BatchNorm into producers, activations into
// producers (after BatchNorm folding: Conv -> BN -> Relu), QDQ patterns into quantized ops,
// a Requantize after each quantized op that reads int8 and writes uint8 (or the reverse), then
// the remaining constants and the dead ops and tensors.
void OptimizeGraph(Graph& graph) {
  FoldConstants(graph, {tmm::OpType::DequantizeLinear});
  FoldBatchNorms(graph);
  FuseActivations(graph);
  FuseQuantizeDequantize(graph);
  SplitMixedDTypeOutputs(graph);
  FoldConstants(graph);
  PruneDeadCode(graph);
}

// ONNX int8/uint8 tensors outside any quantization (e.g. a MaxPool on uint8) hold plain
// integers: the kernels see them as quantized with scale 1 and zero point 0.
void GiveIntegerTensorsUnitQuantization(Graph& graph) {
  for (TensorDef& tensor : graph.tensors)
    if ((tensor.dtype == DType::kInt8 || tensor.dtype == DType::kUInt8) &&
        !tensor.quant.IsQuantized()) {
      tensor.quant.scale = {1.0f};
      tensor.quant.zero_point = {0};
    }
}

Result<Graph> ImportValidated(const std::string& model_bytes, const OnnxImportOptions& options) {
  onnx::ModelProto model;
  if (!model.ParseFromString(model_bytes))
    return Status::Error(StatusCode::kInvalidArgument,
                         "not a valid ONNX model: the %zu bytes do not parse as an ONNX "
                         "ModelProto (truncated or not an .onnx file?)",
                         model_bytes.size());
  if (!model.has_graph())
    return Status::Error(StatusCode::kInvalidArgument, "the ONNX model has no graph");
  OnnxImportState state;
  TMM_ASSIGN_OR_RETURN(state.opset, DefaultDomainOpset(model));
  state.options = options;
  const onnx::GraphProto& graph = model.graph();
  TMM_RETURN_IF_ERROR(ImportInitializers(graph, state));
  TMM_RETURN_IF_ERROR(ImportInputs(graph, state));
  for (const onnx::NodeProto& node : graph.node()) TMM_RETURN_IF_ERROR(ImportNode(node, state));
  TMM_RETURN_IF_ERROR(ImportOutputs(graph, state));
  Graph& result = state.graph;
  result.name = !options.name.empty() ? options.name : graph.name();
  result.version = options.version.empty() ? "1.0.0" : options.version;
  result.source = "onnx opset " + std::to_string(state.opset);
  if (!model.producer_name().empty())
    result.description =
        "imported from ONNX (" + model.producer_name() + " " + model.producer_version() + ")";
  OptimizeGraph(result);
  GiveIntegerTensorsUnitQuantization(result);
  return std::move(state.graph);
}

}  // namespace

Result<Graph> ImportOnnx(const std::string& model_bytes, const OnnxImportOptions& options) {
  // Host code: allocation failures surface as std::bad_alloc; none may cross the API.
  try {
    return ImportValidated(model_bytes, options);
  } catch (const std::exception& error) {
    return Status::Error(StatusCode::kResourceExhausted, "importing the ONNX model failed: %s",
                         error.what());
  }
}

Result<Graph> ImportOnnxFile(const std::string& path, const OnnxImportOptions& options) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return Status::Error(StatusCode::kIoError, "cannot open ONNX model '%s'", path.c_str());
  std::ostringstream bytes;
  bytes << file.rdbuf();
  if (file.bad())
    return Status::Error(StatusCode::kIoError, "cannot read ONNX model '%s'", path.c_str());
  return ImportOnnx(bytes.str(), options);
}

}  // namespace tinymlops::toolchain
