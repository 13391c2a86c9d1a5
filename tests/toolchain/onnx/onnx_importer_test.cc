// The importer's contract as a user sees it: what it accepts, the errors it gives, the static
// shapes it resolves, and the constant subgraphs it folds away.
#include "toolchain/onnx/onnx_importer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>

#include "toolchain/onnx/onnx_model_builder.h"

namespace tinymlops::toolchain {
namespace {

using testing::ImportOrDie;
using testing::MakeTensor;
using testing::OnnxModelBuilder;
using testing::OpTypes;
using testing::RunGraph;

std::string ImportError(const std::string& bytes, const OnnxImportOptions& options = {}) {
  Result<Graph> graph = ImportOnnx(bytes, options);
  EXPECT_FALSE(graph.ok());
  return graph.ok() ? "" : graph.status().message();
}

OnnxModelBuilder ReluModel(int opset) {
  OnnxModelBuilder builder(opset);
  builder.Input("x", {1, 4}).Output("y");
  builder.Node("Relu", {"x"}, {"y"}, "relu");
  return builder;
}

TEST(OnnxImporterTest, RejectsOpsetsOutside11To17WithTheOpsetInTheMessage) {
  const std::string too_old = ImportError(ReluModel(10).Bytes());
  EXPECT_NE(too_old.find("opset 10"), std::string::npos) << too_old;
  EXPECT_NE(too_old.find("convert_version"), std::string::npos) << too_old;
  const std::string too_new = ImportError(ReluModel(18).Bytes());
  EXPECT_NE(too_new.find("opset 18"), std::string::npos) << too_new;
  for (int opset = 11; opset <= 17; ++opset) {
    Result<Graph> graph = ImportOnnx(ReluModel(opset).Bytes(), {});
    EXPECT_TRUE(graph.ok()) << "opset " << opset << ": " << graph.status().message();
    if (graph.ok()) {
      EXPECT_EQ(graph->source, "onnx opset " + std::to_string(opset));
    }
  }
}

TEST(OnnxImporterTest, UnsupportedOpErrorNamesTheOpAndTheNode) {
  OnnxModelBuilder builder;
  builder.Input("x", {1, 4}).Output("y");
  builder.Node("Erf", {"x"}, {"y"}, "my_erf_node");
  const std::string message = ImportError(builder.Bytes());
  EXPECT_NE(message.find("'Erf'"), std::string::npos) << message;
  EXPECT_NE(message.find("my_erf_node"), std::string::npos) << message;
}

TEST(OnnxImporterTest, CustomDomainOpIsUnsupported) {
  OnnxModelBuilder builder;
  builder.Input("x", {1, 4}).Output("y");
  builder.Node("FusedGemm", {"x"}, {"y"}, "fused").set_domain("com.microsoft");
  const std::string message = ImportError(builder.Bytes());
  EXPECT_NE(message.find("com.microsoft"), std::string::npos) << message;
  EXPECT_NE(message.find("fused"), std::string::npos) << message;
}

TEST(OnnxImporterTest, MalformedBytesAreAnErrorNotACrash) {
  const std::string message = ImportError("this is not a protobuf \xff\xff\xff\xff");
  EXPECT_NE(message.find("not a valid ONNX model"), std::string::npos) << message;
  // Truncations and bit flips of a valid model: any outcome but a crash.
  OnnxModelBuilder builder;
  builder.Input("x", {1, 2, 5, 5}).Output("y");
  builder.Initializer<float>("w", {3, 2, 3, 3}, std::vector<float>(54, 0.5f));
  builder.Node("Conv", {"x", "w"}, {"c"});
  builder.Node("Flatten", {"c"}, {"y"});
  const std::string bytes = builder.Bytes();
  for (size_t size = 0; size < bytes.size(); size += 7) ImportOnnx(bytes.substr(0, size), {});
  std::mt19937 random(42);
  for (int trial = 0; trial < 300; ++trial) {
    std::string corrupted = bytes;
    corrupted[random() % corrupted.size()] ^= static_cast<char>(1 << (random() % 8));
    ImportOnnx(corrupted, {});
  }
}

TEST(OnnxImporterTest, RawDataSizeMustMatchDims) {
  OnnxModelBuilder builder;
  builder.Input("x", {1, 4}).Output("y");
  builder.Initializer<float>("b", {5}, {1, 2, 3, 4});  // 4 values for 5 dims
  builder.Node("Add", {"x", "b"}, {"y"});
  const std::string message = ImportError(builder.Bytes());
  EXPECT_NE(message.find("'b'"), std::string::npos) << message;
}

TEST(OnnxImporterTest, ExternalDataIsAClearError) {
  OnnxModelBuilder builder;
  builder.Input("x", {1, 4}).Output("y");
  builder.Initializer<float>("b", {4}, {1, 2, 3, 4});
  builder.model().mutable_graph()->mutable_initializer(0)->set_data_location(
      onnx::TensorProto::EXTERNAL);
  builder.Node("Add", {"x", "b"}, {"y"});
  const std::string message = ImportError(builder.Bytes());
  EXPECT_NE(message.find("external"), std::string::npos) << message;
}

TEST(OnnxImporterTest, UndefinedInputIsAnError) {
  OnnxModelBuilder builder;
  builder.Input("x", {1, 4}).Output("y");
  builder.Node("Add", {"x", "nowhere"}, {"y"}, "adder");
  const std::string message = ImportError(builder.Bytes());
  EXPECT_NE(message.find("'nowhere'"), std::string::npos) << message;
  EXPECT_NE(message.find("adder"), std::string::npos) << message;
}

TEST(OnnxImporterTest, SymbolicDimsTakeTheDefaultDynamicDim) {
  OnnxModelBuilder builder;
  builder.Input("x", {-1, 4}).Output("y");
  builder.Node("Relu", {"x"}, {"y"});
  OnnxImportOptions options;
  options.default_dynamic_dim = 3;
  Graph graph = ImportOrDie(builder.Bytes(), options);
  ASSERT_EQ(graph.inputs.size(), 1u);
  EXPECT_EQ(graph.tensors[graph.inputs[0]].shape, (std::vector<int32_t>{3, 4}));
  EXPECT_EQ(graph.tensors[graph.outputs[0]].shape, (std::vector<int32_t>{3, 4}));
}

TEST(OnnxImporterTest, GraphInputThatMustBeConstantSuggestsTheBinding) {
  OnnxModelBuilder builder;
  builder.Input("data", {2, 3}).Input("shape", {2}, onnx::TensorProto::INT64).Output("y");
  builder.Node("Reshape", {"data", "shape"}, {"y"}, "reshape");
  const std::string message = ImportError(builder.Bytes());
  EXPECT_NE(message.find("'shape'"), std::string::npos) << message;
  EXPECT_NE(message.find("constant_inputs"), std::string::npos) << message;

  OnnxImportOptions options;
  options.constant_inputs["shape"] = MakeTensor<int64_t>("shape", {2}, {3, 2});
  Graph graph = ImportOrDie(builder.Bytes(), options);
  ASSERT_EQ(graph.inputs.size(), 1u);
  EXPECT_EQ(graph.tensors[graph.outputs[0]].shape, (std::vector<int32_t>{3, 2}));
  auto outputs = RunGraph(graph, {{"data", MakeTensor<float>("data", {2, 3}, {1, 2, 3, 4, 5, 6})}});
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].Values<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(OnnxImporterTest, ConstantBoundToAnUnknownInputIsAnError) {
  OnnxImportOptions options;
  options.constant_inputs["typo"] = MakeTensor<float>("typo", {1}, {1});
  const std::string message = ImportError(ReluModel(13).Bytes(), options);
  EXPECT_NE(message.find("'typo'"), std::string::npos) << message;
}

TEST(OnnxImporterTest, ExporterFlattenPatternFoldsToOneReshape) {
  // x -> Shape -> Gather(0) -> Unsqueeze -> Concat(-1) -> Reshape: what PyTorch emits for
  // x.view(x.size(0), -1).
  OnnxModelBuilder builder(13);
  builder.Input("x", {2, 3, 2, 2}).Output("y");
  builder.Initializer<int64_t>("zero", {}, {0});
  builder.Initializer<int64_t>("axes", {1}, {0});
  builder.Initializer<int64_t>("minus_one", {1}, {-1});
  builder.Node("Shape", {"x"}, {"shape"});
  testing::SetInt(builder.Node("Gather", {"shape", "zero"}, {"batch"}), "axis", 0);
  builder.Node("Unsqueeze", {"batch", "axes"}, {"batch_1d"});
  testing::SetInt(builder.Node("Concat", {"batch_1d", "minus_one"}, {"target"}), "axis", 0);
  builder.Node("Reshape", {"x", "target"}, {"y"});
  Graph graph = ImportOrDie(builder.Bytes());
  EXPECT_EQ(OpTypes(graph), (std::vector<tmm::OpType>{tmm::OpType::Reshape}));
  EXPECT_EQ(graph.tensors[graph.outputs[0]].shape, (std::vector<int32_t>{2, 12}));
  std::vector<float> values(24);
  for (int i = 0; i < 24; ++i) values[i] = static_cast<float>(i);
  auto outputs = RunGraph(graph, {{"x", MakeTensor<float>("x", {2, 3, 2, 2}, values)}});
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].Values<float>(), values);
}

TEST(OnnxImporterTest, IdentityDropoutAndConstantVanish) {
  OnnxModelBuilder builder(13);
  builder.Input("x", {1, 3}).Output("y");
  builder.Node("Identity", {"x"}, {"a"});
  builder.Node("Dropout", {"a"}, {"b"});
  auto& constant = builder.Node("Constant", {}, {"k"});
  testing::SetTensor(constant, "value", OnnxModelBuilder::Tensor<float>("k", {3}, {1, 2, 3}));
  builder.Node("Mul", {"b", "k"}, {"y"});
  Graph graph = ImportOrDie(builder.Bytes());
  EXPECT_EQ(OpTypes(graph), (std::vector<tmm::OpType>{tmm::OpType::Mul}));
  auto outputs = RunGraph(graph, {{"x", MakeTensor<float>("x", {1, 3}, {2, 2, -1})}});
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].Values<float>(), (std::vector<float>{2, 4, -3}));
}

TEST(OnnxImporterTest, OutputThatIsAnInputOrConstantGetsItsOwnTensor) {
  OnnxModelBuilder builder(13);
  builder.Input("x", {2}).Output("y").Output("z");
  builder.Node("Identity", {"x"}, {"y"});
  auto& constant = builder.Node("Constant", {}, {"z"});
  testing::SetTensor(constant, "value", OnnxModelBuilder::Tensor<float>("k", {2}, {7, 8}));
  Graph graph = ImportOrDie(builder.Bytes());
  ASSERT_EQ(graph.outputs.size(), 2u);
  EXPECT_EQ(graph.tensors[graph.outputs[0]].name, "y");
  EXPECT_EQ(graph.tensors[graph.outputs[1]].name, "z");
  auto outputs = RunGraph(graph, {{"x", MakeTensor<float>("x", {2}, {1, 2})}});
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[0].Values<float>(), (std::vector<float>{1, 2}));
  EXPECT_EQ(outputs[1].Values<float>(), (std::vector<float>{7, 8}));
}

TEST(OnnxImporterTest, ImportOnnxFileReadsTheFileAndNamesAMissingOne) {
  const std::string path = ::testing::TempDir() + "/relu_model.onnx";
  {
    std::ofstream file(path, std::ios::binary);
    file << ReluModel(13).Bytes();
  }
  Result<Graph> graph = ImportOnnxFile(path, {});
  EXPECT_TRUE(graph.ok()) << graph.status().message();
  std::remove(path.c_str());
  Result<Graph> missing = ImportOnnxFile(path, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(std::string(missing.status().message()).find(path), std::string::npos);
}

TEST(OnnxImporterTest, MetadataComesFromOptionsOrTheGraph) {
  Graph graph = ImportOrDie(ReluModel(13).Bytes());
  EXPECT_EQ(graph.name, "test_graph");
  EXPECT_EQ(graph.version, "1.0.0");
  OnnxImportOptions options;
  options.name = "digits";
  options.version = "2.1.0";
  graph = ImportOrDie(ReluModel(13).Bytes(), options);
  EXPECT_EQ(graph.name, "digits");
  EXPECT_EQ(graph.version, "2.1.0");
}

}  // namespace
}  // namespace tinymlops::toolchain
