// `tinymlops model inspect`: what a user learns about a model, as text and as JSON.
#include "cli/cli_runner.h"
#include "cli/model_fixtures.h"

namespace tinymlops::cli_test {
namespace {

using ModelInspectTest = CliTest;

TEST_F(ModelInspectTest, ReportsMetadataOpsParametersArenaAndInterfaceAsJson) {
  WriteModel(AffineGraph(), Path("affine.tmm"));
  const ProcessResult result = Cli({"model", "inspect", Path("affine.tmm"), "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(Json(result.out, "d['name']"), "\"affine\"");
  EXPECT_EQ(Json(result.out, "d['version']"), "\"2.1.0\"");
  EXPECT_EQ(Json(result.out, "d['source']"), "\"cli test\"");
  EXPECT_EQ(Json(result.out, "d['format_version']"), "1");
  EXPECT_EQ(Json(result.out, "d['producer'].startswith('tinymlops')"), "true");
  EXPECT_EQ(Json(result.out, "d['ops']"), "{\"Add\": 1, \"Mul\": 1, \"Relu\": 1}");
  EXPECT_EQ(Json(result.out, "d['op_count']"), "3");
  // w and b: 8 float32 parameters.
  EXPECT_EQ(Json(result.out, "d['parameters']"), "{\"count\": 8, \"bytes\": 32}");
  // Two [1, 4] float32 activations alive at once: at least 32 bytes.
  EXPECT_EQ(Json(result.out, "d['arena']['liveness_lower_bound'] >= 32"), "true");
  EXPECT_EQ(Json(result.out, "d['arena']['bytes'] >= d['arena']['liveness_lower_bound']"), "true");
  EXPECT_EQ(Json(result.out, "d['inputs']"),
            "[{\"name\": \"x\", \"dtype\": \"float32\", \"shape\": [1, 4]}]");
  EXPECT_EQ(Json(result.out, "d['outputs']"),
            "[{\"name\": \"y\", \"dtype\": \"float32\", \"shape\": [1, 4]}]");
  EXPECT_EQ(Json(result.out, "d['file_bytes'] > 0"), "true");
}

TEST_F(ModelInspectTest, ShowsQuantizationOfInputs) {
  WriteModel(DequantizeGraph(), Path("dequantize.tmm"));
  const ProcessResult result = Cli({"model", "inspect", Path("dequantize.tmm"), "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(Json(result.out, "d['inputs'][0]['dtype']"), "\"int8\"");
  EXPECT_EQ(Json(result.out, "d['inputs'][0]['quantization']"),
            "{\"scale\": [0.5], \"zero_point\": [1], \"axis\": -1}");
}

TEST_F(ModelInspectTest, PrintsReadableText) {
  WriteModel(AffineGraph(), Path("affine.tmm"));
  const ProcessResult result = Cli({"model", "inspect", Path("affine.tmm")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("name: affine\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("ops:\n  Add: 1\n  Mul: 1\n  Relu: 1\n"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("inputs:\n  - name: x\n    dtype: float32\n    shape: [1, 4]\n"),
            std::string::npos)
      << result.out;
}

TEST_F(ModelInspectTest, EscapesAnyNameIntoValidJson) {
  Graph graph = AffineGraph();
  graph.name = std::string("quote\" backslash\\ tab\t bell\x07 bad-utf8\xff \xc3\xa9");
  WriteModel(graph, Path("odd.tmm"));
  const ProcessResult result = Cli({"model", "inspect", Path("odd.tmm"), "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // Invalid UTF-8 becomes U+FFFD; everything else survives.
  EXPECT_EQ(Json(result.out, "d['name']"),
            "\"quote\\\" backslash\\\\ tab\\t bell\\u0007 bad-utf8\\ufffd \\u00e9\"");
}

TEST_F(ModelInspectTest, RejectsFilesThatAreNotModels) {
  WriteText(Path("empty.tmm"), "");
  ExpectError(Cli({"model", "inspect", Path("empty.tmm")}), 1, "is not a valid .tmm model");
  WriteModel(AffineGraph(), Path("affine.tmm"));
  std::string truncated = ReadText(Path("affine.tmm"));
  truncated.resize(truncated.size() / 2);
  WriteText(Path("truncated.tmm"), truncated);
  ExpectError(Cli({"model", "inspect", Path("truncated.tmm"), "--json"}), 1,
              "'" + Path("truncated.tmm") + "' is not a valid .tmm model");
  ExpectError(Cli({"model", "inspect", scratch_}), 1, "is not a regular file");
}

}  // namespace
}  // namespace tinymlops::cli_test
