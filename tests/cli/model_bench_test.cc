// `tinymlops model bench`: the report's shape, never its timings' values.
#include "cli/cli_runner.h"
#include "cli/model_fixtures.h"

namespace tinymlops::cli_test {
namespace {

using ModelBenchTest = CliTest;

TEST_F(ModelBenchTest, ReportsLatencyStatisticsAsJson) {
  WriteModel(AffineGraph(), Path("affine.tmm"));
  for (const char* inputs : {"random", "zeros"}) {
    const ProcessResult result =
        Cli({"model", "bench", Path("affine.tmm"), "--iterations", "7", "--warmup", "2",
             "--kernels", "reference", "--inputs", inputs, "--json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(Json(result.out, "d['iterations']"), "7");
    EXPECT_EQ(Json(result.out, "d['kernels']"), "\"reference\"");
    EXPECT_EQ(Json(result.out, "sorted(d['latency_us'])"),
              "[\"max\", \"mean\", \"median\", \"min\", \"p90\"]");
    const std::string l = "d['latency_us']";
    EXPECT_EQ(Json(result.out, "0 <= " + l + "['min'] <= " + l + "['median'] <= " + l +
                                   "['p90'] <= " + l + "['max']"),
              "true");
  }
}

TEST_F(ModelBenchTest, PerOpListsEveryNodeInOrderWithItsShare) {
  WriteModel(AffineGraph(), Path("affine.tmm"));
  const ProcessResult result = Cli({"model", "bench", Path("affine.tmm"), "--iterations", "5",
                                    "--per-op", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(Json(result.out, "[(o['op'], o['name'], o['output_shape']) for o in d['ops']]"),
            "[[\"Mul\", \"mul\", [1, 4]], [\"Add\", \"add\", [1, 4]], "
            "[\"Relu\", \"relu\", [1, 4]]]");
  EXPECT_EQ(Json(result.out, "all(o['median_us'] >= 0 for o in d['ops'])"), "true");
  EXPECT_EQ(Json(result.out, "abs(sum(o['share'] for o in d['ops']) - 1) < 1e-6 or "
                             "sum(o['median_us'] for o in d['ops']) == 0"),
            "true");
}

TEST_F(ModelBenchTest, RejectsZeroIterations) {
  WriteModel(AffineGraph(), Path("affine.tmm"));
  ExpectError(Cli({"model", "bench", Path("affine.tmm"), "--iterations", "0"}), 2, "--iterations");
}

}  // namespace
}  // namespace tinymlops::cli_test
