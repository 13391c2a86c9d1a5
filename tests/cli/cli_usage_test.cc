// The tinymlops command line itself: --help everywhere, --version, usage errors.
#include "cli/cli_runner.h"

namespace tinymlops::cli_test {
namespace {

using CliUsageTest = CliTest;

TEST_F(CliUsageTest, HelpWorksOnEveryCommand) {
  const std::vector<std::vector<std::string>> commands = {{},
                                                          {"model"},
                                                          {"model", "import"},
                                                          {"model", "quantize"},
                                                          {"model", "inspect"},
                                                          {"model", "run"},
                                                          {"model", "bench"}};
  for (std::vector<std::string> command : commands) {
    command.push_back("--help");
    const ProcessResult result = Cli(command);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("Usage: tinymlops"), std::string::npos) << result.out;
  }
  EXPECT_NE(Cli({"model", "run", "--help"}).out.find("--input"), std::string::npos);
}

TEST_F(CliUsageTest, PrintsItsVersion) {
  const ProcessResult result = Cli({"--version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "tinymlops 0.1.0\n");
}

TEST_F(CliUsageTest, UsageErrorsAreOneLineWithExitCode2) {
  ExpectError(Cli({}), 2, "run 'tinymlops --help' for usage");
  ExpectError(Cli({"model"}), 2, "run 'tinymlops model --help' for usage");
  ExpectError(Cli({"model", "explode"}), 2, "explode");
  ExpectError(Cli({"model", "inspect"}), 2, "IN.tmm is required");
  ExpectError(Cli({"model", "run", "m.tmm", "-o", "out", "--kernels", "fastest"}), 2, "fastest");
}

}  // namespace
}  // namespace tinymlops::cli_test
