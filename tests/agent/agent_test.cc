// The agent as a whole against a real server: it enrolls once with a token and keeps its
// identity across restarts, keeps serving its installed model while check-ins fail, and backs
// off with jitter while the server cannot be reached.
#include "agent/agent.h"

#include "agent/checkin_schedule.h"
#include "agent/durable_file.h"
#include "agent_fixture.h"
#include "support/dropping_tcp_proxy.h"

namespace tinymlops::agent {
namespace {

class AgentTest : public AgentFixture {
 protected:
  std::string NewEnrollmentToken() {
    auto token = Call("POST", "/v1/projects/acme/enrollment-tokens", deployer_);
    EXPECT_EQ(token.status, 201) << token.body;
    return Json(token).value("token", "");
  }
};

TEST_P(AgentTest, EnrollsOnceAndKeepsItsIdentityAcrossRestarts) {
  const std::string data = root_ + "/fresh";
  AgentOptions options = Options(data, client_.get());
  // No token and no identity: a clear error.
  auto refused = Agent::Start(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(std::string(refused.status().message()).find("--enroll-token"), std::string::npos);
  options.enroll_token = NewEnrollmentToken();
  auto agent = Agent::Start(options);
  ASSERT_TRUE(agent.ok()) << agent.status().message();
  const std::string id = (*agent)->device_id();
  EXPECT_EQ(id.rfind("dev_", 0), 0u);
  auto listed = Call("GET", "/v1/projects/acme/devices/" + id, deployer_);
  EXPECT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(Json(listed).value("name", ""), "gateway-7");
  // The identity key was made on the device and stays private.
  struct stat info;
  ASSERT_EQ(::stat((data + "/identity/device.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 077, 0u);
  agent->reset();
  // A restart uses the stored identity; the used token is not needed (nor valid) any more.
  auto restarted = Agent::Start(options);
  ASSERT_TRUE(restarted.ok()) << restarted.status().message();
  EXPECT_EQ((*restarted)->device_id(), id);
}

TEST_P(AgentTest, KeepsServingAndBacksOffWhileTheServerIsUnreachable) {
  // The device has v1 installed (through the real installer), then loses its server.
  const SlotManifest v1 = Upload("1.0.0", 1);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(*installer_->Apply(v1), InstallResult::kInstalled);
  installer_.reset();
  ASSERT_TRUE(WriteFileDurably(data_ + "/identity/device_id", identity_.device_id).ok());
  auto unreachable = DeviceClient::Create("http://127.0.0.1:1");
  ASSERT_TRUE(unreachable.ok());
  auto agent = Agent::Start(Options(data_, &*unreachable));
  ASSERT_TRUE(agent.ok()) << agent.status().message();
  EXPECT_EQ(Serve((*agent)->loader()), Expected(1));
  int64_t previous = 0;
  for (int i = 0; i < 5; ++i) {
    const int64_t delay = (*agent)->CheckIn();
    EXPECT_FALSE((*agent)->last_error().empty());
    EXPECT_GT(delay, previous);  // 60 s doubling, +-10 %: each is longer than the one before
    previous = delay;
    EXPECT_EQ(Serve((*agent)->loader()), Expected(1));
  }
  EXPECT_GE(previous, 60 * 32 * 9 / 10);
}

// The whole loop against the real check-in route: deployments created through the API, the
// agent converging to each desired version, reporting its outcomes once, and following a
// server-ordered rollback.
TEST_P(AgentTest, ConvergesToTheDeployedVersionAndFollowsARollback) {
  SlotManifest v1 = Upload("1.0.0", 1);
  UploadVariant(&v1, "small", 4);
  const SlotManifest v2 = Upload("1.1.0", 2);
  ASSERT_TRUE(WriteFileDurably(data_ + "/identity/device_id", identity_.device_id).ok());
  DeviceContext context;
  context.charging = true;
  context.network = "ethernet";
  AgentOptions options = Options(data_, client_.get());
  options.context = [&context] { return context; };
  auto started = Agent::Start(options);
  ASSERT_TRUE(started.ok()) << started.status().message();
  Agent& agent = **started;
  EXPECT_GT(agent.CheckIn(), 0);  // no deployment yet: nothing to do
  EXPECT_EQ(agent.last_error(), "");
  EXPECT_FALSE(agent.loader().ready());

  auto deploy = [&](const nlohmann::json& body) {
    auto r = Call("POST", "/v1/projects/acme/deployments", deployer_, body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Json(r).value("id", "");
  };
  auto state_of = [&](const std::string& id) {
    return Json(Call("GET", "/v1/projects/acme/deployments/" + id, deployer_)).value("state", "");
  };
  const std::string first =
      deploy({{"model", "digits"},
              {"version", "1.0.0"},
              {"policy",
               {{"rules", {{{"when", {{"battery_percent_below", 30}}}, {"use", "small"}}}},
                {"default", "fp32"}}}});
  agent.CheckIn();  // installs 1.0.0
  EXPECT_EQ(agent.last_error(), "");
  EXPECT_EQ(Serve(agent.loader()), Expected(1));
  agent.CheckIn();  // reports downloaded + installed
  EXPECT_TRUE(agent.outbox().Pending().empty());
  EXPECT_EQ(state_of(first), "completed");
  // The policy, evaluated on the device: low battery serves the small variant, offline too.
  context.battery_percent = 20;
  context.charging = false;
  agent.FollowContext();
  EXPECT_EQ(Serve(agent.loader()), Expected(4));
  context.battery_percent = 90;
  agent.FollowContext();
  EXPECT_EQ(Serve(agent.loader()), Expected(1));

  const std::string second = deploy({{"model", "digits"}, {"version", "1.1.0"}});
  agent.CheckIn();
  EXPECT_EQ(Serve(agent.loader()), Expected(2));
  agent.CheckIn();
  EXPECT_EQ(state_of(second), "completed");
  EXPECT_EQ(agent.installer().state().active, "b");

  // The operator rolls the second deployment back: the device returns to 1.0.0, from its
  // previous slot.
  ASSERT_EQ(Call("POST", "/v1/projects/acme/deployments/" + second + "/rollback", deployer_,
                 R"({"reason": "drift"})")
                .status,
            200);
  agent.CheckIn();
  EXPECT_EQ(agent.last_error(), "");
  EXPECT_EQ(Serve(agent.loader()), Expected(1));
  EXPECT_EQ(agent.installer().state().active, "a");
  EXPECT_EQ(agent.outbox().Pending().back().event, "rolled_back");
  agent.CheckIn();
  EXPECT_TRUE(agent.outbox().Pending().empty());
  // The server sees what the device runs.
  auto device = Json(Call("GET", "/v1/projects/acme/devices/" + identity_.device_id, deployer_));
  EXPECT_NE(device.dump().find("1.0.0"), std::string::npos) << device.dump();
}

// A check-in whose answer is lost (the connection breaks after the server recorded the
// outcomes): the device keeps them and resends them with the same sequences, and they leave
// the outbox once a check-in is answered.
TEST_P(AgentTest, OutcomesWhoseAnswerWasLostAreResentWithTheirSequences) {
  Upload("1.0.0", 1);
  ASSERT_TRUE(WriteFileDurably(data_ + "/identity/device_id", identity_.device_id).ok());
  test_support::DroppingTcpProxy proxy(port_, /*drop_after_bytes=*/1, /*drop_connections=*/0);
  auto through_proxy = DeviceClient::Create("http://127.0.0.1:" + std::to_string(proxy.port()));
  ASSERT_TRUE(through_proxy.ok());
  auto started = Agent::Start(Options(data_, &*through_proxy));
  ASSERT_TRUE(started.ok()) << started.status().message();
  Agent& agent = **started;
  agent.CheckIn();
  auto r = Call("POST", "/v1/projects/acme/deployments", deployer_,
                nlohmann::json{{"model", "digits"}, {"version", "1.0.0"}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string deployment = Json(r).value("id", "");
  agent.CheckIn();  // installs
  ASSERT_EQ(agent.outbox().Pending().size(), 2u);
  const uint64_t last = agent.outbox().Pending().back().sequence;
  proxy.DropNext(1);
  agent.CheckIn();  // the server gets the outcomes; the device never hears back
  EXPECT_FALSE(agent.last_error().empty());
  ASSERT_EQ(agent.outbox().Pending().size(), 2u);
  EXPECT_EQ(agent.outbox().Pending().back().sequence, last);
  agent.CheckIn();  // resent, answered
  EXPECT_EQ(agent.last_error(), "");
  EXPECT_TRUE(agent.outbox().Pending().empty());
  EXPECT_EQ(Json(Call("GET", "/v1/projects/acme/deployments/" + deployment, deployer_))
                .value("state", ""),
            "completed");
}

TEST(CheckinScheduleTest, BacksOffExponentiallyWithJitterAndResetsOnSuccess) {
  CheckinSchedule schedule(42, 3600);
  const int64_t first = schedule.AfterSuccess(60);
  EXPECT_GE(first, 54);
  EXPECT_LE(first, 66);
  int64_t delay = 0;
  for (int i = 0; i < 20; ++i) delay = schedule.AfterFailure();
  EXPECT_LE(delay, 3600 * 11 / 10);  // capped
  EXPECT_GE(delay, 3600 * 9 / 10);
  EXPECT_LE(schedule.AfterSuccess(30), 33);
  // Two devices with other seeds do not come back at the same second.
  CheckinSchedule a(1), b(2);
  bool differ = false;
  for (int i = 0; i < 5; ++i) differ = differ || a.AfterSuccess(600) != b.AfterSuccess(600);
  EXPECT_TRUE(differ);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AgentTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tinymlops::agent
