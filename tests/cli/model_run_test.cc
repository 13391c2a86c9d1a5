// `tinymlops model run`: outputs as .npy files, --json, and one-line errors for bad input.
#include <algorithm>

#include "cli/cli_runner.h"
#include "cli/model_fixtures.h"

namespace tinymlops::cli_test {
namespace {

class ModelRunTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    WriteModel(AffineGraph(), Path("affine.tmm"));
    WriteNpy(Path("x.npy"), {1, 4}, x_);
  }
  std::vector<float> ExpectedAffine() const {
    std::vector<float> y(4);
    for (int i = 0; i < 4; ++i) y[i] = std::max(0.0f, x_[i] * kAffineW[i] + kAffineB[i]);
    return y;
  }
  const std::vector<float> x_ = {1.0f, 3.0f, 2.0f, -0.5f};
};

TEST_F(ModelRunTest, WritesEachOutputAsNpyWithEveryKernelSet) {
  for (const char* kernels : {"reference", "optimized"}) {
    const std::string folder = Path(std::string("out-") + kernels);
    const ProcessResult result =
        Cli({"model", "run", Path("affine.tmm"), "--input", "x=" + Path("x.npy"), "--output",
             folder, "--kernels", kernels});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(result.err.empty()) << result.err;
    // By hand: relu(1*2+0.5, 3*-1+0.25, 2*0.5-1, -0.5*3+0) = (2.5, 0, 0, 0).
    EXPECT_EQ(ExpectedAffine(), (std::vector<float>{2.5f, 0.0f, 0.0f, 0.0f}));
    EXPECT_EQ(ReadNpyValues<float>(folder + "/y.npy", {1, 4}), ExpectedAffine()) << kernels;
  }
}

TEST_F(ModelRunTest, AcceptsAFileWithoutNameForAOneInputModel) {
  const ProcessResult result =
      Cli({"model", "run", Path("affine.tmm"), "-i", Path("x.npy"), "-o", Path("out")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(ReadNpyValues<float>(Path("out/y.npy"), {1, 4}), ExpectedAffine());
}

TEST_F(ModelRunTest, ReportsOutputsAsJson) {
  const ProcessResult result = Cli({"model", "run", Path("affine.tmm"), "--input", Path("x.npy"),
                                    "--output", Path("out"), "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(Json(result.out, "d['outputs'][0]['name']"), "\"y\"");
  EXPECT_EQ(Json(result.out, "d['outputs'][0]['shape']"), "[1, 4]");
  EXPECT_EQ(Json(result.out, "d['outputs'][0]['dtype']"), "\"float32\"");
  EXPECT_EQ(Json(result.out, "d['outputs'][0]['file']"), "\"" + Path("out/y.npy") + "\"");
  EXPECT_EQ(Json(result.out, "d['kernels']"), "\"optimized\"");
}

TEST_F(ModelRunTest, BindsNamedInputsAndNamesOutputFilesSafely) {
  WriteModel(PairGraph(), Path("pair.tmm"));
  const std::vector<float> a = {1, 2, 3}, b = {0.5f, -4, 10};
  WriteNpy(Path("a.npy"), {1, 3}, a);
  WriteNpy(Path("b.npy"), {1, 3}, b);
  const ProcessResult result =
      Cli({"model", "run", Path("pair.tmm"), "--input", "b=" + Path("b.npy"), "--input",
           "a=" + Path("a.npy"), "--output", Path("out")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(ReadNpyValues<float>(Path("out/out_sum.npy"), {1, 3}),
            (std::vector<float>{1.5f, -2, 13}));
  EXPECT_EQ(ReadNpyValues<float>(Path("out/out_difference.npy"), {1, 3}),
            (std::vector<float>{0.5f, 6, -7}));
}

TEST_F(ModelRunTest, RunsInt8Inputs) {
  WriteModel(DequantizeGraph(), Path("dequantize.tmm"));
  WriteNpy(Path("q.npy"), {2, 2}, std::vector<int8_t>{-128, 1, 3, 127}, runtime::DType::kInt8);
  const ProcessResult result =
      Cli({"model", "run", Path("dequantize.tmm"), "-i", Path("q.npy"), "-o", Path("out")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // 0.5 * (q - 1)
  EXPECT_EQ(ReadNpyValues<float>(Path("out/y.npy"), {2, 2}),
            (std::vector<float>{-64.5f, 0, 1, 63}));
}

TEST_F(ModelRunTest, MissingModelFileIsAnError) {
  ExpectError(Cli({"model", "run", Path("absent.tmm"), "-i", Path("x.npy"), "-o", Path("out")}), 1,
              "absent.tmm");
}

TEST_F(ModelRunTest, AFileThatIsNotAModelIsAnError) {
  WriteText(Path("notes.tmm"), "these are notes, not a model\n");
  ExpectError(Cli({"model", "run", Path("notes.tmm"), "-i", Path("x.npy"), "-o", Path("out")}), 1,
              "is not a valid .tmm model");
}

TEST_F(ModelRunTest, WrongInputShapeIsAnErrorSayingTheExpectedShape) {
  WriteNpy(Path("wrong.npy"), {4}, x_);
  ExpectError(
      Cli({"model", "run", Path("affine.tmm"), "-i", Path("wrong.npy"), "-o", Path("out")}), 1,
      "input 'x' must be float32 [1, 4], but '" + Path("wrong.npy") + "' holds float32 [4]");
}

TEST_F(ModelRunTest, WrongInputDTypeIsAnError) {
  WriteNpy(Path("ints.npy"), {1, 4}, std::vector<int32_t>{1, 2, 3, 4}, runtime::DType::kInt32);
  ExpectError(Cli({"model", "run", Path("affine.tmm"), "-i", Path("ints.npy"), "-o", Path("out")}),
              1, "holds int32 [1, 4]");
}

TEST_F(ModelRunTest, MalformedNpyIsAnErrorNamingTheFile) {
  WriteText(Path("broken.npy"), "\x93NUMPY\x01\x00garbage");
  ExpectError(
      Cli({"model", "run", Path("affine.tmm"), "-i", Path("broken.npy"), "-o", Path("out")}), 1,
      "'" + Path("broken.npy") + "' is not a valid .npy file");
}

TEST_F(ModelRunTest, MissingNpyIsAnError) {
  ExpectError(
      Cli({"model", "run", Path("affine.tmm"), "-i", Path("absent.npy"), "-o", Path("out")}), 1,
      "absent.npy");
}

TEST_F(ModelRunTest, InputsMustMatchTheModelsInputNames) {
  WriteModel(PairGraph(), Path("pair.tmm"));
  WriteNpy(Path("a.npy"), {1, 3}, std::vector<float>{1, 2, 3});
  ExpectError(
      Cli({"model", "run", Path("pair.tmm"), "-i", "a=" + Path("a.npy"), "-o", Path("out")}), 1,
      "no --input for model input 'b'; add --input b=FILE.npy");
  ExpectError(
      Cli({"model", "run", Path("pair.tmm"), "-i", "c=" + Path("a.npy"), "-o", Path("out")}), 1,
      "the model has no input 'c'; its inputs are 'a', 'b'");
  ExpectError(Cli({"model", "run", Path("pair.tmm"), "-i", Path("a.npy"), "-o", Path("out")}), 1,
              "write --input NAME=FILE");
}

TEST_F(ModelRunTest, MissingOutputOptionIsAUsageError) {
  ExpectError(Cli({"model", "run", Path("affine.tmm"), "-i", Path("x.npy")}), 2,
              "run 'tinymlops model run --help' for usage");
}

}  // namespace
}  // namespace tinymlops::cli_test
