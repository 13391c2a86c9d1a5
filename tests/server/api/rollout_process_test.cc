// Rollouts across real tinymlops-server processes: a server SIGKILLed at several points of a
// staged rollout and restarted on the same data continues it to completion with every device
// counted once; two processes on one PostgreSQL database show devices one rollout state.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>

#include "rollout_fixture.h"
#include "server_process.h"

namespace tinymlops::server {
namespace {

class RolloutProcessTest : public RolloutFixture {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql") {
      std::string skip;
      database_ = test_support::TestDatabase::Create("postgresql", &skip);
      if (!database_) GTEST_SKIP() << skip;
      store_url_ = database_->location();
    }
    data_ = std::filesystem::temp_directory_path() / ("tinymlops_data_" + NewRecordId(""));
    first_ = Launch(data_.string(), store_url_);
    ASSERT_NE(first_.port, 0) << first_.banner;
    admin_ = BannerToken(first_);
    ASSERT_FALSE(admin_.empty()) << first_.banner;
    port_ = first_.port;
    SetUpProject();
  }

  void TearDown() override {
    Stop(first_);
    Stop(second_);
    std::error_code ignored;
    std::filesystem::remove_all(data_, ignored);
    RolloutFixture::TearDown();
  }

  // SIGKILLs the first server and starts it again on the same data and store.
  void KillAndRestart() {
    Kill(first_);
    first_ = Launch(data_.string(), store_url_);
    ASSERT_NE(first_.port, 0) << first_.banner;
    port_ = first_.port;
    ++restarts_;
  }

  // "state@stage" of every transition in the deployment's history.
  std::vector<std::string> Transitions(const nlohmann::json& status) {
    std::vector<std::string> out;
    int64_t revision = 0;
    for (const auto& h : status["history"]) {
      EXPECT_EQ(h["revision"].get<int64_t>(), ++revision) << status.dump();
      out.push_back(h["to"].get<std::string>() + "@" + std::to_string(h["stage"].get<int64_t>()));
    }
    return out;
  }

  std::filesystem::path data_;
  std::string store_url_;
  RunningServer first_, second_;
  int restarts_ = 0;
};

TEST_P(RolloutProcessTest, ASigkilledServerResumesTheRolloutWithEveryDeviceCountedOnce) {
  Upload("1.0.0", "fp32");
  Upload("1.1.0", "fp32");
  std::vector<ScriptedDevice> fleet;
  for (int i = 0; i < 24; ++i) fleet.push_back(NewDevice());
  CompleteBaseline(fleet);
  const std::string id = Create({{"model", "digits"},
                                 {"version", "1.1.0"},
                                 {"strategy", {{"type", "staged"}, {"stages", {10, 50, 100}}}},
                                 {"gates", {{"max_self_test_failure_rate", 0.5}}}})["id"];
  KillAndRestart();  // right after the creation
  std::set<std::string> reported;
  int outcomes = 0;
  for (int round = 0; round < 8 && StatusOf(id)["state"] == "rolling_out"; ++round) {
    for (auto& d : fleet) {
      if (reported.count(d.device.id)) continue;
      const nlohmann::json desired = Desired(d);
      if (!desired.is_object() || desired["version"] != "1.1.0") continue;
      reported.insert(d.device.id);
      if (++outcomes % 4 == 0) {
        // Killed while the outcome is in flight: it was recorded or not; the device, with no
        // answer, sends it again with the same sequence after the restart.
        ++d.sequence;
        std::thread in_flight([&] { Resend(d, id, "1.1.0", "installed"); });
        std::this_thread::sleep_for(std::chrono::milliseconds(outcomes % 7));
        Kill(first_);
        in_flight.join();
        KillAndRestart();
        EXPECT_EQ(Resend(d, id, "1.1.0", "installed"), 200);
      } else {
        Report(d, id, "1.1.0", "installed");
        if (outcomes % 3 == 0) {
          KillAndRestart();  // right after an outcome was answered
          EXPECT_EQ(Resend(d, id, "1.1.0", "installed"), 200);
        }
      }
    }
    KillAndRestart();  // between stages
  }
  auto status = StatusOf(id);
  EXPECT_EQ(status["state"], "completed") << status.dump();
  EXPECT_EQ(status["counts"]["targeted"], 24);
  EXPECT_EQ(status["counts"]["installed"], 24) << status.dump();
  EXPECT_EQ(reported.size(), 24u);
  EXPECT_EQ(Transitions(status), (std::vector<std::string>{"rolling_out@0", "rolling_out@1",
                                                           "rolling_out@2", "completed@2"}));
  EXPECT_GE(restarts_, 6);
}

// Two server processes on one PostgreSQL database: devices checking in alternately to either
// see one rollout; a promote on one process is what devices checking in on the other get.
using RolloutScaleOutTest = RolloutProcessTest;

TEST_P(RolloutScaleOutTest, TwoProcessesOnOneDatabaseShowOneRollout) {
  second_ = Launch(data_.string(), store_url_);
  ASSERT_NE(second_.port, 0) << second_.banner;
  const uint16_t ports[] = {first_.port, second_.port};
  Upload("1.0.0", "fp32");
  Upload("1.1.0", "fp32");
  std::vector<ScriptedDevice> fleet;
  for (int i = 0; i < 30; ++i) fleet.push_back(NewDevice());
  CompleteBaseline(fleet);
  const std::string id = Create(
      {{"model", "digits"},
       {"version", "1.1.0"},
       {"strategy", {{"type", "staged"}, {"stages", {20, 100}}, {"auto_promote", false}}}})["id"];
  // Both processes give every device the same answer.
  std::map<std::string, std::string> told;
  for (auto& d : fleet) {
    const std::string a = Desired(d, ports[0])["version"];
    EXPECT_EQ(Desired(d, ports[1])["version"], a);
    told[d.device.id] = a;
  }
  // The first stage reports, each device through the process it did not ask last.
  int in_stage = 0;
  for (size_t i = 0; i < fleet.size(); ++i) {
    if (told[fleet[i].device.id] != "1.1.0") continue;
    Report(fleet[i], id, "1.1.0", "installed", nlohmann::json::object(), ports[i % 2]);
    ++in_stage;
  }
  auto status = StatusOf(id);
  EXPECT_EQ(status["counts"]["installed"], in_stage);
  EXPECT_EQ(status["counts"]["in_current_stage"], in_stage);
  // A device outside the stage, on a session of the second process: its check-ins there are
  // answered from that process's cache (read-only transactions) until the promote.
  auto watcher = std::find_if(fleet.begin(), fleet.end(),
                              [&](const ScriptedDevice& d) { return told[d.device.id] == "1.0.0"; });
  ASSERT_NE(watcher, fleet.end());
  Session session = OpenSession(watcher->device, ports[1]);
  auto session_version = [&] {
    auto r = test_support::HttpCall(
        ports[1], "POST", "/v1/device/checkin", "{}",
        Mac(session, watcher->device.id, "POST", "/v1/device/checkin", ++session.counter, "{}"));
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r)["desired"]["version"];
  };
  EXPECT_EQ(session_version(), "1.0.0");
  EXPECT_EQ(session_version(), "1.0.0");
  // Promote through the first process (port_); devices on the second see it at once.
  ASSERT_EQ(port_, ports[0]);
  EXPECT_EQ(Act(id, "promote")["stage"], 1);
  EXPECT_EQ(session_version(), "1.1.0");
  for (auto& d : fleet) EXPECT_EQ(Desired(d, ports[1])["version"], "1.1.0");
  // The rest report concurrently, alternating between the processes: the last outcome
  // completes the rollout exactly once.
  std::vector<std::thread> threads;
  for (size_t i = 0; i < fleet.size(); ++i) {
    if (told[fleet[i].device.id] == "1.1.0") continue;
    threads.emplace_back([&, i] {
      Report(fleet[i], id, "1.1.0", "installed", nlohmann::json::object(), ports[i % 2]);
    });
  }
  for (auto& t : threads) t.join();
  status = StatusOf(id);
  EXPECT_EQ(status["state"], "completed") << status.dump();
  EXPECT_EQ(status["counts"]["installed"], 30);
  EXPECT_EQ(Transitions(status),
            (std::vector<std::string>{"rolling_out@0", "rolling_out@1", "completed@1"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, RolloutProcessTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });
// Several processes share a PostgreSQL store only (SQLite is one process's file).
INSTANTIATE_TEST_SUITE_P(Backends, RolloutScaleOutTest, ::testing::Values("postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tinymlops::server
