// ServerFixture: a real tinymlops control plane on a loopback port for the API tests, over a
// fresh store of the test's backend (sqlite or postgresql, test_support::TestDatabase) and a
// temporary artifacts folder; requests go through real HTTP (support/http_client.h). The
// server's clock is the real clock plus `clock_offset` seconds, so tests can move time forward.
#ifndef TINYMLOPS_TESTS_SERVER_API_SERVER_FIXTURE_H_
#define TINYMLOPS_TESTS_SERVER_API_SERVER_FIXTURE_H_

#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "crypto/signing_key.h"
#include "server/api/control_plane.h"
#include "server/api/http_server.h"
#include "server/auth/device_request_signature.h"
#include "server/auth/device_session.h"
#include "server/auth/opaque_token.h"
#include "server/auth/operator_token.h"
#include "server/store/store.h"
#include "support/http_client.h"
#include "support/test_databases.h"

namespace tinymlops::server {

class ServerFixture : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    database_ = test_support::TestDatabase::Create(GetParam(), &skip);
    if (!database_) GTEST_SKIP() << skip;
    artifacts_ = std::filesystem::temp_directory_path() /
                 ("tinymlops_artifacts_" + NewRecordId(""));
    auto store = OpenStore(database_->location());
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    auto tx = store_->Begin();
    ASSERT_TRUE(tx.ok());
    auto token = BootstrapAdminToken(**tx);
    ASSERT_TRUE(token.ok() && !token->empty());
    ASSERT_TRUE((*tx)->Commit().ok());
    admin_ = *token;
    port_ = StartServer(*store_, &plane_, &server_);
  }

  void TearDown() override {
    if (server_) server_->Stop();
    std::error_code ignored;
    if (!artifacts_.empty()) std::filesystem::remove_all(artifacts_, ignored);
  }

  // Starts another server process's worth of state (own store connection, own plane).
  uint16_t StartServer(Store& store, std::unique_ptr<ControlPlane>* plane,
                       std::unique_ptr<HttpServer>* server, uint64_t max_body = 64 << 20) {
    *plane = std::make_unique<ControlPlane>(store, artifacts_.string(), [this] {
      return static_cast<int64_t>(std::time(nullptr)) + clock_offset_.load();
    });
    HttpServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.max_body_bytes = max_body;
    ControlPlane* raw = plane->get();
    auto started = HttpServer::Start(options, [raw](HttpRequest& r) { return raw->Handle(r); });
    EXPECT_TRUE(started.ok()) << started.status().message();
    if (!started.ok()) return 0;
    *server = std::move(*started);
    return (*server)->port();
  }

  test_support::ClientResponse Call(const std::string& method, const std::string& target,
                                    const std::string& token = "", const std::string& body = "",
                                    std::map<std::string, std::string> headers = {}) {
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return test_support::HttpCall(port_, method, target, body, headers);
  }

  static nlohmann::json Json(const test_support::ClientResponse& r) {
    return nlohmann::json::parse(r.body, nullptr, false);
  }

  // Creates a project and a token of it with `role`; returns the token.
  std::string ProjectToken(const std::string& project, const std::string& role) {
    Call("POST", "/v1/projects", admin_, nlohmann::json{{"name", project}}.dump());
    auto r = Call("POST", "/v1/projects/" + project + "/tokens", admin_,
                  nlohmann::json{{"name", role + "-token"}, {"role", role}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Json(r).value("token", "");
  }

  struct Device {
    crypto::SigningKeyPair key;
    std::string id;
  };

  // Enrolls a new device into `project` (with a fresh enrollment token made by `deployer`).
  Device EnrollDevice(const std::string& project, const std::string& deployer) {
    Device device;
    auto key = crypto::SigningKeyPair::Generate();
    EXPECT_TRUE(key.ok());
    device.key = std::move(*key);
    auto token = Call("POST", "/v1/projects/" + project + "/enrollment-tokens", deployer);
    EXPECT_EQ(token.status, 201) << token.body;
    auto enrolled = Call("POST", "/v1/enroll", "", EnrollBody(Json(token)["token"], device.key));
    EXPECT_EQ(enrolled.status, 201) << enrolled.body;
    device.id = Json(enrolled).value("id", "");
    return device;
  }

  static std::string EnrollBody(const std::string& token, const crypto::SigningKeyPair& key) {
    const auto& pk = key.public_key().bytes();
    return nlohmann::json{{"token", token},
                          {"public_key", ToHex(pk.data(), pk.size())},
                          {"name", "sensor"},
                          {"profile", {{"architecture", "armv7"}, {"ram_bytes", 524288}}}}
        .dump();
  }

  static std::string NewNonce() { return NewRecordId("n-") + NewRecordId(""); }

  int64_t Now() const { return static_cast<int64_t>(std::time(nullptr)) + clock_offset_.load(); }

  // A request signed by `device` now, with a fresh nonce.
  test_support::ClientResponse DeviceCall(const Device& device, const std::string& method,
                                          const std::string& target, const std::string& body = "",
                                          std::map<std::string, std::string> extra = {}) {
    auto headers = SignDeviceRequest(device.key, device.id, method, target, Now(), NewNonce(), body);
    headers.insert(extra.begin(), extra.end());
    return test_support::HttpCall(port_, method, target, body, headers);
  }

  struct Session {
    std::string id;
    DeviceSessionKey key;
    int64_t counter = 0;  // the last one used
    int64_t expires_unix = 0;
  };

  // Opens a session for `device` with one signed request (to `port`, or the fixture's server).
  Session OpenSession(const Device& device, uint16_t port = 0) {
    const auto headers = SignDeviceRequest(device.key, device.id, "POST", "/v1/device/session",
                                           Now(), NewNonce(), "");
    auto opened = test_support::HttpCall(port ? port : port_, "POST", "/v1/device/session", "",
                                         headers);
    EXPECT_EQ(opened.status, 200) << opened.body;
    EXPECT_EQ(opened.headers["cache-control"], "no-store");
    Session session;
    const auto json = Json(opened);
    session.id = json.value("session", "");
    session.counter = json.value("counter", int64_t{-1});
    session.expires_unix = json.value("expires_unix", int64_t{0});
    auto key = DeviceSessionKeyFromHex(json.value("key", ""));
    EXPECT_TRUE(key.ok()) << opened.body;
    if (key.ok()) session.key = std::move(*key);
    return session;
  }

  // The headers of a request MACed under `session` now (plus `skew` seconds).
  std::map<std::string, std::string> Mac(const Session& session, const std::string& device_id,
                                         const std::string& method, const std::string& target,
                                         int64_t counter, const std::string& body = "",
                                         int64_t skew = 0) {
    return MacDeviceRequest(session.key, session.id, device_id, method, target, Now() + skew,
                            counter, body);
  }

  std::unique_ptr<test_support::TestDatabase> database_;
  std::filesystem::path artifacts_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ControlPlane> plane_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<int64_t> clock_offset_{0};
  std::string admin_;
  uint16_t port_ = 0;
};

}  // namespace tinymlops::server

#endif  // TINYMLOPS_TESTS_SERVER_API_SERVER_FIXTURE_H_
