// Devices: enrollment with single-use, expiring tokens, signed requests with replay
// protection, reports, and the operators' view, over real HTTP against both backends.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "server_fixture.h"

namespace tinymlops::server {
namespace {

using DeviceApiTest = ServerFixture;

TEST_P(DeviceApiTest, EnrolledDeviceAuthenticatesSignedRequests) {
  const std::string deployer = ProjectToken("acme", "deployer");
  Device device = EnrollDevice("acme", deployer);
  ASSERT_FALSE(device.id.empty());
  auto self = DeviceCall(device, "GET", "/v1/device/self");
  ASSERT_EQ(self.status, 200) << self.body;
  EXPECT_EQ(Json(self)["id"], device.id);
  EXPECT_EQ(Json(self)["project"], "acme");
  EXPECT_EQ(Json(self)["profile"]["architecture"], "armv7");
  EXPECT_EQ(Json(self)["key_id"], device.key.public_key().key_id());
}

TEST_P(DeviceApiTest, EnrollmentTokensAreSingleUse) {
  const std::string deployer = ProjectToken("acme", "deployer");
  auto token = Json(Call("POST", "/v1/projects/acme/enrollment-tokens", deployer))["token"];
  auto first = crypto::SigningKeyPair::Generate();
  auto second = crypto::SigningKeyPair::Generate();
  ASSERT_EQ(Call("POST", "/v1/enroll", "", EnrollBody(token, *first)).status, 201);
  auto reused = Call("POST", "/v1/enroll", "", EnrollBody(token, *second));
  EXPECT_EQ(reused.status, 401);
  EXPECT_NE(Json(reused)["error"].get<std::string>().find("already used"), std::string::npos);
  EXPECT_EQ(Call("POST", "/v1/enroll", "", EnrollBody("tme_made-up", *second)).status, 401);
  auto empty = Call("POST", "/v1/enroll", "", EnrollBody("", *second));
  EXPECT_EQ(empty.status, 400);
  EXPECT_NE(Json(empty)["error"].get<std::string>().find("'token' must not be empty"),
            std::string::npos);
  // An identity key enrolls once.
  auto again = Json(Call("POST", "/v1/projects/acme/enrollment-tokens", deployer))["token"];
  EXPECT_EQ(Call("POST", "/v1/enroll", "", EnrollBody(again, *first)).status, 400);
}

// A device whose enrollment answer was lost on the way retries with the same token and key and
// gets the same device back; the token still serves no other key.
TEST_P(DeviceApiTest, ARetriedEnrollmentGetsTheSameDevice) {
  const std::string deployer = ProjectToken("acme", "deployer");
  auto token = Json(Call("POST", "/v1/projects/acme/enrollment-tokens", deployer,
                         R"({"ttl_seconds": 60})"))["token"];
  auto key = crypto::SigningKeyPair::Generate();
  auto first = Call("POST", "/v1/enroll", "", EnrollBody(token, *key));
  ASSERT_EQ(first.status, 201);
  auto retried = Call("POST", "/v1/enroll", "", EnrollBody(token, *key));
  ASSERT_EQ(retried.status, 201);
  EXPECT_EQ(Json(retried)["id"], Json(first)["id"]);
  EXPECT_EQ(Json(Call("GET", "/v1/projects/acme/devices", deployer))["devices"].size(), 1u);
  EXPECT_EQ(Call("POST", "/v1/enroll", "", EnrollBody(token, *crypto::SigningKeyPair::Generate()))
                .status,
            401);
  clock_offset_ = 61;  // not once the token has expired
  EXPECT_EQ(Call("POST", "/v1/enroll", "", EnrollBody(token, *key)).status, 401);
}

// Of concurrent enrollments with one token, through two server processes, exactly one wins.
TEST_P(DeviceApiTest, ConcurrentEnrollmentsWithOneTokenEnrollOneDevice) {
  const std::string deployer = ProjectToken("acme", "deployer");
  auto other_store = OpenStore(database_->location());
  ASSERT_TRUE(other_store.ok());
  std::unique_ptr<ControlPlane> plane;
  std::unique_ptr<HttpServer> other;
  const uint16_t ports[] = {port_, StartServer(**other_store, &plane, &other)};
  for (int round = 0; round < 3; ++round) {
    const std::string token =
        Json(Call("POST", "/v1/projects/acme/enrollment-tokens", deployer))["token"];
    std::vector<std::string> bodies;
    for (int i = 0; i < 6; ++i) bodies.push_back(EnrollBody(token, *crypto::SigningKeyPair::Generate()));
    std::atomic<int> enrolled{0}, refused{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 6; ++i) {
      threads.emplace_back([&, i] {
        const int status = test_support::HttpCall(ports[i % 2], "POST", "/v1/enroll", bodies[i]).status;
        if (status == 201) ++enrolled;
        if (status == 401) ++refused;
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(enrolled.load(), 1) << "round " << round;
    EXPECT_EQ(refused.load(), 5) << "round " << round;
  }
  EXPECT_EQ(Json(Call("GET", "/v1/projects/acme/devices", deployer))["devices"].size(), 3u);
  other->Stop();
}

TEST_P(DeviceApiTest, EnrollmentTokensExpire) {
  const std::string deployer = ProjectToken("acme", "deployer");
  auto token = Json(Call("POST", "/v1/projects/acme/enrollment-tokens", deployer,
                         R"({"ttl_seconds": 60})"))["token"];
  clock_offset_ = 61;
  auto key = crypto::SigningKeyPair::Generate();
  auto expired = Call("POST", "/v1/enroll", "", EnrollBody(token, *key));
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(Json(expired)["error"].get<std::string>().find("expired"), std::string::npos);
}

TEST_P(DeviceApiTest, BadOrMissingSignaturesAreRefused) {
  const std::string deployer = ProjectToken("acme", "deployer");
  Device device = EnrollDevice("acme", deployer);
  // No signature headers at all.
  EXPECT_EQ(test_support::HttpCall(port_, "GET", "/v1/device/self").status, 401);
  // Signed by another key under this device's id.
  Device impostor{std::move(*crypto::SigningKeyPair::Generate()), device.id};
  auto forged = DeviceCall(impostor, "GET", "/v1/device/self");
  EXPECT_EQ(forged.status, 401);
  EXPECT_NE(Json(forged)["error"].get<std::string>().find("signature"), std::string::npos);
  // A valid signature over another body: the body was altered in transit.
  const std::string body = R"({"context": {"battery_percent": 50}})";
  auto headers = SignDeviceRequest(device.key, device.id, "POST", "/v1/device/report", Now(),
                                   NewNonce(), body);
  EXPECT_EQ(test_support::HttpCall(port_, "POST", "/v1/device/report",
                                   R"({"context": {"battery_percent": 5}})", headers)
                .status,
            401);
  // Signed for another path.
  headers = SignDeviceRequest(device.key, device.id, "GET", "/v1/device/other", Now(), NewNonce(),
                              "");
  EXPECT_EQ(test_support::HttpCall(port_, "GET", "/v1/device/self", "", headers).status, 401);
  // Malformed signature header.
  headers = SignDeviceRequest(device.key, device.id, "GET", "/v1/device/self", Now(), NewNonce(),
                              "");
  headers["X-Tinymlops-Signature"] = "zz";
  EXPECT_EQ(test_support::HttpCall(port_, "GET", "/v1/device/self", "", headers).status, 401);
  // An unknown device.
  Device stranger{std::move(*crypto::SigningKeyPair::Generate()), "dev_0000000000000000"};
  EXPECT_EQ(DeviceCall(stranger, "GET", "/v1/device/self").status, 401);
}

TEST_P(DeviceApiTest, ReplaysAndStaleTimestampsAreRefused) {
  const std::string deployer = ProjectToken("acme", "deployer");
  Device device = EnrollDevice("acme", deployer);
  const auto headers = SignDeviceRequest(device.key, device.id, "GET", "/v1/device/self", Now(),
                                         NewNonce(), "");
  EXPECT_EQ(test_support::HttpCall(port_, "GET", "/v1/device/self", "", headers).status, 200);
  auto replay = test_support::HttpCall(port_, "GET", "/v1/device/self", "", headers);
  EXPECT_EQ(replay.status, 401);
  EXPECT_NE(Json(replay)["error"].get<std::string>().find("replay"), std::string::npos);
  // Another server process sharing the store refuses it too.
  auto other_store = OpenStore(database_->location());
  ASSERT_TRUE(other_store.ok());
  std::unique_ptr<ControlPlane> plane;
  std::unique_ptr<HttpServer> other;
  const uint16_t other_port = StartServer(**other_store, &plane, &other);
  EXPECT_EQ(test_support::HttpCall(other_port, "GET", "/v1/device/self", "", headers).status, 401);
  other->Stop();
  // Timestamps beyond the window, either way.
  for (int64_t skew : {-kDeviceRequestWindowSeconds - 5, kDeviceRequestWindowSeconds + 5}) {
    auto stale = SignDeviceRequest(device.key, device.id, "GET", "/v1/device/self", Now() + skew,
                                   NewNonce(), "");
    auto refused = test_support::HttpCall(port_, "GET", "/v1/device/self", "", stale);
    EXPECT_EQ(refused.status, 401) << skew;
    EXPECT_NE(Json(refused)["error"].get<std::string>().find("clock"), std::string::npos);
  }
}

TEST_P(DeviceApiTest, ReportsReachTheOperatorsViewOfTheFleet) {
  const std::string deployer = ProjectToken("acme", "deployer");
  Device device = EnrollDevice("acme", deployer);
  const std::string report = R"({
    "profile": {"architecture": "aarch64", "ram_bytes": 1073741824, "storage_bytes": 8000000000,
                "ops": ["Conv", "Relu"], "runtime_version": "0.1.0"},
    "context": {"battery_percent": 42.5, "charging": false, "network": "cellular"},
    "health": {"status": "ok", "errors": 0},
    "installed": {"a": {"model": "digits", "version": "1.0.0", "variant": "int8"}}})";
  auto reported = DeviceCall(device, "POST", "/v1/device/report", report);
  ASSERT_EQ(reported.status, 200) << reported.body;
  auto seen = Call("GET", "/v1/projects/acme/devices/" + device.id, deployer);
  ASSERT_EQ(seen.status, 200) << seen.body;
  const auto d = Json(seen);
  EXPECT_EQ(d["profile"]["architecture"], "aarch64");
  EXPECT_EQ(d["profile"]["ops"], nlohmann::json::array({"Conv", "Relu"}));
  EXPECT_EQ(d["context"]["battery_percent"], 42.5);
  EXPECT_EQ(d["context"]["network"], "cellular");
  EXPECT_EQ(d["installed"]["a"]["variant"], "int8");
  EXPECT_EQ(d["health"]["status"], "ok");
  EXPECT_GE(d["last_seen_unix"].get<int64_t>(), d["enrolled_unix"].get<int64_t>());
  // Tags by an operator.
  auto tagged = Call("PUT", "/v1/projects/acme/devices/" + device.id + "/tags", deployer,
                     R"({"tags": ["field", "eu-west"]})");
  ASSERT_EQ(tagged.status, 200) << tagged.body;
  auto list = Json(Call("GET", "/v1/projects/acme/devices", deployer))["devices"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["tags"], nlohmann::json::array({"field", "eu-west"}));
  // A malformed report is refused and changes nothing.
  auto bad = DeviceCall(device, "POST", "/v1/device/report",
                        R"({"context": {"battery_percent": 150}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Json(Call("GET", "/v1/projects/acme/devices/" + device.id, deployer))["context"]
                ["battery_percent"],
            42.5);
}

TEST_P(DeviceApiTest, DevicesOfOneProjectAreInvisibleToAnother) {
  const std::string a = ProjectToken("alpha", "admin");
  const std::string b = ProjectToken("beta", "admin");
  Device device = EnrollDevice("beta", b);
  EXPECT_EQ(Call("GET", "/v1/projects/alpha/devices/" + device.id, a).status, 404);
  EXPECT_EQ(Call("GET", "/v1/projects/beta/devices/" + device.id, a).status, 404);
  EXPECT_EQ(Call("PUT", "/v1/projects/alpha/devices/" + device.id + "/tags", a,
                 R"({"tags": ["stolen"]})")
                .status,
            404);
  EXPECT_TRUE(Json(Call("GET", "/v1/projects/alpha/devices", a))["devices"].empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, DeviceApiTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tinymlops::server
