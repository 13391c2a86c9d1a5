#include "toolchain/graph/tmm_writer.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <set>

#include "flatbuffers/flatbuffers.h"
#include "format/model_file.h"
#include "runtime/interpreter.h"
#include "runtime/op_resolver.h"

namespace tinymlops::toolchain {
namespace {

constexpr char kProducer[] = "tinymlops 0.1.0";

std::vector<uint8_t> Serialize(const Graph& graph, uint64_t arena_bytes) {
  // Keep only tensors that an op or the graph touches; renumber them densely.
  std::vector<int> remap(graph.tensors.size(), -1);
  std::vector<int> kept;
  auto keep = [&](int index) {
    if (index >= 0 && remap[index] < 0) {
      remap[index] = static_cast<int>(kept.size());
      kept.push_back(index);
    }
  };
  for (int index : graph.inputs) keep(index);
  for (const OpDef& op : graph.ops) {
    for (int index : op.inputs) keep(index);
    for (int index : op.outputs) keep(index);
  }
  for (int index : graph.outputs) keep(index);
  auto mapped = [&](const std::vector<int>& indices) {
    std::vector<int32_t> out;
    out.reserve(indices.size());
    for (int index : indices) out.push_back(index >= 0 ? remap[index] : -1);
    return out;
  };

  flatbuffers::FlatBufferBuilder builder(1 << 16);
  std::vector<flatbuffers::Offset<tmm::Buffer>> buffers;
  buffers.push_back(tmm::CreateBuffer(builder));  // buffers[0]: "no data"
  std::vector<flatbuffers::Offset<tmm::Tensor>> tensors;
  for (int index : kept) {
    const TensorDef& tensor = graph.tensors[index];
    uint32_t buffer_index = 0;
    if (tensor.is_constant) {
      builder.ForceVectorAlignment(tensor.data.size(), 1, 16);
      auto data = builder.CreateVector(tensor.data);
      buffer_index = static_cast<uint32_t>(buffers.size());
      buffers.push_back(tmm::CreateBuffer(builder, data));
    }
    flatbuffers::Offset<tmm::Quantization> quant = 0;
    if (tensor.quant.IsQuantized())
      quant = tmm::CreateQuantizationDirect(builder, &tensor.quant.scale, &tensor.quant.zero_point,
                                            tensor.quant.axis);
    tensors.push_back(tmm::CreateTensorDirect(builder, tensor.name.c_str(),
                                              static_cast<tmm::DType>(tensor.dtype), &tensor.shape,
                                              quant, buffer_index));
  }
  std::vector<flatbuffers::Offset<tmm::Operator>> ops;
  std::set<uint16_t> op_types;
  for (const OpDef& op : graph.ops) {
    const auto inputs = mapped(op.inputs);
    const auto outputs = mapped(op.outputs);
    ops.push_back(tmm::CreateOperatorDirect(builder, op.type, &inputs, &outputs, op.options.type,
                                            op.options.Pack(builder), op.name.c_str()));
    op_types.insert(static_cast<uint16_t>(op.type));
  }
  std::vector<tmm::OpType> op_set;
  for (uint16_t type : op_types) op_set.push_back(static_cast<tmm::OpType>(type));
  auto metadata = tmm::CreateMetadataDirect(builder, graph.name.c_str(), graph.version.c_str(),
                                            graph.description.c_str(), kProducer,
                                            graph.source.c_str(), &op_set, arena_bytes);
  const auto inputs = mapped(graph.inputs);
  const auto outputs = mapped(graph.outputs);
  auto model = tmm::CreateModelDirect(builder, format::kTmmFormatVersion, metadata, &tensors, &ops,
                                      &inputs, &outputs, &buffers);
  tmm::FinishModelBuffer(builder, model);
  return std::vector<uint8_t>(builder.GetBufferPointer(),
                              builder.GetBufferPointer() + builder.GetSize());
}

// A copy of `bytes` at a 16-byte aligned address, as the runtime requires.
struct AlignedCopy {
  explicit AlignedCopy(const std::vector<uint8_t>& bytes)
      : data(static_cast<uint8_t*>(std::aligned_alloc(16, (bytes.size() + 15) / 16 * 16))) {
    std::copy(bytes.begin(), bytes.end(), data);
  }
  ~AlignedCopy() { std::free(data); }
  uint8_t* data;
};

}  // namespace

Result<std::vector<uint8_t>> WriteTmm(const Graph& graph) {
  std::vector<uint8_t> draft = Serialize(graph, 0);
  AlignedCopy aligned(draft);
  runtime::OpResolver resolver;
  runtime::AddReferenceKernels(resolver);
  auto interpreter = runtime::Interpreter::Create(aligned.data, draft.size(), resolver);
  if (!interpreter.ok()) return interpreter.status();
  return Serialize(graph, (*interpreter)->arena_bytes());
}

Result<Graph> ReadTmm(const void* data, size_t size) {
  TMM_ASSIGN_OR_RETURN(const tmm::Model* model, format::VerifyModel(data, size));
  Graph graph;
  if (const tmm::Metadata* metadata = model->metadata()) {
    if (metadata->name()) graph.name = metadata->name()->str();
    if (metadata->version()) graph.version = metadata->version()->str();
    if (metadata->description()) graph.description = metadata->description()->str();
    if (metadata->source()) graph.source = metadata->source()->str();
  }
  for (const tmm::Tensor* source : *model->tensors()) {
    TensorDef tensor;
    if (source->name()) tensor.name = source->name()->str();
    tensor.dtype = static_cast<DType>(source->dtype());
    if (source->shape()) tensor.shape.assign(source->shape()->begin(), source->shape()->end());
    if (const tmm::Quantization* quant = source->quantization(); quant && quant->scale()) {
      tensor.quant.scale.assign(quant->scale()->begin(), quant->scale()->end());
      tensor.quant.zero_point.assign(quant->zero_point()->begin(), quant->zero_point()->end());
      tensor.quant.axis = quant->axis();
    }
    if (source->buffer() != 0) {
      const auto* bytes = model->buffers()->Get(source->buffer())->data();
      tensor.is_constant = true;
      if (bytes) tensor.data.assign(bytes->begin(), bytes->end());
    }
    graph.tensors.push_back(std::move(tensor));
  }
  if (model->operators())
    for (const tmm::Operator* source : *model->operators()) {
      OpDef op;
      op.type = source->type();
      if (source->name()) op.name = source->name()->str();
      if (source->inputs()) op.inputs.assign(source->inputs()->begin(), source->inputs()->end());
      if (source->outputs())
        op.outputs.assign(source->outputs()->begin(), source->outputs()->end());
      op.options.type = source->options_type();
      op.options.value = tmm::OpOptionsUnion::UnPack(source->options(), source->options_type(),
                                                     nullptr);
      graph.ops.push_back(std::move(op));
    }
  if (model->inputs()) graph.inputs.assign(model->inputs()->begin(), model->inputs()->end());
  if (model->outputs()) graph.outputs.assign(model->outputs()->begin(), model->outputs()->end());
  return graph;
}

}  // namespace tinymlops::toolchain
