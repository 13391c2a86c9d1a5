// A device cut off from its server for a simulated week (issue 5, "Offline"): it keeps serving
// its model the whole time, keeps the reports it could not deliver (its outcomes, in the
// outbox on disk, across a reboot in the middle of the week), backs off (up to an hour between
// attempts) instead of hammering the server, and when the link returns delivers every report
// exactly once, even though the answer to its first check-in back is lost on the way.
#include "agent/agent.h"
#include "agent/durable_file.h"
#include "agent_fixture.h"
#include "support/dropping_tcp_proxy.h"

namespace tinymlops::agent {
namespace {

constexpr int64_t kWeek = 7 * 24 * 3600;

class OfflineWeekTest : public AgentFixture {
 protected:
  AgentOptions Options(const DeviceClient* client) {
    AgentOptions options;
    options.data_folder = data_;
    options.trusted_vendors = {vendor_.public_key()};
    options.client = client;
    options.start_guard = false;
    // The device's clock and the server's move together (signed requests carry the time).
    options.now = [this] { return Now(); };
    return options;
  }
};

TEST_P(OfflineWeekTest, KeepsServingAndDeliversItsReportsOnceWhenTheLinkReturns) {
  Upload("1.0.0", 1);
  ASSERT_TRUE(WriteFileDurably(data_ + "/identity/device_id", identity_.device_id).ok());
  test_support::DroppingTcpProxy link(port_, /*drop_after_bytes=*/1, /*drop_connections=*/0);
  auto through_link = DeviceClient::Create("http://127.0.0.1:" + std::to_string(link.port()));
  auto unreachable = DeviceClient::Create("http://127.0.0.1:1");
  ASSERT_TRUE(through_link.ok() && unreachable.ok());
  // The agent's client is swapped to model the link going down and coming back.
  DeviceClient client = *through_link;
  auto started = Agent::Start(Options(&client));
  ASSERT_TRUE(started.ok()) << started.status().message();
  std::unique_ptr<Agent> agent = std::move(*started);
  auto created = Call("POST", "/v1/projects/acme/deployments", deployer_,
                      nlohmann::json{{"model", "digits"}, {"version", "1.0.0"}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string deployment = Json(created).value("id", "");
  agent->CheckIn();  // desired 1.0.0: downloaded, installed, serving
  ASSERT_EQ(Serve(agent->loader()), Expected(1));
  const std::vector<OutcomeEvent> undelivered = agent->outbox().Pending();
  ASSERT_EQ(undelivered.size(), 2u);  // downloaded, installed

  // The link goes down for a week; the device reboots once in the middle of it.
  client = *unreachable;
  const int64_t cut_at = Now();
  int attempts = 0;
  while (Now() - cut_at < kWeek) {
    const int64_t delay = agent->CheckIn();
    ++attempts;
    EXPECT_FALSE(agent->last_error().empty());
    ASSERT_EQ(Serve(agent->loader()), Expected(1)) << "after " << Now() - cut_at << " s offline";
    clock_offset_ += delay;
    if (attempts == 20) {
      agent.reset();  // a reboot: the reports must survive it on disk
      auto restarted = Agent::Start(Options(&client));
      ASSERT_TRUE(restarted.ok()) << restarted.status().message();
      agent = std::move(*restarted);
      ASSERT_EQ(Serve(agent->loader()), Expected(1));
    }
  }
  // Backed off: the delay doubles from the server's hint up to an hour (+-10% jitter), so a
  // week costs about 170 attempts, and 2 ramps (at the cut and after the reboot), not the
  // 10,080 of the 60 s hint.
  EXPECT_LE(attempts, 7 * 24 * 10 / 9 + 2 * 7);
  ASSERT_EQ(agent->outbox().Pending().size(), undelivered.size());
  for (size_t i = 0; i < undelivered.size(); ++i)
    EXPECT_EQ(agent->outbox().Pending()[i].sequence, undelivered[i].sequence);
  EXPECT_EQ(Json(Call("GET", "/v1/projects/acme/deployments/" + deployment, deployer_))
                .value("state", ""),
            "rolling_out")
      << "the server has heard nothing yet";

  // The link returns, and the answer of the first check-in back is lost.
  client = *through_link;
  link.DropNext(1);
  agent->CheckIn();
  EXPECT_FALSE(agent->last_error().empty());
  agent->CheckIn();
  EXPECT_EQ(agent->last_error(), "");
  EXPECT_TRUE(agent->outbox().Pending().empty());
  const auto status = Json(Call("GET", "/v1/projects/acme/deployments/" + deployment, deployer_));
  EXPECT_EQ(status.value("state", ""), "completed");
  EXPECT_EQ(status["counts"].value("installed", -1), 1) << status.dump();
  EXPECT_EQ(status["counts"].value("targeted", -1), 1) << "nothing doubled: " << status.dump();
  // One more check-in sends nothing again.
  agent->CheckIn();
  EXPECT_EQ(agent->last_error(), "");
  EXPECT_TRUE(agent->outbox().Pending().empty());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, OfflineWeekTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tinymlops::agent
