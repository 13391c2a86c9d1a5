// `tinymlops model quantize`: calibration files in, an int8 model out that still answers like
// the float one.
#include <algorithm>
#include <cmath>

#include "cli/cli_runner.h"
#include "cli/model_fixtures.h"

namespace tinymlops::cli_test {
namespace {

class ModelQuantizeTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    WriteModel(AffineGraph(), Path("affine.tmm"));
    // 16 samples of x spanning [-2, 2] on every element.
    for (int sample = 0; sample < 16; ++sample)
      for (int i = 0; i < 4; ++i) samples_.push_back(-2.0f + 4.0f * ((sample + i) % 16) / 15);
  }
  std::vector<float> samples_;
};

TEST_F(ModelQuantizeTest, QuantizedModelMatchesTheFloatModelWithinQuantizationError) {
  WriteNpy(Path("calibration.npy"), {16, 4}, samples_);  // stacked on input x's batch axis
  const ProcessResult quantized = Cli({"model", "quantize", Path("affine.tmm"), "--calibration",
                                       Path("calibration.npy"), "-o", Path("int8.tmm"), "--json"});
  ASSERT_EQ(quantized.exit_code, 0) << quantized.err;
  EXPECT_EQ(Json(quantized.out, "d['samples']"), "16");
  EXPECT_EQ(Json(quantized.out, "d['method']"), "\"minmax\"");

  const ProcessResult inspected = Cli({"model", "inspect", Path("int8.tmm"), "--json"});
  ASSERT_EQ(inspected.exit_code, 0) << inspected.err;
  EXPECT_EQ(Json(inspected.out, "'QuantizeLinear' in d['ops']"), "true");
  EXPECT_EQ(Json(inspected.out, "d['inputs'][0]['dtype']"), "\"float32\"");

  const std::vector<float> x = {1.0f, -1.5f, 0.3f, 0.6f};
  WriteNpy(Path("x.npy"), {1, 4}, x);
  const ProcessResult run =
      Cli({"model", "run", Path("int8.tmm"), "-i", Path("x.npy"), "-o", Path("out")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::vector<float> y = ReadNpyValues<float>(Path("out/y.npy"), {1, 4});
  ASSERT_EQ(y.size(), 4u);
  // The output range is at most [0, 6.5] (= 2*3 + 0.5) over 255 steps; allow a few steps of
  // rounding through the int8 pipeline.
  for (int i = 0; i < 4; ++i)
    EXPECT_NEAR(y[i], std::max(0.0f, x[i] * kAffineW[i] + kAffineB[i]), 0.15f) << i;
}

TEST_F(ModelQuantizeTest, AcceptsSamplesOnANewLeadingAxisAndPercentileCalibration) {
  WriteNpy(Path("calibration.npy"), {16, 1, 4}, samples_);
  const ProcessResult quantized =
      Cli({"model", "quantize", Path("affine.tmm"), "--calibration", "x=" + Path("calibration.npy"),
           "--method", "percentile", "--percentile", "99.5", "-o", Path("int8.tmm"), "--json"});
  ASSERT_EQ(quantized.exit_code, 0) << quantized.err;
  EXPECT_EQ(Json(quantized.out, "d['samples']"), "16");
  EXPECT_EQ(Json(quantized.out, "d['method']"), "\"percentile\"");
  EXPECT_EQ(Json(quantized.out, "d['percentile']"), "99.5");
}

TEST_F(ModelQuantizeTest, CalibrationOfTheWrongShapeIsAnError) {
  WriteNpy(Path("calibration.npy"), {8, 2}, std::vector<float>(16, 1.0f));
  ExpectError(Cli({"model", "quantize", Path("affine.tmm"), "--calibration",
                   Path("calibration.npy"), "-o", Path("int8.tmm")}),
              1,
              "has shape [8, 2]; input 'x' takes one sample of shape [1, 4], or N stacked as "
              "[N, 1, 4]");
  ExpectError(Cli({"model", "quantize", Path("affine.tmm"), "-o", Path("int8.tmm")}), 1,
              "no --calibration for model input 'x'");
  ExpectError(Cli({"model", "quantize", Path("affine.tmm"), "--calibration", Path("x.npy"), "-o",
                   Path("int8.tmm"), "--method", "magic"}),
              2, "magic");
}

}  // namespace
}  // namespace tinymlops::cli_test
