// Deployments and rollouts: scripted devices check in with real signed requests to a real
// server, and every strategy is driven to its end (docs/rollouts.md), on both backends.
#include <gtest/gtest.h>

#include "rollout_fixture.h"

namespace tinymlops::server {
namespace {

using RolloutApiTest = RolloutFixture;

std::vector<std::string> VariantNames(const nlohmann::json& desired) {
  std::vector<std::string> names;
  for (const auto& v : desired["variants"]) names.push_back(v["name"]);
  return names;
}

TEST_P(RolloutApiTest, AllAtOnceReachesEveryCompatibleDeviceAndRefusesTheOthers) {
  Upload("1.0.0", "fp32", "Mul,Add");
  Upload("1.0.0", "int8", "Mul,Add,Softmax");
  ScriptedDevice full = NewDevice(Profile("gateway"));
  ScriptedDevice no_softmax = NewDevice(Profile("sensor", 1 << 28, "0.1.0", {"Mul", "Add"}));
  ScriptedDevice tiny = NewDevice(Profile("sensor", 1000));
  // Before any deployment, no device is told to change anything.
  EXPECT_TRUE(Desired(full).is_null());

  const nlohmann::json policy = {
      {"rules", {{{"when", {{"battery_percent_below", 30}, {"charging", false}}}, {"use", "int8"}}}},
      {"default", "fp32"}};
  auto created = Create({{"model", "digits"}, {"version", "1.0.0"}, {"policy", policy},
                         {"strategy", {{"type", "all_at_once"}}}});
  const std::string id = created["id"];
  EXPECT_EQ(created["state"], "rolling_out");
  EXPECT_EQ(created["counts"]["targeted"], 3);
  EXPECT_EQ(created["variants"], nlohmann::json::array({"fp32", "int8"}));

  auto answer = Json(CheckIn(full, nlohmann::json::object()));
  ASSERT_TRUE(answer["desired"].is_object()) << answer.dump();
  EXPECT_EQ(answer["desired"]["deployment"], id);
  EXPECT_EQ(answer["desired"]["version"], "1.0.0");
  EXPECT_EQ(VariantNames(answer["desired"]), (std::vector<std::string>{"fp32", "int8"}));
  EXPECT_EQ(answer["desired"]["policy"], policy);
  const auto& variant = answer["desired"]["variants"][0];
  EXPECT_EQ(variant["package"], "/v1/device/variants/" + variant["id"].get<std::string>() +
                                    "/package");
  EXPECT_EQ(variant["artifact_hash"].get<std::string>().size(), 64u);
  EXPECT_TRUE(answer["refused"].empty());
  EXPECT_GT(answer["next_checkin_seconds"].get<int64_t>(), 0);
  // Only the compatible variants: this device lacks Softmax, which int8 uses.
  EXPECT_EQ(VariantNames(Desired(no_softmax)), (std::vector<std::string>{"fp32"}));
  // No variant fits in this device's RAM: refused, with the reason.
  auto refused = Json(CheckIn(tiny, nlohmann::json::object()));
  EXPECT_TRUE(refused["desired"].is_null());
  ASSERT_EQ(refused["refused"].size(), 1u);
  EXPECT_EQ(refused["refused"][0]["deployment"], id);
  EXPECT_NE(refused["refused"][0]["reason"].get<std::string>().find(
                "device " + tiny.device.id + " has 1000 bytes of RAM"),
            std::string::npos)
      << refused.dump();

  Report(full, id, "1.0.0", "downloaded");
  EXPECT_EQ(StatusOf(id)["counts"]["downloading"], 1);
  Report(full, id, "1.0.0", "installed");
  // A resent batch (same sequence) is recorded once.
  nlohmann::json resent = {{"outcomes", {{{"deployment", id}, {"version", "1.0.0"},
                                          {"event", "installed"}, {"sequence", full.sequence}}}}};
  EXPECT_EQ(CheckIn(full, resent).status, 200);
  EXPECT_EQ(StatusOf(id)["state"], "rolling_out");
  Report(no_softmax, id, "1.0.0", "installed");

  auto status = StatusOf(id);
  EXPECT_EQ(status["state"], "completed") << status.dump();
  EXPECT_EQ(status["counts"]["installed"], 2);
  EXPECT_EQ(status["counts"]["refused"], 1);
  ASSERT_EQ(status["refused_devices"].size(), 1u);
  EXPECT_EQ(status["refused_devices"][0]["device"], tiny.device.id);
  const auto& history = status["history"];
  ASSERT_EQ(history.size(), 2u) << status.dump();
  EXPECT_EQ(history[0]["to"], "rolling_out");
  EXPECT_EQ(history[0]["actor"], "deployer-token");
  EXPECT_EQ(history[1]["from"], "rolling_out");
  EXPECT_EQ(history[1]["to"], "completed");
  // A completed deployment still tells its devices what to run.
  EXPECT_EQ(Desired(full)["version"], "1.0.0");
}

TEST_P(RolloutApiTest, CompatibilityRefusalsSayWhy) {
  Upload("1.0.0", "int8", "Mul,Add,Softmax", 4096, "0.2.0");
  ScriptedDevice no_softmax = NewDevice(Profile("sensor", 1 << 28, "0.3.0", {"Mul", "Add"}));
  ScriptedDevice small = NewDevice(Profile("sensor", 5000, "0.3.0"));
  ScriptedDevice old_runtime = NewDevice(Profile("sensor", 1 << 28, "0.1.0"));
  ScriptedDevice fine = NewDevice(Profile("sensor", 1 << 28, "0.2.0"));
  const std::string id = Create({{"model", "digits"}, {"version", "1.0.0"}})["id"];
  auto reason = [&](const ScriptedDevice& d) {
    auto answer = Json(CheckIn(d, nlohmann::json::object()));
    EXPECT_TRUE(answer["desired"].is_null()) << answer.dump();
    return answer["refused"].empty() ? std::string()
                                     : answer["refused"][0]["reason"].get<std::string>();
  };
  EXPECT_EQ(reason(no_softmax),
            "device " + no_softmax.device.id + " lacks op Softmax needed by digits 1.0.0 int8");
  EXPECT_NE(reason(small).find("has 5000 bytes of RAM; digits 1.0.0 int8 needs"),
            std::string::npos);
  EXPECT_EQ(reason(old_runtime), "device " + old_runtime.device.id +
                                     " runs runtime 0.1.0; digits 1.0.0 int8 needs runtime "
                                     "0.2.0 or newer");
  EXPECT_EQ(Desired(fine)["version"], "1.0.0");
  auto status = StatusOf(id);
  EXPECT_EQ(status["counts"]["refused"], 3);
  EXPECT_EQ(status["refused_devices"].size(), 3u);
  // The operator sees the same reasons.
  bool seen = false;
  for (const auto& r : status["refused_devices"]) {
    seen = seen || r["reason"].get<std::string>().find("lacks op Softmax") != std::string::npos;
  }
  EXPECT_TRUE(seen) << status.dump();
  // A device whose runtime is upgraded becomes compatible at its next check-in.
  auto upgraded = Json(CheckIn(old_runtime, {{"profile", Profile("sensor", 1 << 28, "0.2.0")}}));
  EXPECT_EQ(upgraded["desired"]["version"], "1.0.0") << upgraded.dump();
  EXPECT_TRUE(upgraded["refused"].empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, RolloutApiTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tinymlops::server
