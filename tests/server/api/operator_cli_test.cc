// The operator CLI (`tinymlops project|token|trust|enrollment|variant|device|deploy ...`) against a
// real server over HTTP: what it prints with --json, and its exit codes on refusals. `variant
// upload --delta-from` uploads a delta package.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "crypto/key_file.h"
#include "server_fixture.h"
#include "support/package_fixtures.h"

namespace tinymlops::server {
namespace {

class OperatorCliTest : public ServerFixture {
 protected:
  struct Run {
    int exit_code = -1;
    std::string output;
    nlohmann::json Json() const { return nlohmann::json::parse(output, nullptr, false); }
  };

  // Runs `tinymlops ARGS` with the server URL and `token` in the environment.
  Run Cli(const std::string& args, const std::string& token) {
    const std::string command = "TINYMLOPS_SERVER=http://127.0.0.1:" + std::to_string(port_) +
                                " TINYMLOPS_TOKEN=" + token + " " TINYMLOPS_CLI_PATH " " + args +
                                " 2>&1";
    Run run;
    FILE* pipe = popen(command.c_str(), "r");
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, n);
    const int status = pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
  }
};

TEST_P(OperatorCliTest, OperatesAProjectFromTheCommandLine) {
  const auto folder = artifacts_.parent_path() / ("tinymlops_cli_" + NewRecordId(""));
  std::filesystem::create_directories(folder);
  Run project = Cli("project create acme --json", admin_);
  ASSERT_EQ(project.exit_code, 0) << project.output;
  EXPECT_EQ(project.Json()["name"], "acme");
  Run token = Cli("token create ci --project acme --role admin --json", admin_);
  ASSERT_EQ(token.exit_code, 0) << token.output;
  const std::string deployer = token.Json()["token"];
  // A vendor key and a package it signed.
  auto vendor = crypto::SigningKeyPair::Generate();
  ASSERT_TRUE(crypto::WritePublicKeyFile((folder / "vendor.pub").string(), vendor->public_key())
                  .ok());
  test_support::PackageSpec spec;
  spec.n = 64;
  spec.model = test_support::ScaleModel(spec.n);
  spec.manifest = test_support::Identity("digits", 3);
  spec.signer = &*vendor;
  const std::vector<uint8_t> package = test_support::MakePackage(std::move(spec));
  std::ofstream(folder / "digits.tpkg", std::ios::binary)
      .write(reinterpret_cast<const char*>(package.data()), static_cast<long>(package.size()));
  Run trusted = Cli("trust add " + (folder / "vendor.pub").string() + " --project acme --json",
                    deployer);
  ASSERT_EQ(trusted.exit_code, 0) << trusted.output;
  EXPECT_EQ(trusted.Json()["key_id"], vendor->public_key().key_id());
  Run uploaded = Cli("variant upload " + (folder / "digits.tpkg").string() +
                         " --project acme --dtype float32 --arena-bytes 1024 --ops Mul,Add "
                         "--accuracy 0.9 --json",
                     deployer);
  ASSERT_EQ(uploaded.exit_code, 0) << uploaded.output;
  EXPECT_EQ(uploaded.Json()["variant"], "fp32");
  EXPECT_EQ(uploaded.Json()["release"], 3);
  Run listed = Cli("variant list --project acme --model digits --json", deployer);
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_EQ(listed.Json()["variants"].size(), 1u);
  Run enrollment = Cli("enrollment create --project acme --ttl 600 --json", deployer);
  ASSERT_EQ(enrollment.exit_code, 0) << enrollment.output;
  EXPECT_EQ(enrollment.Json()["token"].get<std::string>().rfind("tme_", 0), 0u);
  Run fleet = Cli("device list --project acme --json", deployer);
  ASSERT_EQ(fleet.exit_code, 0) << fleet.output;
  EXPECT_TRUE(fleet.Json()["devices"].empty());
  // Revoke the token the commands above used; it stops working at once.
  Run tokens = Cli("token list --project acme --json", deployer);
  ASSERT_EQ(tokens.exit_code, 0) << tokens.output;
  ASSERT_EQ(tokens.Json()["tokens"].size(), 1u);
  const std::string id = tokens.Json()["tokens"][0]["id"];
  EXPECT_EQ(Cli("token revoke " + id + " --project acme --json", deployer).exit_code, 0);
  Run revoked = Cli("device list --project acme", deployer);
  EXPECT_EQ(revoked.exit_code, 1);
  EXPECT_NE(revoked.output.find("401"), std::string::npos) << revoked.output;
  std::filesystem::remove_all(folder);
}

TEST_P(OperatorCliTest, PublishesAVersionFromItsPackagesAndModels) {
  const auto folder = artifacts_.parent_path() / ("tinymlops_publish_" + NewRecordId(""));
  std::filesystem::create_directories(folder);
  auto write = [&](const std::string& name, const std::vector<uint8_t>& bytes) {
    std::ofstream(folder / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
    return (folder / name).string();
  };
  ASSERT_EQ(Cli("project create acme", admin_).exit_code, 0);
  auto vendor = crypto::SigningKeyPair::Generate();
  ASSERT_TRUE(crypto::WritePublicKeyFile((folder / "vendor.pub").string(), vendor->public_key())
                  .ok());
  ASSERT_EQ(Cli("trust add " + (folder / "vendor.pub").string() + " --project acme", admin_)
                .exit_code,
            0);
  const std::vector<uint8_t> model = test_support::ScaleModel(64);
  const std::string model_path = write("scale.tmm", model);
  test_support::PackageSpec spec;
  spec.n = 64;
  spec.model = model;
  spec.manifest = test_support::Identity("digits", 3);
  spec.signer = &*vendor;
  const std::string package_path = write("digits.tpkg", test_support::MakePackage(spec));

  // A .tmm that is not the package's model is refused before anything is uploaded.
  const std::string other = write("other.tmm", test_support::ScaleModel(32));
  Run mismatched = Cli("model publish " + package_path + ":" + other + " --project acme", admin_);
  EXPECT_EQ(mismatched.exit_code, 1);
  EXPECT_NE(mismatched.output.find("the .tmm the package was built from"), std::string::npos)
      << mismatched.output;
  Run nothing = Cli("variant list --project acme --model digits --json", admin_);
  EXPECT_TRUE(nothing.exit_code != 0 || nothing.Json()["variants"].empty())
      << "a refused publish uploads nothing: " << nothing.output;

  for (const char* accuracy : {"fp32=1.5", "fp32=", "=0.9", "fp32=0.9x"}) {
    Run bad = Cli("model publish " + package_path + ":" + model_path +
                      " --project acme --accuracy " + accuracy,
                  admin_);
    EXPECT_EQ(bad.exit_code, 1) << accuracy;
    EXPECT_NE(bad.output.find("VARIANT=X with X from 0 to 1"), std::string::npos) << bad.output;
  }
  Run published = Cli("model publish " + package_path + ":" + model_path +
                          " --project acme --accuracy fp32=0.93 --json",
                      admin_);
  ASSERT_EQ(published.exit_code, 0) << published.output;
  const nlohmann::json variant = published.Json()["variants"][0];
  EXPECT_EQ(variant["dtype"], "float32");
  EXPECT_EQ(variant["ops"], nlohmann::json::parse(R"(["Add", "Mul"])"));
  EXPECT_GT(variant["arena_bytes"].get<int64_t>(), 0);
  EXPECT_DOUBLE_EQ(variant["accuracy"].get<double>(), 0.93);

  // Roll it out in stages, then pause, promote and roll back from the command line.
  std::ofstream(folder / "policy.json") << R"({"rules": [], "default": "fp32"})";
  Run created = Cli("deploy create --project acme --model digits --version " +
                        variant["version"].get<std::string>() +
                        " --strategy staged --stages 20,100 --gate max_crash_rate=0.1 --policy " +
                        (folder / "policy.json").string() + " --json",
                    admin_);
  ASSERT_EQ(created.exit_code, 0) << created.output;
  const std::string deployment = created.Json()["id"];
  EXPECT_EQ(created.Json()["state"], "rolling_out");
  EXPECT_EQ(created.Json()["strategy"]["stages"], nlohmann::json::parse("[20, 100]"));
  EXPECT_DOUBLE_EQ(created.Json()["gates"]["max_crash_rate"].get<double>(), 0.1);
  auto state_after = [&](const std::string& verb) {
    Run run = Cli("deploy " + verb + " " + deployment + " --project acme --json", admin_);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return run.Json();
  };
  EXPECT_EQ(state_after("pause")["state"], "paused");
  const nlohmann::json promoted = state_after("promote");
  EXPECT_EQ(promoted["state"], "rolling_out");
  EXPECT_EQ(promoted["stage"], 1);
  Run rolled_back = Cli("deploy rollback " + deployment +
                            " --project acme --reason 'field reports' --json",
                        admin_);
  ASSERT_EQ(rolled_back.exit_code, 0) << rolled_back.output;
  EXPECT_EQ(rolled_back.Json()["state"], "rolled_back");
  EXPECT_EQ(rolled_back.Json()["history"].back()["reason"], "field reports");
  // --watch returns once the rollout has finished, with a progress line per change.
  Run watched = Cli("deploy status " + deployment + " --project acme --watch --interval 0.1",
                    admin_);
  EXPECT_EQ(watched.exit_code, 0) << watched.output;
  EXPECT_NE(watched.output.find("rolled_back"), std::string::npos) << watched.output;
  Run listed = Cli("deploy list --project acme --json", admin_);
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_EQ(listed.Json()["deployments"].size(), 1u) << listed.output;
  for (const char* gate : {"x", "max_crash_rate=0.1x"}) {
    Run bad_gate = Cli(std::string("deploy create --project acme --model digits --version 1.0.0 "
                                   "--gate ") + gate,
                       admin_);
    EXPECT_EQ(bad_gate.exit_code, 1) << gate;
    EXPECT_NE(bad_gate.output.find("NAME=NUMBER"), std::string::npos) << bad_gate.output;
  }
  std::filesystem::remove_all(folder);
}

TEST_P(OperatorCliTest, RefusalsAreOneLineErrorsWithExitCode1) {
  Run anonymous = Cli("project list", "");
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_EQ(anonymous.output.rfind("error: the server answered 401", 0), 0u) << anonymous.output;
  EXPECT_NE(anonymous.output.find("TINYMLOPS_TOKEN"), std::string::npos);
  Run missing = Cli("device show dev_0 --project nowhere", admin_);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("404"), std::string::npos) << missing.output;
  Run usage = Cli("token create x --project acme --role root", admin_);
  EXPECT_EQ(usage.exit_code, 2) << usage.output;
}

TEST_P(OperatorCliTest, UploadsADeltaPackageWithDeltaFrom) {
  const auto folder = artifacts_.parent_path() / ("tinymlops_cli_" + NewRecordId(""));
  std::filesystem::create_directories(folder);
  ASSERT_EQ(Cli("project create acme", admin_).exit_code, 0);
  auto vendor = crypto::SigningKeyPair::Generate();
  ASSERT_TRUE(
      crypto::WritePublicKeyFile((folder / "vendor.pub").string(), vendor->public_key()).ok());
  ASSERT_EQ(
      Cli("trust add " + (folder / "vendor.pub").string() + " --project acme", admin_).exit_code,
      0);
  constexpr int kWidth = 1024;
  const std::vector<uint8_t> base = test_support::ScaleModel(kWidth);
  const std::vector<uint8_t> tuned = test_support::TunedScaleModel(kWidth);
  auto write = [&](const std::string& name, const std::string& version,
                   const std::vector<uint8_t>& model, const std::vector<uint8_t>* delta_base) {
    test_support::PackageSpec spec;
    spec.model = model;
    spec.manifest = test_support::Identity("digits", version == "1.0.0" ? 1 : 2);
    spec.manifest.version = version;
    spec.signer = &*vendor;
    const std::vector<uint8_t> bytes =
        delta_base ? test_support::MakeDeltaPackage(*delta_base, std::move(spec))
                   : test_support::MakePackage(std::move(spec));
    EXPECT_FALSE(bytes.empty());
    std::ofstream(folder / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
    return (folder / name).string();
  };
  const std::string v1 = write("v1.tpkg", "1.0.0", base, nullptr);
  const std::string v2 = write("v2.tpkg", "1.1.0", tuned, nullptr);
  const std::string delta = write("delta.tpkg", "1.1.0", tuned, &base);
  for (const std::string& package : {v1, v2})
    ASSERT_EQ(
        Cli("variant upload " + package + " --project acme --dtype float32", admin_).exit_code, 0);
  // A delta given as a variant, or a variant as a delta: one line saying what to do.
  Run as_variant = Cli("variant upload " + delta + " --project acme --dtype float32", admin_);
  EXPECT_EQ(as_variant.exit_code, 1);
  EXPECT_NE(as_variant.output.find("--delta-from"), std::string::npos) << as_variant.output;
  Run as_delta = Cli("variant upload " + v2 + " --project acme --delta-from 1.0.0", admin_);
  EXPECT_EQ(as_delta.exit_code, 1);
  EXPECT_NE(as_delta.output.find("not a delta"), std::string::npos) << as_delta.output;
  Run uploaded =
      Cli("variant upload " + delta + " --project acme --delta-from 1.0.0 --json", admin_);
  ASSERT_EQ(uploaded.exit_code, 0) << uploaded.output;
  EXPECT_EQ(uploaded.Json()["base_version"], "1.0.0");
  EXPECT_EQ(uploaded.Json()["version"], "1.1.0");
  EXPECT_LT(uploaded.Json()["package_bytes"].get<int64_t>(),
            uploaded.Json()["full_package_bytes"].get<int64_t>());
  std::filesystem::remove_all(folder);
}

INSTANTIATE_TEST_SUITE_P(Backends, OperatorCliTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tinymlops::server
