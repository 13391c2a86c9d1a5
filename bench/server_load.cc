// server_load: requests per second of a tinymlops-server on this machine, for three kinds of
// request: GET /healthz (HTTP only), an operator read (token lookup + a store read) and a
// signed device report (Ed25519 verify, nonce insert, two updates: a write transaction). The
// server (2 threads) runs in this process over a fresh store; clients are `--clients` threads,
// each sending `--requests` requests on a new connection each (tests/support's client), so the
// figures include connection setup. Bounded: it stops after clients x requests per kind.
//   server_load [--store postgresql://...] [--clients 4] [--requests 300]
// Without --store it uses an SQLite file in a temporary folder.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "crypto/signing_key.h"
#include "server/api/control_plane.h"
#include "server/api/http_server.h"
#include "server/auth/device_request_signature.h"
#include "server/auth/opaque_token.h"
#include "server/auth/operator_token.h"
#include "server/client/api_client.h"
#include "server/store/store.h"

using namespace tinymlops;
using namespace tinymlops::server;

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

// Runs `call` clients x requests times from `clients` threads; returns requests per second, or
// -1 if any answer had another status than `expected`.
double Measure(int clients, int requests, int expected, const std::function<int(int)>& call) {
  std::atomic<int> wrong{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int i = 0; i < requests; ++i) {
        if (call(c * requests + i) != expected) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  return wrong.load() ? -1 : clients * requests / seconds.count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string location;
  int clients = 4, requests = 300;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--store") location = argv[i + 1];
    else if (flag == "--clients") clients = std::atoi(argv[i + 1]);
    else if (flag == "--requests") requests = std::atoi(argv[i + 1]);
    else return Fail("unknown flag " + flag + "; see the comment at the top of server_load.cc");
  }
  const auto folder = std::filesystem::temp_directory_path() / ("tinymlops_load_" + NewRecordId(""));
  std::filesystem::create_directories(folder);
  if (location.empty()) location = (folder / "store.sqlite").string();
  auto store = OpenStore(location);
  if (!store.ok()) return Fail(store.status().message());
  std::string admin;
  {
    auto tx = (*store)->Begin();
    auto token = CreateOperatorToken(**tx, "", Role::kAdmin, "load");
    if (!token.ok() || !(*tx)->Commit().ok()) return Fail("cannot create a token");
    admin = token->token;
  }
  ControlPlane plane(**store, (folder / "artifacts").string());
  HttpServerOptions options;
  options.port = 0;
  options.threads = 2;
  auto server = HttpServer::Start(options, [&plane](HttpRequest& r) { return plane.Handle(r); });
  if (!server.ok()) return Fail(server.status().message());
  const std::string url = "http://127.0.0.1:" + std::to_string((*server)->port());
  const std::map<std::string, std::string> bearer = {{"Authorization", "Bearer " + admin}};
  auto call = [&](const std::string& method, const std::string& target, const std::string& body,
                  const std::map<std::string, std::string>& headers) {
    auto response = CallApi(url, method, target, body, headers);
    return response.ok() ? response->status : 0;
  };
  const std::string project = "load" + NewRecordId("").substr(0, 6);
  call("POST", "/v1/projects", nlohmann::json{{"name", project}}.dump(), bearer);
  auto enrollment = CallApi(url, "POST", "/v1/projects/" + project + "/enrollment-tokens", "",
                            bearer);
  auto key = crypto::SigningKeyPair::Generate();
  if (!enrollment.ok() || !key.ok()) return Fail("cannot set up the project");
  const auto& pk = key->public_key().bytes();
  auto device = CallApi(url, "POST", "/v1/enroll", nlohmann::json{
      {"token", nlohmann::json::parse(enrollment->body)["token"]},
      {"public_key", ToHex(pk.data(), pk.size())}}.dump());
  if (!device.ok() || device->status != 201) return Fail("cannot enroll the device");
  const std::string device_id = nlohmann::json::parse(device->body)["id"];
  const std::string report =
      R"({"context": {"battery_percent": 80, "charging": true, "network": "wifi"}})";

  struct Kind {
    const char* name;
    int expected;
    std::function<int(int)> call;
  } kinds[] = {
      {"GET /healthz", 200, [&](int) { return call("GET", "/healthz", "", {}); }},
      {"GET /v1/projects/P/devices (operator token)", 200,
       [&](int) { return call("GET", "/v1/projects/" + project + "/devices", "", bearer); }},
      {"POST /v1/device/report (signed, writes)", 200,
       [&](int i) {
         const auto headers = SignDeviceRequest(*key, device_id, "POST", "/v1/device/report",
                                                static_cast<int64_t>(std::time(nullptr)),
                                                "nonce-" + std::to_string(i) + "-" +
                                                    NewRecordId(""),
                                                report);
         return call("POST", "/v1/device/report", report, headers);
       }},
  };
  std::printf("store %s, server 2 threads, %d clients x %d requests (new connection each)\n",
              (*store)->backend(), clients, requests);
  for (const Kind& kind : kinds) {
    const double rate = Measure(clients, requests, kind.expected, kind.call);
    if (rate < 0) return Fail(std::string("unexpected answers to ") + kind.name);
    std::printf("  %-46s %8.0f requests/s\n", kind.name, rate);
  }
  (*server)->Stop();
  std::filesystem::remove_all(folder);
  return 0;
}
