// rollout_checkin: what a device check-in (POST /v1/device/checkin) costs on this machine, and
// whether it grows with the size of the deployment. For each fleet size it makes a fresh store
// with one project, one uploaded variant and that many enrolled devices, creates an all-at-once
// deployment of them, and then, calling the control plane in process (no HTTP, one caller),
// measures requests per second of
//   - POST /v1/device/report (the peer: signature, nonce, two updates),
//   - a check-in with no news (the steady state of a device),
//   - a check-in carrying a new "installed" outcome (recorded, applied, gates evaluated).
// Each is 5 rounds over distinct devices; the median (min-max) is printed, with the time the
// deployment's creation took (it adds a row per targeted device). Signing each request (about
// 20 us) is inside the timings of all three.
//   rollout_checkin [--store postgresql://...] [--devices 100,10000] [--per-round 400]
// Without --store each size uses an SQLite file in a temporary folder; with it, the database
// must be empty (each size adds its own project to it).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/signing_key.h"
#include "server/api/control_plane.h"
#include "server/auth/device_request_signature.h"
#include "server/auth/opaque_token.h"
#include "server/auth/operator_token.h"
#include "server/fleet/device_directory.h"
#include "server/store/store.h"
#include "support/package_fixtures.h"

using namespace tinymlops;
using namespace tinymlops::server;

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

HttpResponse Call(const ControlPlane& plane, const std::string& method, const std::string& target,
                  const std::string& body, std::map<std::string, std::string> headers) {
  HttpRequest request;
  request.method = method;
  request.target = target;
  ParseTarget(target, request);
  for (auto& [name, value] : headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    request.headers[lower] = value;
  }
  request.body = body;
  return plane.Handle(request);
}

struct Rate {
  double median = 0, low = 0, high = 0;
};

// Runs `call(i)` for i in [0, rounds x per_round), `per_round` at a time; requests per second
// of each round. -1 if any answer was not `expected`.
Result<Rate> Measure(int rounds, int per_round, int expected, const std::function<int(int)>& call) {
  std::vector<double> rates;
  for (int r = 0; r < rounds; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < per_round; ++i) {
      const int status = call(r * per_round + i);
      if (status != expected) {
        return Status::Error(StatusCode::kInternal, "answer %d instead of %d", status, expected);
      }
    }
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    rates.push_back(per_round / seconds.count());
  }
  std::sort(rates.begin(), rates.end());
  return Rate{rates[rates.size() / 2], rates.front(), rates.back()};
}

int RunFleet(const std::string& store_url, int devices, int per_round) {
  const auto folder =
      std::filesystem::temp_directory_path() / ("tinymlops_rollout_bench_" + NewRecordId(""));
  std::filesystem::create_directories(folder);
  const std::string location = store_url.empty() ? (folder / "store.sqlite").string() : store_url;
  auto store = OpenStore(location);
  if (!store.ok()) return Fail(store.status().message());
  std::string admin;
  {
    auto tx = (*store)->Begin();
    auto token = CreateOperatorToken(**tx, "", Role::kAdmin, "bench");
    if (!token.ok() || !(*tx)->Commit().ok()) return Fail("cannot create a token");
    admin = token->token;
  }
  ControlPlane plane(**store, (folder / "artifacts").string());
  const std::map<std::string, std::string> bearer = {{"Authorization", "Bearer " + admin}};
  const std::string project = "bench" + NewRecordId("").substr(0, 6);
  const std::string base = "/v1/projects/" + project;
  auto vendor = crypto::SigningKeyPair::Generate();
  if (!vendor.ok()) return Fail("no key");
  const auto& vendor_pk = vendor->public_key().bytes();
  test_support::PackageSpec spec;
  spec.n = 64;
  spec.model = test_support::ScaleModel(spec.n);
  spec.manifest = test_support::Identity("digits", 1);
  spec.signer = &*vendor;
  const std::vector<uint8_t> package = test_support::MakePackage(std::move(spec));
  const struct {
    const char* method;
    std::string target, body;
  } setup[] = {
      {"POST", "/v1/projects", nlohmann::json{{"name", project}}.dump()},
      {"POST", base + "/keys",
       nlohmann::json{{"name", "vendor"}, {"public_key", ToHex(vendor_pk.data(), vendor_pk.size())}}
           .dump()},
      {"POST", base + "/models", R"({"name": "digits"})"},
      {"PUT",
       base +
           "/models/digits/versions/1.0.0/variants/fp32?dtype=float32&arena_bytes=4096&ops=Mul,Add",
       std::string(package.begin(), package.end())},
  };
  for (const auto& step : setup) {
    HttpResponse r = Call(plane, step.method, step.target, step.body, bearer);
    if (r.status != 201) return Fail(step.target + ": " + r.body);
  }
  // Enrolled directly in the store, 500 per transaction (enrollment is not what is measured).
  std::vector<crypto::SigningKeyPair> keys;
  std::vector<std::string> ids;
  const std::string profile =
      R"({"architecture": "x86_64", "device_class": "gateway", "ram_bytes": 268435456, )"
      R"("ops": ["Mul", "Add"], "runtime_version": "0.1.0"})";
  for (int done = 0; done < devices;) {
    auto tx = (*store)->Begin();
    if (!tx.ok()) return Fail(tx.status().message());
    for (int i = 0; i < 500 && done < devices; ++i, ++done) {
      auto key = crypto::SigningKeyPair::Generate();
      const int64_t now = static_cast<int64_t>(std::time(nullptr));
      auto token = CreateEnrollmentToken(**tx, project, 3600, now);
      if (!key.ok() || !token.ok()) return Fail("cannot enroll");
      const auto& pk = key->public_key().bytes();
      auto device = EnrollDevice(**tx, token->token, ToHex(pk.data(), pk.size()), "", profile, now);
      if (!device.ok()) return Fail(device.status().message());
      ids.push_back(device->id);
      keys.push_back(std::move(*key));
    }
    if (!(*tx)->Commit().ok()) return Fail("cannot commit the enrollments");
  }
  const auto start = std::chrono::steady_clock::now();
  HttpResponse created = Call(plane, "POST", base + "/deployments",
                              R"({"model": "digits", "version": "1.0.0"})", bearer);
  const std::chrono::duration<double> creation = std::chrono::steady_clock::now() - start;
  if (created.status != 201) return Fail("deployment: " + created.body);
  const std::string deployment = nlohmann::json::parse(created.body)["id"];

  auto signed_call = [&](int device, const std::string& target, const std::string& body) {
    const auto headers = SignDeviceRequest(keys[device], ids[device], "POST", target,
                                           static_cast<int64_t>(std::time(nullptr)),
                                           NewRecordId("n-") + NewRecordId(""), body);
    return Call(plane, "POST", target, body, headers).status;
  };
  const std::string report =
      R"({"context": {"battery_percent": 80, "charging": true, "network": "wifi"}})";
  const int rounds = 5;
  const int distinct = std::min(devices, rounds * per_round);
  const int round_size = distinct / rounds;
  const struct {
    const char* name;
    std::function<int(int)> call;
  } kinds[] = {
      {"POST /v1/device/report (peer)",
       [&](int i) { return signed_call(i % devices, "/v1/device/report", report); }},
      {"check-in, no news",
       [&](int i) { return signed_call(i % devices, "/v1/device/checkin", "{}"); }},
      {"check-in with a new outcome",
       [&](int i) {
         const std::string body = nlohmann::json{
             {"outcomes",
              {{{"deployment", deployment},
                {"version", "1.0.0"},
                {"event", "installed"},
                {"sequence", 1}}}}}.dump();
         return signed_call(i, "/v1/device/checkin", body);
       }},
  };
  std::printf("%s, %d devices in the deployment (created in %.2f s); 5 rounds of %d requests\n",
              (*store)->backend(), devices, creation.count(), round_size);
  double peer = 0;
  for (const auto& kind : kinds) {
    auto rate = Measure(rounds, round_size, 200, kind.call);
    if (!rate.ok()) return Fail(std::string(kind.name) + ": " + rate.status().message());
    if (peer == 0) peer = rate->median;
    std::printf("  %-32s %7.0f requests/s (%.0f-%.0f), %.2fx the report\n", kind.name, rate->median,
                rate->low, rate->high, rate->median / peer);
  }
  std::filesystem::remove_all(folder);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string store_url, sizes = "100,10000";
  int per_round = 400;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--store")
      store_url = argv[i + 1];
    else if (flag == "--devices")
      sizes = argv[i + 1];
    else if (flag == "--per-round")
      per_round = std::atoi(argv[i + 1]);
    else
      return Fail("unknown flag " + flag + "; see the comment at the top of rollout_checkin.cc");
  }
  std::stringstream list(sizes);
  for (std::string size; std::getline(list, size, ',');) {
    const int devices = std::atoi(size.c_str());
    if (devices < 5 || per_round < 1) return Fail("--devices takes sizes of at least 5");
    if (int rc = RunFleet(store_url, devices, per_round); rc != 0) return rc;
  }
  return 0;
}
