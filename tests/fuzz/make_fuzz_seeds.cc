// Writes the fuzzers' seed corpora: small valid .tmm models (float and int8, covering most op
// types), ONNX models, .npy files, and .tpkg packages (clear and encrypted, with and without the
// signed model hash, signed with the fuzz keys of fuzz/fuzz_keys.h) with their manifests, one
// folder per fuzzer.
// Usage: make_fuzz_seeds OUTPUT_FOLDER (creates OUTPUT_FOLDER/{tmm,onnx,npy,package,manifest,
// delta}).
#include <onnx/onnx_pb.h>
#include <sys/stat.h>

#include <cstdio>
#include <string>
#include <vector>

#include "toolchain/graph/graph.h"
#include "toolchain/graph/tmm_writer.h"
#include "toolchain/io/file_io.h"
#include "toolchain/io/npy.h"
#include "format/package_header.h"
#include "format/package_writer.h"
#include "fuzz/fuzz_keys.h"
#include "support/package_fixtures.h"
#include "toolchain/package/model_delta.h"
#include "toolchain/quantize/quantizer.h"

namespace tinymlops::toolchain {
namespace {

using runtime::DType;

TensorDef Activation(const std::string& name, std::vector<int32_t> shape) {
  TensorDef tensor;
  tensor.name = name;
  tensor.shape = std::move(shape);
  return tensor;
}

// A deterministic ramp of values in [-1, 1).
TensorDef Weights(const std::string& name, std::vector<int32_t> shape) {
  TensorDef tensor = Activation(name, std::move(shape));
  std::vector<float> values(tensor.ElementCount());
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>((i * 37) % 64) / 32 - 1;
  tensor.SetValues(values);
  return tensor;
}

template <typename Options>
OpDef Op(tmm::OpType type, std::vector<int> inputs, std::vector<int> outputs, Options options) {
  OpDef op;
  op.type = type;
  op.name = tmm::EnumNameOpType(type);
  op.inputs = std::move(inputs);
  op.outputs = std::move(outputs);
  op.options.Set(std::move(options));
  return op;
}

OpDef Op(tmm::OpType type, std::vector<int> inputs, std::vector<int> outputs) {
  OpDef op;
  op.type = type;
  op.name = tmm::EnumNameOpType(type);
  op.inputs = std::move(inputs);
  op.outputs = std::move(outputs);
  return op;
}

// x [1, 2, 6, 6] -> Conv 3x3 pad 1 + Relu -> MaxPool 2x2 -> Reshape [1, 27] -> Gemm -> Softmax.
Graph ConvNet() {
  Graph graph;
  graph.name = "convnet";
  const int x = graph.AddTensor(Activation("x", {1, 2, 6, 6}));
  const int w = graph.AddTensor(Weights("w", {3, 2, 3, 3}));
  const int b = graph.AddTensor(Weights("b", {3}));
  const int conv = graph.AddTensor(Activation("conv", {1, 3, 6, 6}));
  const int relu = graph.AddTensor(Activation("relu", {1, 3, 6, 6}));
  const int pool = graph.AddTensor(Activation("pool", {1, 3, 3, 3}));
  const int flat = graph.AddTensor(Activation("flat", {1, 27}));
  const int fc_w = graph.AddTensor(Weights("fc_w", {4, 27}));
  const int fc_b = graph.AddTensor(Weights("fc_b", {4}));
  const int logits = graph.AddTensor(Activation("logits", {1, 4}));
  const int y = graph.AddTensor(Activation("y", {1, 4}));
  tmm::ConvOptionsT conv_options;
  conv_options.strides = {1, 1};
  conv_options.dilations = {1, 1};
  conv_options.pads = {1, 1, 1, 1};
  graph.ops.push_back(Op(tmm::OpType::Conv, {x, w, b}, {conv}, conv_options));
  graph.ops.push_back(Op(tmm::OpType::Relu, {conv}, {relu}));
  tmm::PoolOptionsT pool_options;
  pool_options.kernel = {2, 2};
  pool_options.strides = {2, 2};
  pool_options.dilations = {1, 1};
  pool_options.pads = {0, 0, 0, 0};
  graph.ops.push_back(Op(tmm::OpType::MaxPool, {relu}, {pool}, pool_options));
  graph.ops.push_back(Op(tmm::OpType::Reshape, {pool}, {flat}));
  tmm::GemmOptionsT gemm_options;
  gemm_options.trans_b = true;
  graph.ops.push_back(Op(tmm::OpType::Gemm, {flat, fc_w, fc_b}, {logits}, gemm_options));
  tmm::SoftmaxOptionsT softmax_options;
  softmax_options.axis = 1;
  softmax_options.axis_end = 2;
  graph.ops.push_back(Op(tmm::OpType::Softmax, {logits}, {y}, softmax_options));
  graph.inputs = {x};
  graph.outputs = {y};
  return graph;
}

// a, b [1, 2, 3] -> Concat -> Transpose -> Pad -> Sigmoid -> Mul, Sub, Tanh, Clip, AveragePool.
Graph ElementwiseNet() {
  Graph graph;
  graph.name = "elementwise";
  const int a = graph.AddTensor(Activation("a", {1, 2, 3}));
  const int b = graph.AddTensor(Activation("b", {1, 2, 3}));
  const int joined = graph.AddTensor(Activation("joined", {1, 4, 3}));
  const int swapped = graph.AddTensor(Activation("swapped", {1, 3, 4}));
  const int padded = graph.AddTensor(Activation("padded", {1, 3, 6}));
  const int squashed = graph.AddTensor(Activation("squashed", {1, 3, 6}));
  const int scale = graph.AddTensor(Weights("scale", {6}));
  const int scaled = graph.AddTensor(Activation("scaled", {1, 3, 6}));
  const int shifted = graph.AddTensor(Activation("shifted", {1, 3, 6}));
  const int bent = graph.AddTensor(Activation("bent", {1, 3, 6}));
  const int clipped = graph.AddTensor(Activation("clipped", {1, 3, 6}));
  const int pooled = graph.AddTensor(Activation("pooled", {1, 3, 3}));
  tmm::ConcatOptionsT concat_options;
  concat_options.axis = 1;
  graph.ops.push_back(Op(tmm::OpType::Concat, {a, b}, {joined}, concat_options));
  tmm::TransposeOptionsT transpose_options;
  transpose_options.perm = {0, 2, 1};
  graph.ops.push_back(Op(tmm::OpType::Transpose, {joined}, {swapped}, transpose_options));
  tmm::PadOptionsT pad_options;
  pad_options.pads = {0, 0, 1, 0, 0, 1};
  graph.ops.push_back(Op(tmm::OpType::Pad, {swapped}, {padded}, pad_options));
  graph.ops.push_back(Op(tmm::OpType::Sigmoid, {padded}, {squashed}));
  graph.ops.push_back(Op(tmm::OpType::Mul, {squashed, scale}, {scaled}));
  graph.ops.push_back(Op(tmm::OpType::Sub, {scaled, squashed}, {shifted}));
  graph.ops.push_back(Op(tmm::OpType::Tanh, {shifted}, {bent}));
  tmm::ClipOptionsT clip_options;
  clip_options.min = -0.5f;
  clip_options.max = 0.5f;
  graph.ops.push_back(Op(tmm::OpType::Clip, {bent}, {clipped}, clip_options));
  tmm::PoolOptionsT pool_options;
  pool_options.kernel = {2};
  pool_options.strides = {2};
  pool_options.dilations = {1};
  pool_options.pads = {0, 0};
  graph.ops.push_back(Op(tmm::OpType::AveragePool, {clipped}, {pooled}, pool_options));
  graph.inputs = {a, b};
  graph.outputs = {pooled};
  return graph;
}

std::vector<CalibrationSample> Samples(const Graph& graph, int count) {
  std::vector<CalibrationSample> samples(count);
  for (int s = 0; s < count; ++s)
    for (int index : graph.inputs) {
      TensorDef sample = Weights(graph.tensors[index].name, graph.tensors[index].shape);
      std::vector<float> values = sample.Values<float>();
      for (float& value : values) value *= static_cast<float>(s + 1) / count;
      sample.SetValues(values);
      samples[s][sample.name] = sample;
    }
  return samples;
}

// A float ONNX tensor type [dims...].
void SetType(onnx::ValueInfoProto* value, const std::string& name, std::vector<int64_t> dims) {
  value->set_name(name);
  auto* type = value->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t dim : dims) type->mutable_shape()->add_dim()->set_dim_value(dim);
}

void AddInitializer(onnx::GraphProto* graph, const std::string& name, std::vector<int64_t> dims) {
  onnx::TensorProto* tensor = graph->add_initializer();
  tensor->set_name(name);
  tensor->set_data_type(onnx::TensorProto::FLOAT);
  int64_t count = 1;
  for (int64_t dim : dims) {
    tensor->add_dims(dim);
    count *= dim;
  }
  for (int64_t i = 0; i < count; ++i) tensor->add_float_data(static_cast<float>(i % 7) / 7);
}

onnx::NodeProto* AddNode(onnx::GraphProto* graph, const std::string& type,
                         std::vector<std::string> inputs, const std::string& output) {
  onnx::NodeProto* node = graph->add_node();
  node->set_op_type(type);
  node->set_name(type + "_" + output);
  for (const std::string& input : inputs) node->add_input(input);
  node->add_output(output);
  return node;
}

void AddInts(onnx::NodeProto* node, const std::string& name, std::vector<int64_t> values) {
  onnx::AttributeProto* attribute = node->add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::INTS);
  for (int64_t value : values) attribute->add_ints(value);
}

// Conv + BatchNormalization + Relu + MaxPool + Flatten + Gemm + Softmax, opset `opset`.
std::string OnnxConvNet(int opset) {
  onnx::ModelProto model;
  model.set_ir_version(7);
  model.add_opset_import()->set_version(opset);
  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name("onnx_convnet");
  SetType(graph->add_input(), "x", {1, 1, 4, 4});
  SetType(graph->add_output(), "y", {1, 3});
  AddInitializer(graph, "w", {2, 1, 3, 3});
  AddInitializer(graph, "bn_scale", {2});
  AddInitializer(graph, "bn_bias", {2});
  AddInitializer(graph, "bn_mean", {2});
  AddInitializer(graph, "bn_var", {2});
  AddInitializer(graph, "fc_w", {8, 3});
  AddInitializer(graph, "fc_b", {3});
  AddInts(AddNode(graph, "Conv", {"x", "w"}, "conv"), "pads", {1, 1, 1, 1});
  AddNode(graph, "BatchNormalization", {"conv", "bn_scale", "bn_bias", "bn_mean", "bn_var"}, "bn");
  AddNode(graph, "Relu", {"bn"}, "relu");
  onnx::NodeProto* pool = AddNode(graph, "MaxPool", {"relu"}, "pool");
  AddInts(pool, "kernel_shape", {2, 2});
  AddInts(pool, "strides", {2, 2});
  AddNode(graph, "Flatten", {"pool"}, "flat");
  AddNode(graph, "Gemm", {"flat", "fc_w", "fc_b"}, "logits");
  AddNode(graph, "Softmax", {"logits"}, "y");
  return model.SerializeAsString();
}

// y = relu(x * w + b) over [1, 4].
std::string OnnxElementwise() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(17);
  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name("onnx_elementwise");
  SetType(graph->add_input(), "x", {1, 4});
  SetType(graph->add_output(), "y", {1, 4});
  AddInitializer(graph, "w", {4});
  AddInitializer(graph, "b", {1, 4});
  AddNode(graph, "Mul", {"x", "w"}, "t");
  AddNode(graph, "Add", {"t", "b"}, "u");
  AddNode(graph, "Relu", {"u"}, "y");
  return model.SerializeAsString();
}

Status WriteSeed(const std::string& path, const std::string& bytes) {
  return WriteFileAtomically(path, bytes.data(), bytes.size());
}

Status WriteModelSeed(const std::string& path, const Result<Graph>& graph) {
  if (!graph.ok()) return graph.status();
  TMM_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, WriteTmm(*graph));
  return WriteFileAtomically(path, bytes.data(), bytes.size());
}

// A package seed and its manifest seed, under folder/{package,manifest}/NAME.
Status WritePackageSeed(const std::string& folder, const std::string& name,
                        const std::vector<uint8_t>& bytes) {
  if (bytes.size() < format::kPackageHeaderBytes)
    return Status::Error(StatusCode::kInternal, "cannot build the seed package %s", name.c_str());
  TMM_RETURN_IF_ERROR(
      WriteFileAtomically(folder + "/package/" + name + ".tpkg", bytes.data(), bytes.size()));
  TMM_ASSIGN_OR_RETURN(const format::PackageHeader header,
                       format::DecodePackageHeader(bytes.data()));
  return WriteFileAtomically(folder + "/manifest/" + name + ".manifest",
                             bytes.data() + format::kPackageHeaderBytes, header.manifest_bytes);
}

// Packages of a small scale model, clear and encrypted, with self-tests, and their manifests:
// with the signed model hash, and without it (as packages built before the field are).
Status WritePackageSeeds(const std::string& folder) {
  for (bool encrypted : {false, true}) {
    test_support::PackageSpec spec;
    spec.n = 64;
    spec.model = test_support::ScaleModel(spec.n);
    spec.manifest = test_support::Identity("fuzz", 1);
    spec.signer = &fuzz::FuzzVendorKey();
    if (encrypted) spec.devices = {fuzz::FuzzDeviceKey().public_key()};
    spec.chunk_bytes = 128;
    const std::vector<uint8_t> bytes = test_support::MakePackage(std::move(spec));
    const std::string name = encrypted ? "encrypted" : "clear";
    TMM_RETURN_IF_ERROR(WritePackageSeed(folder, name, bytes));
    TMM_ASSIGN_OR_RETURN(format::PackageContents parts,
                         format::ParsePackageUnverified(bytes.data(), bytes.size()));
    parts.manifest.model_hash.clear();
    TMM_ASSIGN_OR_RETURN(const std::vector<uint8_t> without,
                         format::SerializePackage(parts, &fuzz::FuzzVendorKey()));
    TMM_RETURN_IF_ERROR(WritePackageSeed(folder, name + "_no_model_hash", without));
  }
  return Status::Ok();
}

// Delta packages from the 64-wide scale model to its tuned variant (delta_patch_fuzz's base),
// clear and encrypted, over the bytes and over their byte planes.
Status WriteDeltaSeeds(const std::string& folder) {
  const std::vector<uint8_t> base = test_support::ScaleModel(64);
  const std::vector<uint8_t> tuned = test_support::TunedScaleModel(64);
  for (bool encrypted : {false, true})
    for (const auto transform :
         {toolchain::PatchTransform::kNone, toolchain::PatchTransform::kBytePlanes}) {
      TMM_ASSIGN_OR_RETURN(
          format::PackageContents delta,
          toolchain::BuildDeltaPackage(base.data(), base.size(), tuned.data(), tuned.size(),
                                       test_support::Identity("fuzz", 2), 128,
                                       {19, true, transform}));
      if (encrypted)
        TMM_RETURN_IF_ERROR(format::EncryptPackage(delta, {fuzz::FuzzDeviceKey().public_key()}));
      TMM_ASSIGN_OR_RETURN(const std::vector<uint8_t> bytes,
                           format::SerializePackage(delta, &fuzz::FuzzVendorKey()));
      const std::string name = std::string(encrypted ? "encrypted" : "clear") +
                               (transform == toolchain::PatchTransform::kNone ? "" : "_planes");
      TMM_RETURN_IF_ERROR(
          WriteFileAtomically(folder + "/delta/" + name + ".tpkg", bytes.data(), bytes.size()));
    }
  return Status::Ok();
}

Status WriteSeeds(const std::string& folder) {
  for (const char* kind : {"", "/tmm", "/onnx", "/npy", "/package", "/manifest", "/delta"})
    ::mkdir((folder + kind).c_str(), 0755);
  TMM_RETURN_IF_ERROR(WritePackageSeeds(folder));
  TMM_RETURN_IF_ERROR(WriteDeltaSeeds(folder));
  const Graph conv = ConvNet();
  const Graph elementwise = ElementwiseNet();
  TMM_RETURN_IF_ERROR(WriteModelSeed(folder + "/tmm/convnet.tmm", conv));
  TMM_RETURN_IF_ERROR(WriteModelSeed(folder + "/tmm/elementwise.tmm", elementwise));
  TMM_RETURN_IF_ERROR(WriteModelSeed(folder + "/tmm/convnet_int8.tmm",
                                     QuantizeGraph(conv, Samples(conv, 4), QuantizeOptions())));
  TMM_RETURN_IF_ERROR(
      WriteModelSeed(folder + "/tmm/elementwise_int8.tmm",
                     QuantizeGraph(elementwise, Samples(elementwise, 4), QuantizeOptions())));

  TMM_RETURN_IF_ERROR(WriteSeed(folder + "/onnx/convnet_opset11.onnx", OnnxConvNet(11)));
  TMM_RETURN_IF_ERROR(WriteSeed(folder + "/onnx/convnet_opset13.onnx", OnnxConvNet(13)));
  TMM_RETURN_IF_ERROR(WriteSeed(folder + "/onnx/elementwise.onnx", OnnxElementwise()));

  TensorDef tensor = Weights("seed", {2, 3});
  TMM_RETURN_IF_ERROR(WriteSeed(folder + "/npy/float32.npy", SerializeNpy(tensor)));
  tensor.dtype = DType::kInt8;
  tensor.shape = {5};
  tensor.SetValues(std::vector<int8_t>{-128, -1, 0, 1, 127});
  TMM_RETURN_IF_ERROR(WriteSeed(folder + "/npy/int8.npy", SerializeNpy(tensor)));
  tensor.dtype = DType::kInt64;
  tensor.shape = {};
  tensor.SetValues(std::vector<int64_t>{42});
  TMM_RETURN_IF_ERROR(WriteSeed(folder + "/npy/int64_scalar.npy", SerializeNpy(tensor)));
  // A version 2.0 float64 file (converted on read).
  const std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }\n";
  std::string v2 = std::string("\x93NUMPY\x02\x00", 8);
  for (int i = 0; i < 4; ++i) v2 += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  const double values[2] = {0.5, -3.25};
  v2 += header + std::string(reinterpret_cast<const char*>(values), sizeof(values));
  return WriteSeed(folder + "/npy/float64_v2.npy", v2);
}

}  // namespace
}  // namespace tinymlops::toolchain

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_seeds OUTPUT_FOLDER\n");
    return 2;
  }
  const tinymlops::Status status = tinymlops::toolchain::WriteSeeds(argv[1]);
  if (!status.ok()) {
    std::fprintf(stderr, "error: cannot write fuzz seeds: %s\n", status.message());
    return 1;
  }
  return 0;
}
