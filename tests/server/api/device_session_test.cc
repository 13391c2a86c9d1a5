// Device sessions: one signed request opens a session; requests MACed under its key are
// accepted by the process that opened it; a bad MAC, an expired session, another device's
// session, a replayed counter, a timestamp outside the window, and a session of another process
// or of a process before its restart are refused (401), over real HTTP against both backends.
#include <gtest/gtest.h>

#include "server/auth/device_session.h"
#include "server_fixture.h"

namespace tinymlops::server {
namespace {

class DeviceSessionTest : public ServerFixture {
 protected:
  test_support::ClientResponse Send(const std::map<std::string, std::string>& headers,
                                    const std::string& method, const std::string& target,
                                    const std::string& body = "", uint16_t port = 0) {
    return test_support::HttpCall(port ? port : port_, method, target, body, headers);
  }

  static std::string Error(const test_support::ClientResponse& r) {
    return Json(r).value("error", "");
  }
};

TEST_P(DeviceSessionTest, SessionMacsAuthenticateDeviceRequests) {
  const std::string deployer = ProjectToken("acme", "deployer");
  Device device = EnrollDevice("acme", deployer);
  Session session = OpenSession(device);
  ASSERT_FALSE(session.id.empty());
  EXPECT_EQ(session.counter, 0);
  EXPECT_NEAR(session.expires_unix, Now() + kDeviceSessionSeconds, 2);
  auto self = Send(Mac(session, device.id, "GET", "/v1/device/self", 1), "GET", "/v1/device/self");
  ASSERT_EQ(self.status, 200) << self.body;
  EXPECT_EQ(Json(self)["id"], device.id);
  const std::string report = R"({"context": {"battery_percent": 33, "network": "wifi"}})";
  auto reported = Send(Mac(session, device.id, "POST", "/v1/device/report", 2, report), "POST",
                       "/v1/device/report", report);
  ASSERT_EQ(reported.status, 200) << reported.body;
  EXPECT_EQ(Json(reported)["context"]["battery_percent"], 33);
  // Counters may skip; a new session has counters of its own, and the old one stays good.
  EXPECT_EQ(Send(Mac(session, device.id, "GET", "/v1/device/self", 10), "GET", "/v1/device/self")
                .status,
            200);
  Session next = OpenSession(device);
  EXPECT_EQ(next.counter, 0);
  EXPECT_NE(next.id, session.id);
  EXPECT_EQ(Send(Mac(next, device.id, "GET", "/v1/device/self", 1), "GET", "/v1/device/self")
                .status,
            200);
  EXPECT_EQ(Send(Mac(session, device.id, "GET", "/v1/device/self", 11), "GET", "/v1/device/self")
                .status,
            200);
  EXPECT_EQ(Send(Mac(session, device.id, "GET", "/v1/device/self", 11), "GET", "/v1/device/self")
                .status,
            401);
  // A session does not open another session: that takes the identity key.
  auto renewed = Send(Mac(next, device.id, "POST", "/v1/device/session", 12), "POST",
                      "/v1/device/session");
  EXPECT_EQ(renewed.status, 401);
  EXPECT_NE(Error(renewed).find("signed request"), std::string::npos);
}

TEST_P(DeviceSessionTest, BadMacsAndForeignSessionsAreRefused) {
  const std::string deployer = ProjectToken("acme", "deployer");
  Device device = EnrollDevice("acme", deployer);
  Device other = EnrollDevice("acme", deployer);
  Session session = OpenSession(device);
  Session others = OpenSession(other);
  // A MAC under a wrong key.
  Session forged{session.id, std::move(*DeviceSessionKeyFromHex(std::string(64, '7'))), 0, 0};
  auto bad = Send(Mac(forged, device.id, "GET", "/v1/device/self", 1), "GET", "/v1/device/self");
  EXPECT_EQ(bad.status, 401);
  EXPECT_NE(Error(bad).find("MAC"), std::string::npos);
  // A valid MAC over another body.
  const std::string body = R"({"context": {"battery_percent": 50}})";
  auto altered = Send(Mac(session, device.id, "POST", "/v1/device/report", 2, body), "POST",
                      "/v1/device/report", R"({"context": {"battery_percent": 5}})");
  EXPECT_EQ(altered.status, 401);
  // Another device's session, under this device's id.
  auto foreign = Send(Mac(others, device.id, "GET", "/v1/device/self", 3), "GET",
                      "/v1/device/self");
  EXPECT_EQ(foreign.status, 401);
  EXPECT_NE(Error(foreign).find("another device"), std::string::npos);
  // Another device's session id with this device's key: the key is the session's.
  Session borrowed{others.id, std::move(*DeviceSessionKeyFromHex(ToHex(session.key.data(), 32))),
                   0, 0};
  EXPECT_EQ(Send(Mac(borrowed, other.id, "GET", "/v1/device/self", 4), "GET", "/v1/device/self")
                .status,
            401);
  // A made-up session id, and a malformed MAC header.
  auto headers = Mac(session, device.id, "GET", "/v1/device/self", 5);
  headers["X-Tinymlops-Session"] = "tms2." + device.id + ".99999999999.nothex";
  EXPECT_EQ(Send(headers, "GET", "/v1/device/self").status, 401);
  // A well-formed id this process never opened (as after a restart).
  headers = Mac(session, device.id, "GET", "/v1/device/self", 5);
  headers["X-Tinymlops-Session"] = "tms2." + device.id + ".99999999999." + std::string(16, 'a') +
                                   "." + std::string(32, 'b');
  auto unknown = Send(headers, "GET", "/v1/device/self");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_NE(Error(unknown).find("another server process"), std::string::npos);
  headers = Mac(session, device.id, "GET", "/v1/device/self", 5);
  headers["X-Tinymlops-Mac"] = "zz";
  EXPECT_EQ(Send(headers, "GET", "/v1/device/self").status, 401);
  // None of the refused requests used up a counter.
  EXPECT_EQ(Send(Mac(session, device.id, "GET", "/v1/device/self", 1), "GET", "/v1/device/self")
                .status,
            200);
}

TEST_P(DeviceSessionTest, ExpiredSessionsAreRefused) {
  const std::string deployer = ProjectToken("acme", "deployer");
  Device device = EnrollDevice("acme", deployer);
  Session session = OpenSession(device);
  clock_offset_ = kDeviceSessionSeconds;
  auto expired = Send(Mac(session, device.id, "GET", "/v1/device/self", 1), "GET",
                      "/v1/device/self");
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(Error(expired).find("expired"), std::string::npos);
  Session renewed = OpenSession(device);
  EXPECT_EQ(Send(Mac(renewed, device.id, "GET", "/v1/device/self", 1), "GET", "/v1/device/self")
                .status,
            200);
}

TEST_P(DeviceSessionTest, ASessionIsGoodOnlyWithTheProcessThatOpenedIt) {
  const std::string deployer = ProjectToken("acme", "deployer");
  Device device = EnrollDevice("acme", deployer);
  auto other_store = OpenStore(database_->location());
  ASSERT_TRUE(other_store.ok());
  std::unique_ptr<ControlPlane> plane;
  std::unique_ptr<HttpServer> other;
  const uint16_t other_port = StartServer(**other_store, &plane, &other);
  Session session = OpenSession(device, other_port);
  const auto first = Mac(session, device.id, "GET", "/v1/device/self", 5);
  EXPECT_EQ(Send(first, "GET", "/v1/device/self", "", other_port).status, 200);
  // A replay to the same process is refused by its counter, to another by the session.
  auto replay = Send(first, "GET", "/v1/device/self", "", other_port);
  EXPECT_EQ(replay.status, 401);
  EXPECT_NE(Error(replay).find("replayed"), std::string::npos);
  auto elsewhere = Send(first, "GET", "/v1/device/self");
  EXPECT_EQ(elsewhere.status, 401);
  EXPECT_NE(Error(elsewhere).find("another server process"), std::string::npos);
  EXPECT_EQ(Send(Mac(session, device.id, "GET", "/v1/device/self", 6), "GET", "/v1/device/self")
                .status,
            401);
  // A smaller counter is refused; a larger one is accepted.
  EXPECT_EQ(Send(Mac(session, device.id, "GET", "/v1/device/self", 4), "GET", "/v1/device/self",
                 "", other_port)
                .status,
            401);
  EXPECT_EQ(Send(Mac(session, device.id, "GET", "/v1/device/self", 6), "GET", "/v1/device/self",
                 "", other_port)
                .status,
            200);
  // A restarted process knows none of its earlier sessions.
  other->Stop();
  other.reset();
  plane.reset();
  const uint16_t restarted = StartServer(**other_store, &plane, &other);
  auto after_restart = Send(Mac(session, device.id, "GET", "/v1/device/self", 7), "GET",
                            "/v1/device/self", "", restarted);
  EXPECT_EQ(after_restart.status, 401);
  EXPECT_NE(Error(after_restart).find("another server process"), std::string::npos);
}

TEST_P(DeviceSessionTest, StaleTimestampsAreRefused) {
  const std::string deployer = ProjectToken("acme", "deployer");
  Device device = EnrollDevice("acme", deployer);
  Session session = OpenSession(device);
  for (int64_t skew : {-kDeviceRequestWindowSeconds - 5, kDeviceRequestWindowSeconds + 5}) {
    auto stale = Send(Mac(session, device.id, "GET", "/v1/device/self", 7, "", skew), "GET",
                      "/v1/device/self");
    EXPECT_EQ(stale.status, 401) << skew;
    EXPECT_NE(Error(stale).find("clock"), std::string::npos);
  }
  EXPECT_EQ(Send(Mac(session, device.id, "GET", "/v1/device/self", 7), "GET", "/v1/device/self")
                .status,
            200);
}

// Session requests write their time behind them: the operators' view has it once written.
TEST_P(DeviceSessionTest, SessionRequestsUpdateLastSeen) {
  const std::string deployer = ProjectToken("acme", "deployer");
  Device device = EnrollDevice("acme", deployer);
  Session session = OpenSession(device);
  clock_offset_ = 100;  // still inside the session
  EXPECT_EQ(Send(Mac(session, device.id, "GET", "/v1/device/self", 1), "GET", "/v1/device/self")
                .status,
            200);
  ASSERT_TRUE(plane_->FlushLastSeen().ok());
  auto view = Json(Call("GET", "/v1/projects/acme/devices/" + device.id, deployer));
  EXPECT_GE(view["last_seen_unix"].get<int64_t>(), Now() - 1) << view.dump();
}

INSTANTIATE_TEST_SUITE_P(Backends, DeviceSessionTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tinymlops::server
