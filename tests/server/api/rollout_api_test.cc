// Deployments and rollouts: scripted devices check in with real signed requests to a real
// server, and every strategy is driven to its end (docs/rollouts.md), on both backends.
#include <gtest/gtest.h>

#include <set>

#include "rollout_fixture.h"
#include "server/rollout/deployment.h"

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
      {"rules",
       {{{"when", {{"battery_percent_below", 30}, {"charging", false}}}, {"use", "int8"}}}},
      {"default", "fp32"}};
  auto created = Create({{"model", "digits"},
                         {"version", "1.0.0"},
                         {"policy", policy},
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
  EXPECT_EQ(variant["package"],
            "/v1/device/variants/" + variant["id"].get<std::string>() + "/package");
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
  EXPECT_NE(refused["refused"][0]["reason"].get<std::string>().find("device " + tiny.device.id +
                                                                    " has 1000 bytes of RAM"),
            std::string::npos)
      << refused.dump();

  Report(full, id, "1.0.0", "downloaded");
  EXPECT_EQ(StatusOf(id)["counts"]["downloading"], 1);
  Report(full, id, "1.0.0", "installed");
  // A resent batch (same sequence) is recorded once.
  nlohmann::json resent = {{"outcomes",
                            {{{"deployment", id},
                              {"version", "1.0.0"},
                              {"event", "installed"},
                              {"sequence", full.sequence}}}}};
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

TEST_P(RolloutApiTest, StagedRolloutPausesAndPromotesOnTheOperatorsWord) {
  Upload("1.0.0", "fp32");
  Upload("1.1.0", "fp32");
  std::vector<ScriptedDevice> fleet;
  for (int i = 0; i < 20; ++i) fleet.push_back(NewDevice());
  const std::string baseline = CompleteBaseline(fleet);
  auto created = Create(
      {{"model", "digits"},
       {"version", "1.1.0"},
       {"strategy", {{"type", "staged"}, {"stages", {10, 50, 100}}, {"auto_promote", false}}}});
  const std::string id = created["id"];
  EXPECT_EQ(created["previous_deployment"], baseline);
  EXPECT_EQ(created["stages"].size(), 3u);
  std::set<std::string> reported;
  for (int stage = 0; stage < 3; ++stage) {
    auto status = StatusOf(id);
    ASSERT_EQ(status["stage"], stage) << status.dump();
    // Exactly the devices of the stages reached are told to move; the others keep 1.0.0.
    const int moved = ReportWhereDesired(fleet, id, "1.1.0", reported);
    EXPECT_EQ(static_cast<int64_t>(reported.size()),
              status["counts"]["in_current_stage"].get<int64_t>())
        << "stage " << stage << " moved " << moved;
    for (auto& d : fleet) {
      if (!reported.count(d.device.id)) EXPECT_EQ(Desired(d)["version"], "1.0.0");
    }
    if (stage == 0) {
      // Every device of the stage reported, but auto_promote is off: it waits.
      EXPECT_EQ(StatusOf(id)["state"], "rolling_out");
      EXPECT_EQ(Act(id, "pause")["state"], "paused");
      Act(id, "pause", "", 409);
      auto promoted = Act(id, "promote");
      EXPECT_EQ(promoted["state"], "rolling_out");
      EXPECT_EQ(promoted["stage"], 1);
    } else if (stage == 1) {
      Act(id, "promote");
    }
  }
  auto status = StatusOf(id);
  EXPECT_EQ(status["state"], "completed") << status.dump();
  EXPECT_EQ(status["counts"]["installed"], 20);
  std::vector<std::string> transitions;
  for (const auto& h : status["history"]) {
    transitions.push_back(h["to"].get<std::string>() + "@" + std::to_string(h["stage"].get<int>()) +
                          " by " + h["actor"].get<std::string>());
  }
  EXPECT_EQ(transitions, (std::vector<std::string>{
                             "rolling_out@0 by deployer-token", "paused@0 by deployer-token",
                             "rolling_out@1 by deployer-token", "rolling_out@2 by deployer-token",
                             "completed@2 by health gate"}));
  Act(id, "promote", "", 409);
}

TEST_P(RolloutApiTest, CanaryDevicesGoFirstThenAutoPromotedStages) {
  Upload("1.1.0", "fp32");
  std::vector<ScriptedDevice> fleet;
  for (int i = 0; i < 8; ++i)
    fleet.push_back(NewDevice(Profile(), i < 2 ? std::vector<std::string>{"canary", "field"}
                                               : std::vector<std::string>{"field"}));
  const std::string id = Create(
      {{"model", "digits"},
       {"version", "1.1.0"},
       {"target", {{"tags", {"field"}}}},
       {"strategy", {{"type", "canary"}, {"canary_tag", "canary"}, {"stages", {50, 100}}}}})["id"];
  // Only the canaries are told at first; nothing went before, so the others are told nothing.
  for (size_t i = 0; i < fleet.size(); ++i) {
    const nlohmann::json desired = Desired(fleet[i]);
    if (i < 2) {
      EXPECT_EQ(desired["version"], "1.1.0");
    } else {
      EXPECT_TRUE(desired.is_null()) << desired.dump();
    }
  }
  std::set<std::string> reported;
  for (int round = 0; round < 4 && StatusOf(id)["state"] == "rolling_out"; ++round) {
    ReportWhereDesired(fleet, id, "1.1.0", reported);
  }
  auto status = StatusOf(id);
  EXPECT_EQ(status["state"], "completed") << status.dump();
  EXPECT_EQ(status["counts"]["installed"], 8);
  EXPECT_EQ(status["history"][1]["reason"].get<std::string>().rfind(
                "auto-promoted to stage 2 (50%): every device of stage 1 (the canary devices)", 0),
            0u)
      << status.dump();
  // A device without the target tag is not part of it.
  ScriptedDevice outsider = NewDevice();
  EXPECT_TRUE(Desired(outsider).is_null());
}

TEST_P(RolloutApiTest, SplitVersionGoesToAStablePercentOfTheDevices) {
  Upload("1.0.0", "fp32");
  Upload("1.1.0", "fp32");
  std::vector<ScriptedDevice> fleet;
  for (int i = 0; i < 40; ++i) fleet.push_back(NewDevice());
  const std::string id = Create({{"model", "digits"},
                                 {"version", "1.1.0"},
                                 {"split", {{"version", "1.0.0"}, {"percent", 30}}}})["id"];
  int split = 0;
  for (auto& d : fleet) {
    const bool in_split = SplitBucket(d.device.id) < 30;
    const nlohmann::json desired = Desired(d);
    EXPECT_EQ(desired["version"], in_split ? "1.0.0" : "1.1.0");
    EXPECT_EQ(desired["deployment"], id);
    EXPECT_EQ(Desired(d)["version"], desired["version"]);  // the same at every check-in
    split += in_split ? 1 : 0;
  }
  // Both arms are present (random ids: each is empty with probability 0.7^40 or 0.3^40); how
  // evenly the hash spreads is rollout_rules_test's BucketsAreStableAndSpreadOut, on fixed ids.
  EXPECT_GT(split, 0);
  EXPECT_LT(split, 40);
  std::set<std::string> a, b;
  ReportWhereDesired(fleet, id, "1.0.0", a);
  ReportWhereDesired(fleet, id, "1.1.0", b);
  EXPECT_EQ(static_cast<int>(a.size()), split);
  EXPECT_EQ(StatusOf(id)["state"], "completed");
}

TEST_P(RolloutApiTest, SelfTestFailuresRollTheRolloutBackAutomatically) {
  Upload("1.0.0", "fp32");
  Upload("1.1.0", "fp32");
  std::vector<ScriptedDevice> fleet;
  for (int i = 0; i < 6; ++i) fleet.push_back(NewDevice());
  const std::string baseline = CompleteBaseline(fleet);
  const std::string id =
      Create({{"model", "digits"},
              {"version", "1.1.0"},
              {"gates", {{"max_self_test_failure_rate", 0.2}, {"min_reports", 3}}}})["id"];
  Report(fleet[0], id, "1.1.0", "installed");
  Report(fleet[1], id, "1.1.0", "installed");
  EXPECT_EQ(StatusOf(id)["state"], "rolling_out");
  auto answer = Report(fleet[2], id, "1.1.0", "self_test_failed");
  // The third report trips the gate (1 of 3 > 0.2): the device is told to go back at once.
  EXPECT_EQ(answer["desired"]["version"], "1.0.0") << answer.dump();
  EXPECT_EQ(answer["desired"]["deployment"], baseline);
  auto status = StatusOf(id);
  EXPECT_EQ(status["state"], "rolled_back");
  EXPECT_EQ(status["rollback_reason"],
            "health gate: the self-test failure rate 0.33 (1 of 3 devices) is above "
            "max_self_test_failure_rate 0.20");
  EXPECT_EQ(status["history"].back()["actor"], "health gate");
  for (auto& d : fleet) EXPECT_EQ(Desired(d)["version"], "1.0.0");
  Report(fleet[0], id, "1.0.0", "rolled_back");
  Report(fleet[1], id, "1.0.0", "installed");
  Report(fleet[2], baseline, "1.0.0", "installed");  // naming the deployment it was told
  EXPECT_EQ(StatusOf(id)["counts"]["rolled_back"], 3);
  Act(id, "rollback", R"({"reason": "again"})", 409);
  // The model is free for a new deployment, which goes back to the baseline if rolled back.
  auto next = Create({{"model", "digits"}, {"version", "1.1.0"}});
  EXPECT_EQ(next["previous_deployment"], baseline);
}

TEST_P(RolloutApiTest, ALatencyRegressionOnOneDeviceClassRollsBack) {
  Upload("1.0.0", "fp32");
  Upload("1.1.0", "fp32");
  std::vector<ScriptedDevice> fleet;
  for (int i = 0; i < 6; ++i) fleet.push_back(NewDevice(Profile(i < 3 ? "sensor" : "gateway")));
  CompleteBaseline(fleet);
  const std::string id =
      Create({{"model", "digits"},
              {"version", "1.1.0"},
              {"gates", {{"max_latency_regression", 0.25}, {"min_reports", 2}}}})["id"];
  auto health = [](const std::string& version, double p95) {
    return nlohmann::json{{"health",
                           {{"model", "digits"},
                            {"version", version},
                            {"crash_count", 0},
                            {"latency_us", {{"p50", p95 / 2}, {"p95", p95}}}}}};
  };
  for (auto& d : fleet) EXPECT_EQ(CheckIn(d, health("1.0.0", 500)).status, 200);
  for (int i = 0; i < 3; ++i) Report(fleet[i], id, "1.1.0", "installed", health("1.1.0", 520));
  Report(fleet[3], id, "1.1.0", "installed", health("1.1.0", 800));
  EXPECT_EQ(StatusOf(id)["state"], "rolling_out");  // one gateway is not enough to judge
  Report(fleet[4], id, "1.1.0", "installed", health("1.1.0", 800));
  auto status = StatusOf(id);
  EXPECT_EQ(status["state"], "rolled_back") << status.dump();
  EXPECT_EQ(status["rollback_reason"],
            "health gate: p95 latency on device class 'gateway' is 60% above the previous "
            "version (800 us against 500 us over 2 devices), beyond max_latency_regression 0.25");
  EXPECT_EQ(Desired(fleet[5])["version"], "1.0.0");
}

TEST_P(RolloutApiTest, CrashesOnTheNewVersionRollBack) {
  Upload("1.0.0", "fp32");
  Upload("1.1.0", "fp32");
  std::vector<ScriptedDevice> fleet;
  for (int i = 0; i < 4; ++i) fleet.push_back(NewDevice());
  CompleteBaseline(fleet);
  const std::string id = Create({{"model", "digits"},
                                 {"version", "1.1.0"},
                                 {"gates", {{"max_crash_rate", 0.3}, {"min_reports", 3}}}})["id"];
  auto health = [](int64_t crashes) {
    return nlohmann::json{
        {"health", {{"model", "digits"}, {"version", "1.1.0"}, {"crash_count", crashes}}}};
  };
  for (int i = 0; i < 3; ++i) Report(fleet[i], id, "1.1.0", "installed", health(0));
  EXPECT_EQ(StatusOf(id)["state"], "rolling_out");
  EXPECT_EQ(CheckIn(fleet[1], health(2)).status, 200);  // the inference process crashed twice
  auto status = StatusOf(id);
  EXPECT_EQ(status["state"], "rolled_back") << status.dump();
  EXPECT_EQ(status["counts"]["crashed"], 1);
  EXPECT_EQ(status["rollback_reason"],
            "health gate: the crash rate 0.33 (1 of 3 devices) is above max_crash_rate 0.30");
}

TEST_P(RolloutApiTest, OneActiveDeploymentPerModel) {
  Upload("1.0.0", "fp32");
  Upload("1.1.0", "fp32");
  NewDevice();
  const std::string id = Create({{"model", "digits"}, {"version", "1.0.0"}})["id"];
  auto second = Create({{"model", "digits"}, {"version", "1.1.0"}}, 409);
  EXPECT_NE(second["error"].get<std::string>().find("already has an active deployment " + id),
            std::string::npos);
  // Requests the registry cannot satisfy are refused with what to do.
  EXPECT_NE(
      Create({{"model", "digits"}, {"version", "9.9.9"}}, 404)["error"].get<std::string>().find(
          "upload its variants first"),
      std::string::npos);
  EXPECT_NE(
      Create({{"model", "digits"}, {"version", "1.1.0"}, {"variants", {"int4"}}}, 400)["error"]
          .get<std::string>()
          .find("has no variant 'int4' (it has: fp32)"),
      std::string::npos);
  EXPECT_NE(Create({{"model", "digits"}, {"version", "1.1.0"}, {"policy", {{"default", "int4"}}}},
                   400)["error"]
                .get<std::string>()
                .find("not one of the deployment's variants"),
            std::string::npos);
  Create({{"model", "digits"},
          {"version", "1.1.0"},
          {"strategy", {{"type", "staged"}, {"stages", {50}}}}},
         400);
  auto rolled = Act(id, "rollback", R"({"reason": "wrong build"})");
  EXPECT_EQ(rolled["state"], "rolled_back");
  EXPECT_EQ(rolled["rollback_reason"], "wrong build");
  EXPECT_EQ(rolled["history"].back()["actor"], "deployer-token");
  Create({{"model", "digits"}, {"version", "1.1.0"}});
  auto list = Call("GET", "/v1/projects/acme/deployments", viewer_);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Json(list)["deployments"].size(), 2u);
}

// Every operator route of deployments refuses no token (401), a viewer where it changes
// something (403), and another project's token (404); the check-in refuses unsigned, forged
// and replayed requests (401).
TEST_P(RolloutApiTest, RoutesRefuseWhoMayNotUseThem) {
  Upload("1.0.0", "fp32");
  const std::string id = Create({{"model", "digits"}, {"version", "1.0.0"}})["id"];
  const std::string other = ProjectToken("other", "admin");
  const std::string base = "/v1/projects/acme/deployments";
  const struct {
    const char* method;
    std::string path;
    std::string body;
    bool changes;
  } routes[] = {
      {"POST", base, R"({"model": "digits", "version": "1.0.0"})", true},
      {"GET", base, "", false},
      {"GET", base + "/" + id, "", false},
      {"POST", base + "/" + id + "/pause", "", true},
      {"POST", base + "/" + id + "/promote", "", true},
      {"POST", base + "/" + id + "/rollback", R"({"reason": "x"})", true},
  };
  for (const auto& route : routes) {
    const std::string what = std::string(route.method) + " " + route.path;
    EXPECT_EQ(Call(route.method, route.path, "", route.body).status, 401) << what;
    EXPECT_EQ(Call(route.method, route.path, other, route.body).status, 404) << what;
    EXPECT_EQ(Call(route.method, route.path, viewer_, route.body).status, route.changes ? 403 : 200)
        << what;
  }
  EXPECT_EQ(StatusOf(id)["state"], "rolling_out");  // none of the refused requests acted
  ScriptedDevice d = NewDevice();
  const std::string body = "{}";
  EXPECT_EQ(test_support::HttpCall(port_, "POST", "/v1/device/checkin", body).status, 401);
  Device impostor{std::move(*crypto::SigningKeyPair::Generate()), d.device.id};
  EXPECT_EQ(DeviceCall(impostor, "POST", "/v1/device/checkin", body).status, 401);
  const auto headers = SignDeviceRequest(d.device.key, d.device.id, "POST", "/v1/device/checkin",
                                         Now(), NewNonce(), body);
  EXPECT_EQ(test_support::HttpCall(port_, "POST", "/v1/device/checkin", body, headers).status, 200);
  EXPECT_EQ(test_support::HttpCall(port_, "POST", "/v1/device/checkin", body, headers).status, 401);
  EXPECT_EQ(test_support::HttpCall(port_, "POST", "/v1/device/checkin",
                                   R"({"outcomes": [{"deployment": "x"}]})", headers)
                .status,
            401);  // signed for another body
  auto malformed = CheckIn(
      d, {{"outcomes",
           {{{"deployment", id}, {"version", "1.0.0"}, {"event", "exploded"}, {"sequence", 1}}}}});
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(Json(malformed)["error"].get<std::string>().find("event must be one of"),
            std::string::npos);
}

TEST_P(RolloutApiTest, MetricsCountRolloutStatesAndCheckins) {
  Upload("1.0.0", "fp32");
  ScriptedDevice d = NewDevice();
  Create({{"model", "digits"}, {"version", "1.0.0"}});
  Desired(d);
  auto metrics = Call("GET", "/metrics", admin_);
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("\ntinymlops_deployments{state=\"rolling_out\"} 1\n"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("\ntinymlops_rollout_devices{status=\"pending\"} 1\n"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("\ntinymlops_checkins_total 2\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("\ntinymlops_checkins_with_desired_total 1\n"), std::string::npos);
}

// A check-in writes only the report's fields that changed, and its answer already follows the
// profile it carries.
TEST_P(RolloutApiTest, CheckinRecordsChangedReportsAndAnswersTheNewProfile) {
  Upload("1.0.0", "fp32", "Mul,Add");
  ScriptedDevice d = NewDevice(Profile("gateway"));
  const std::string id = Create({{"model", "digits"}, {"version", "1.0.0"}})["id"];
  auto view = [&] {
    return Json(Call("GET", "/v1/projects/acme/devices/" + d.device.id, deployer_));
  };
  const nlohmann::json low = {{"battery_percent", 20}, {"charging", false}};
  const nlohmann::json health = {{"model", "digits"}, {"version", "1.0.0"}, {"crash_count", 0}};
  ASSERT_EQ(CheckIn(d, {{"context", low}, {"health", health}}).status, 200);
  ASSERT_EQ(CheckIn(d, {{"context", low}, {"health", health}}).status, 200);  // unchanged
  EXPECT_EQ(view()["context"], low);
  EXPECT_EQ(view()["health"], health);
  const nlohmann::json charging = {{"battery_percent", 21}, {"charging", true}};
  ASSERT_EQ(CheckIn(d, {{"context", charging}}).status, 200);
  EXPECT_EQ(view()["context"], charging);
  EXPECT_EQ(view()["health"], health);  // not sent: kept

  // The same check-in that reports too little RAM for the variant is refused in its answer.
  auto refused = Json(CheckIn(d, {{"profile", Profile("gateway", 1000)}}));
  EXPECT_TRUE(refused["desired"].is_null()) << refused.dump();
  ASSERT_EQ(refused["refused"].size(), 1u) << refused.dump();
  EXPECT_EQ(refused["refused"][0]["deployment"], id);
  EXPECT_EQ(view()["profile"]["ram_bytes"], 1000);
  auto restored = Json(CheckIn(d, {{"profile", Profile("gateway")}}));
  ASSERT_TRUE(restored["desired"].is_object()) << restored.dump();
  EXPECT_EQ(restored["desired"]["deployment"], id);
}

// A check-in that repeats the device's last report is answered from the process's cache
// (CachedCheckins), and never once something its answer depends on changed:
// a deployment created or rolled back (the project's revision), the device's tags (its own).
TEST_P(RolloutApiTest, RepeatedCheckinsAreCachedUntilTheirAnswerChanges) {
  Upload("1.0.0", "fp32");
  ScriptedDevice d = NewDevice();
  // Answered three times the same: at least the last two come from the cache.
  auto same_three_times = [&] {
    const int64_t before = CachedCheckins();
    const nlohmann::json first = Desired(d);
    EXPECT_EQ(Desired(d), first);
    EXPECT_EQ(Desired(d), first);
    EXPECT_GE(CachedCheckins() - before, 1);
    return first;
  };
  EXPECT_TRUE(same_three_times().is_null());
  const std::string lab = Create({{"model", "digits"}, {"version", "1.0.0"},
                                  {"target", {{"tags", {"lab"}}}}})["id"];
  EXPECT_TRUE(same_three_times().is_null());  // the deployment targets other devices
  ASSERT_EQ(Call("PUT", "/v1/projects/acme/devices/" + d.device.id + "/tags", deployer_,
                 R"({"tags":["lab"]})")
                .status,
            200);
  EXPECT_EQ(same_three_times()["deployment"], lab);
  Act(lab, "rollback", R"({"reason":"operator"})");
  EXPECT_TRUE(same_three_times().is_null());
}

// A check-in MACed under a session is answered like a signed one: from the cache when it repeats
// the device's last report (read without waiting for a writer), computed and stored when it
// brings news, and never past a change of what the answer depends on; a replayed counter is
// refused on either path.
TEST_P(RolloutApiTest, SessionCheckinsAreCachedAndComputedLikeSignedOnes) {
  Upload("1.0.0", "fp32");
  ScriptedDevice d = NewDevice();
  Session session = OpenSession(d.device);
  int64_t counter = 0;
  auto checkin = [&](const std::string& body, int64_t with_counter) {
    return test_support::HttpCall(
        port_, "POST", "/v1/device/checkin", body,
        Mac(session, d.device.id, "POST", "/v1/device/checkin", with_counter, body));
  };
  auto desired = [&] {
    auto r = checkin("{}", ++counter);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r)["desired"];
  };
  const int64_t before = CachedCheckins();
  EXPECT_TRUE(desired().is_null());
  EXPECT_TRUE(desired().is_null());
  EXPECT_TRUE(desired().is_null());
  EXPECT_GE(CachedCheckins() - before, 1);
  // A replayed counter, with the body the cache would answer, is refused.
  auto replayed = checkin("{}", counter);
  EXPECT_EQ(replayed.status, 401);
  EXPECT_NE(Json(replayed).value("error", "").find("replayed"), std::string::npos);
  // News is computed and stored.
  const std::string news = R"({"context": {"battery_percent": 41}})";
  ASSERT_EQ(checkin(news, ++counter).status, 200);
  EXPECT_EQ(checkin(news, counter).status, 401);
  auto seen = Call("GET", "/v1/projects/acme/devices/" + d.device.id, deployer_);
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_EQ(Json(seen)["context"]["battery_percent"], 41);
  // A deployment that reaches the device, then its rollback, change the answer at once.
  const std::string lab = Create({{"model", "digits"}, {"version", "1.0.0"},
                                  {"target", {{"tags", {"lab"}}}}})["id"];
  EXPECT_TRUE(desired().is_null());
  ASSERT_EQ(Call("PUT", "/v1/projects/acme/devices/" + d.device.id + "/tags", deployer_,
                 R"({"tags":["lab"]})")
                .status,
            200);
  const nlohmann::json deployed = desired();
  EXPECT_EQ(deployed["deployment"], lab);
  EXPECT_EQ(desired(), deployed);
  EXPECT_EQ(Desired(d), deployed);  // the signed path agrees
  Act(lab, "rollback", R"({"reason":"operator"})");
  EXPECT_TRUE(desired().is_null());
}

INSTANTIATE_TEST_SUITE_P(Backends, RolloutApiTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tinymlops::server
