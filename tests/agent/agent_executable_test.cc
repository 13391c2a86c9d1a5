// tinymlops-agent, the executable: enrolls with a token, checks in and installs what is
// deployed (--once), keeps its identity for the next start, and refuses bad flags in one line.
#include <cstdio>

#include "agent/durable_file.h"
#include "agent_fixture.h"

namespace tinymlops::agent {
namespace {

class AgentExecutableTest : public AgentFixture {
 protected:
  // Runs tinymlops-agent with `arguments`; returns the exit status, stderr in `output`.
  static int Run(const std::string& arguments, std::string* output) {
    std::FILE* pipe =
        ::popen((std::string(TINYMLOPS_AGENT_PATH) + " " + arguments + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return -1;
    char buffer[4096];
    size_t n;
    output->clear();
    while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) output->append(buffer, n);
    const int status = ::pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
};

TEST_P(AgentExecutableTest, EnrollsChecksInAndKeepsItsIdentity) {
  ASSERT_TRUE(crypto::WritePublicKeyFile(root_ + "/vendor.pub", vendor_.public_key()).ok());
  auto token = Call("POST", "/v1/projects/acme/enrollment-tokens", deployer_);
  ASSERT_EQ(token.status, 201);
  const std::string data = root_ + "/device";
  const std::string common = "--server http://127.0.0.1:" + std::to_string(port_) + " --data " +
                             data + " --trust " + root_ + "/vendor.pub --once";
  std::string output;
  ASSERT_EQ(
      Run(common + " --enroll-token " + Json(token).value("token", "") + " --name gw-1", &output),
      0)
      << output;
  EXPECT_NE(output.find("no model installed yet"), std::string::npos) << output;
  auto id = ReadFile(data + "/identity/device_id");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(Call("GET", "/v1/projects/acme/devices/" + *id, deployer_).status, 200);
  // The next start needs no token and is the same device.
  ASSERT_EQ(Run(common, &output), 0) << output;
  EXPECT_NE(output.find("device " + *id), std::string::npos) << output;
}

TEST_P(AgentExecutableTest, BadFlagsAreRefusedInOneLine) {
  std::string output;
  EXPECT_EQ(Run("--server http://127.0.0.1:1 --trust /nonexistent.pub", &output), 2);
  EXPECT_NE(output.find("error: --trust /nonexistent.pub"), std::string::npos) << output;
  ASSERT_TRUE(crypto::WritePublicKeyFile(root_ + "/vendor.pub", vendor_.public_key()).ok());
  EXPECT_EQ(Run("--server localhost:80 --trust " + root_ + "/vendor.pub", &output), 2);
  EXPECT_NE(output.find("must be http://HOST:PORT"), std::string::npos) << output;
  // Not enrolled and no token: says what to do.
  EXPECT_EQ(Run("--server http://127.0.0.1:1 --once --data " + root_ + "/none --trust " + root_ +
                    "/vendor.pub",
                &output),
            1);
  EXPECT_NE(output.find("--enroll-token"), std::string::npos) << output;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AgentExecutableTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tinymlops::agent
