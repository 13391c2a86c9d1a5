// `tinymlops model import`: an ONNX file in, a runnable .tmm out.
#include <onnx/onnx_pb.h>

#include <algorithm>

#include "cli/cli_runner.h"
#include "cli/model_fixtures.h"

namespace tinymlops::cli_test {
namespace {

// y = relu(x * w), x float [batch, 4] where batch is symbolic, w an initializer.
constexpr float kW[4] = {1.5f, -2.0f, 0.5f, 4.0f};
std::string MulReluOnnx() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name("mul_relu");
  auto add_value = [](onnx::ValueInfoProto* value, const char* name, bool symbolic_batch) {
    value->set_name(name);
    auto* tensor_type = value->mutable_type()->mutable_tensor_type();
    tensor_type->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = tensor_type->mutable_shape();
    if (symbolic_batch)
      shape->add_dim()->set_dim_param("batch");
    else
      shape->add_dim()->set_dim_value(1);
    shape->add_dim()->set_dim_value(4);
  };
  add_value(graph->add_input(), "x", true);
  add_value(graph->add_output(), "y", true);
  onnx::TensorProto* w = graph->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(4);
  for (float value : kW) w->add_float_data(value);
  onnx::NodeProto* mul = graph->add_node();
  mul->set_op_type("Mul");
  mul->set_name("mul");
  mul->add_input("x");
  mul->add_input("w");
  mul->add_output("t");
  onnx::NodeProto* relu = graph->add_node();
  relu->set_op_type("Relu");
  relu->set_name("relu");
  relu->add_input("t");
  relu->add_output("y");
  return model.SerializeAsString();
}

using ModelImportTest = CliTest;

TEST_F(ModelImportTest, ImportsARunnableModel) {
  WriteText(Path("model.onnx"), MulReluOnnx());
  const ProcessResult imported =
      Cli({"model", "import", Path("model.onnx"), "-o", Path("model.tmm"), "--name", "mine",
           "--version", "3.0.1", "--json"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(Json(imported.out, "d['output']"), "\"" + Path("model.tmm") + "\"");
  EXPECT_EQ(Json(imported.out, "d['name']"), "\"mine\"");
  EXPECT_EQ(Json(imported.out, "d['version']"), "\"3.0.1\"");
  EXPECT_EQ(Json(imported.out, "d['bytes']"), std::to_string(ReadText(Path("model.tmm")).size()));

  const std::vector<float> x = {2, 1, -4, 0.25f};
  WriteNpy(Path("x.npy"), {1, 4}, x);
  const ProcessResult run =
      Cli({"model", "run", Path("model.tmm"), "-i", "x=" + Path("x.npy"), "-o", Path("out")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<float> expected(4);
  for (int i = 0; i < 4; ++i) expected[i] = std::max(0.0f, x[i] * kW[i]);
  EXPECT_EQ(ReadNpyValues<float>(Path("out/y.npy"), {1, 4}), expected);
}

TEST_F(ModelImportTest, BindsSymbolicDimensions) {
  WriteText(Path("model.onnx"), MulReluOnnx());
  const ProcessResult imported =
      Cli({"model", "import", Path("model.onnx"), "-o", Path("model.tmm"), "--dynamic-dim", "3"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const ProcessResult inspected = Cli({"model", "inspect", Path("model.tmm"), "--json"});
  ASSERT_EQ(inspected.exit_code, 0) << inspected.err;
  EXPECT_EQ(Json(inspected.out, "d['inputs'][0]['shape']"), "[3, 4]");
  EXPECT_EQ(Json(inspected.out, "d['name']"), "\"mul_relu\"");
}

TEST_F(ModelImportTest, BadInputsAreOneLineErrors) {
  ExpectError(Cli({"model", "import", Path("absent.onnx"), "-o", Path("m.tmm")}), 1, "absent.onnx");
  WriteText(Path("random.onnx"), std::string("\x08\xff\xff\xff\xff\x0f\x12\x05hello", 13));
  ExpectError(Cli({"model", "import", Path("random.onnx"), "-o", Path("m.tmm")}), 1,
              "cannot import '" + Path("random.onnx") + "'");
  WriteText(Path("model.onnx"), MulReluOnnx());
  ExpectError(Cli({"model", "import", Path("model.onnx"), "-o", Path("m.tmm"), "--bind", "x"}), 1,
              "--bind 'x' is not NAME=FILE.npy");
  ExpectError(Cli({"model", "import", Path("model.onnx")}), 2, "--output is required");
  ExpectError(Cli({"model", "import", Path("model.onnx"), "-o", Path("no/such/folder/m.tmm")}), 1,
              "m.tmm");
}

}  // namespace
}  // namespace tinymlops::cli_test
