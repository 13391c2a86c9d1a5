// The agent as a whole against a real server: it enrolls once with a token and keeps its
// identity across restarts, keeps serving its installed model while check-ins fail, and backs
// off with jitter while the server cannot be reached.
#include "agent/agent.h"

#include "agent/checkin_schedule.h"
#include "agent/durable_file.h"
#include "agent_fixture.h"

namespace tinymlops::agent {
namespace {

class AgentTest : public AgentFixture {
 protected:
  std::string NewEnrollmentToken() {
    auto token = Call("POST", "/v1/projects/acme/enrollment-tokens", deployer_);
    EXPECT_EQ(token.status, 201) << token.body;
    return Json(token).value("token", "");
  }
  AgentOptions Options(const std::string& data, const DeviceClient* client) {
    AgentOptions options;
    options.data_folder = data;
    options.trusted_vendors = {vendor_.public_key()};
    options.device_name = "gateway-7";
    options.client = client;
    options.start_guard = false;
    return options;
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
