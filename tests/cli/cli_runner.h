// Test helpers for the CLI's integration tests: running the built `tinymlops` binary (path from
// the TINYMLOPS_CLI_PATH compile definition) with captured stdout, stderr and exit code; checking
// JSON with Python's own parser (an oracle independent of the CLI's writer); and a scratch
// folder removed after each test.
#ifndef TINYMLOPS_TESTS_CLI_CLI_RUNNER_H_
#define TINYMLOPS_TESTS_CLI_CLI_RUNNER_H_

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace tinymlops::cli_test {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadText(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

inline void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Runs `argv` with stdin from `stdin_path` (or /dev/null), capturing its output in `scratch`.
inline ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& scratch,
                                const std::string& stdin_path = "/dev/null") {
  const std::string out_path = scratch + "/.stdout", err_path = scratch + "/.stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  ProcessResult result;
  pid_t pid;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  posix_spawn_file_actions_destroy(&actions);
  result.out = ReadText(out_path);
  result.err = ReadText(err_path);
  return result;
}

// A fresh folder per test, holding fixtures and outputs; removed afterwards.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/cli_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    scratch_ = pattern;
  }
  void TearDown() override { RunProcess({"/bin/rm", "-rf", scratch_}, "/tmp"); }

  std::string Path(const std::string& name) const { return scratch_ + "/" + name; }

  // Runs `tinymlops ARGS...`.
  ProcessResult Cli(std::vector<std::string> args) const {
    args.insert(args.begin(), TINYMLOPS_CLI_PATH);
    return RunProcess(args, scratch_);
  }

  // Evaluates Python `expression` over `json` parsed with Python's json module as `d`; fails the
  // test if `json` is not valid JSON.
  std::string Json(const std::string& json, const std::string& expression) const {
    const std::string input = Path(".json");
    WriteText(input, json);
    const ProcessResult python = RunProcess(
        {"/usr/bin/python3", "-c",
         "import json, sys\nd = json.load(sys.stdin)\nprint(json.dumps(" + expression + "))"},
        scratch_, input);
    EXPECT_EQ(python.exit_code, 0)
        << "not valid JSON or bad expression '" << expression << "': " << python.err << "\n"
        << json;
    std::string value = python.out;
    while (!value.empty() && value.back() == '\n') value.pop_back();
    return value;
  }

  std::string scratch_;
};

// The test fails unless `result` failed with `exit_code` and exactly one stderr line
// "error: ..." containing `fragment`.
inline void ExpectError(const ProcessResult& result, int exit_code, const std::string& fragment) {
  EXPECT_EQ(result.exit_code, exit_code) << result.err;
  EXPECT_EQ(result.err.rfind("error: ", 0), 0u) << result.err;
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "not one line: " << result.err;
  EXPECT_NE(result.err.find(fragment), std::string::npos)
      << "'" << fragment << "' missing in: " << result.err;
  EXPECT_TRUE(result.out.empty()) << result.out;
}

}  // namespace tinymlops::cli_test

#endif  // TINYMLOPS_TESTS_CLI_CLI_RUNNER_H_
