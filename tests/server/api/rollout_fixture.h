// RolloutFixture: a ServerFixture with a project "acme" whose vendor key is trusted, a model
// "digits" with signed variants uploaded per test, and scripted devices that check in with
// real signed requests (POST /v1/device/checkin) and report outcomes with growing sequences.
#ifndef TINYMLOPS_TESTS_SERVER_API_ROLLOUT_FIXTURE_H_
#define TINYMLOPS_TESTS_SERVER_API_ROLLOUT_FIXTURE_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "server_fixture.h"
#include "support/package_fixtures.h"

namespace tinymlops::server {

class RolloutFixture : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    SetUpProject();
  }

  // The project, its tokens, its trusted vendor key and the model, on the server at port_.
  void SetUpProject() {
    deployer_ = ProjectToken("acme", "deployer");
    viewer_ = ProjectToken("acme", "viewer");
    const std::string admin = ProjectToken("acme", "admin");
    vendor_ = std::move(*crypto::SigningKeyPair::Generate());
    const auto& pk = vendor_.public_key().bytes();
    ASSERT_EQ(
        Call("POST", "/v1/projects/acme/keys", admin,
             nlohmann::json{{"name", "vendor"}, {"public_key", ToHex(pk.data(), pk.size())}}.dump())
            .status,
        201);
    ASSERT_EQ(Call("POST", "/v1/projects/acme/models", deployer_, R"({"name":"digits"})").status,
              201);
  }

  // Uploads a signed variant of digits `version`; returns its variant id.
  std::string Upload(const std::string& version, const std::string& variant,
                     const std::string& ops = "Mul,Add", int64_t arena_bytes = 4096,
                     const std::string& min_runtime = "0.1.0") {
    test_support::PackageSpec spec;
    spec.n = 64;
    spec.model = test_support::ScaleModel(spec.n);
    spec.manifest = test_support::Identity("digits", ++release_);
    spec.manifest.version = version;
    spec.manifest.variant = variant;
    spec.manifest.min_runtime_version = min_runtime;
    spec.signer = &vendor_;
    const std::vector<uint8_t> bytes = test_support::MakePackage(std::move(spec));
    auto r = Call("PUT",
                  "/v1/projects/acme/models/digits/versions/" + version + "/variants/" + variant +
                      "?dtype=" + (variant == "int8" ? "int8" : "float32") +
                      "&arena_bytes=" + std::to_string(arena_bytes) + "&ops=" + ops,
                  deployer_, std::string(bytes.begin(), bytes.end()));
    EXPECT_EQ(r.status, 201) << r.body;
    return Json(r).value("id", "");
  }

  // A device of acme that reports `profile` at its first check-in.
  struct ScriptedDevice {
    Device device;
    nlohmann::json profile;
    int64_t sequence = 0;
  };

  static nlohmann::json Profile(const std::string& device_class = "gateway", int64_t ram = 1 << 28,
                                const std::string& runtime = "0.1.0",
                                std::vector<std::string> ops = {"Mul", "Add", "Softmax"}) {
    return {{"architecture", "x86_64"},
            {"device_class", device_class},
            {"ram_bytes", ram},
            {"ops", ops},
            {"runtime_version", runtime}};
  }

  ScriptedDevice NewDevice(nlohmann::json profile = Profile(),
                           const std::vector<std::string>& tags = {}) {
    ScriptedDevice d{EnrollDevice("acme", deployer_), std::move(profile)};
    if (!tags.empty()) {
      EXPECT_EQ(Call("PUT", "/v1/projects/acme/devices/" + d.device.id + "/tags", deployer_,
                     nlohmann::json{{"tags", tags}}.dump())
                    .status,
                200);
    }
    auto first = CheckIn(d, {{"profile", d.profile}});
    EXPECT_EQ(first.status, 200) << first.body;
    return d;
  }

  test_support::ClientResponse CheckIn(const ScriptedDevice& d, const nlohmann::json& body,
                                       uint16_t port = 0) {
    const std::string text = body.dump();
    auto headers = SignDeviceRequest(d.device.key, d.device.id, "POST", "/v1/device/checkin", Now(),
                                     NewNonce(), text);
    return test_support::HttpCall(port == 0 ? port_ : port, "POST", "/v1/device/checkin", text,
                                  headers);
  }

  // Checks in with one outcome event for the deployment (and optional extra fields); returns
  // the answer.
  nlohmann::json Report(ScriptedDevice& d, const std::string& deployment,
                        const std::string& version, const std::string& event,
                        nlohmann::json body = nlohmann::json::object(), uint16_t port = 0) {
    body["outcomes"] = nlohmann::json::array({{{"deployment", deployment},
                                               {"version", version},
                                               {"event", event},
                                               {"unix", Now()},
                                               {"sequence", ++d.sequence}}});
    auto r = CheckIn(d, body, port);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r);
  }

  // Sends the device's last outcome again with the same sequence, as an agent does when it got
  // no answer; returns the HTTP status.
  int Resend(const ScriptedDevice& d, const std::string& deployment, const std::string& version,
             const std::string& event, uint16_t port = 0) {
    nlohmann::json body = {{"outcomes",
                            {{{"deployment", deployment},
                              {"version", version},
                              {"event", event},
                              {"sequence", d.sequence}}}}};
    return CheckIn(d, body, port).status;
  }

  // How many check-ins the server answered from its cache (tinymlops_checkins_cached_total).
  int64_t CachedCheckins() {
    const std::string metrics = Call("GET", "/metrics", admin_).body;
    const std::string name = "\ntinymlops_checkins_cached_total ";
    const size_t at = metrics.find(name);
    EXPECT_NE(at, std::string::npos) << metrics;
    return at == std::string::npos ? -1 : std::stoll(metrics.substr(at + name.size()));
  }

  // The desired state answered to a check-in with no news.
  nlohmann::json Desired(const ScriptedDevice& d, uint16_t port = 0) {
    auto r = CheckIn(d, nlohmann::json::object(), port);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r)["desired"];
  }

  nlohmann::json Create(const nlohmann::json& body, int expected = 201) {
    auto r = Call("POST", "/v1/projects/acme/deployments", deployer_, body.dump());
    EXPECT_EQ(r.status, expected) << r.body;
    return Json(r);
  }

  nlohmann::json StatusOf(const std::string& deployment) {
    auto r = Call("GET", "/v1/projects/acme/deployments/" + deployment, viewer_);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r);
  }

  nlohmann::json Act(const std::string& deployment, const std::string& action,
                     const std::string& body = "", int expected = 200) {
    auto r =
        Call("POST", "/v1/projects/acme/deployments/" + deployment + "/" + action, deployer_, body);
    EXPECT_EQ(r.status, expected) << r.body;
    return Json(r);
  }

  // Checks in every device; each one told to run `version` of `deployment` that is not in
  // `reported` reports `event` (with `body`) and joins it. Returns how many reported.
  int ReportWhereDesired(std::vector<ScriptedDevice>& fleet, const std::string& deployment,
                         const std::string& version, std::set<std::string>& reported,
                         const std::string& event = "installed",
                         const nlohmann::json& body = nlohmann::json::object()) {
    int count = 0;
    for (auto& d : fleet) {
      if (reported.count(d.device.id)) continue;
      const nlohmann::json desired = Desired(d);
      if (desired.is_object() && desired["deployment"] == deployment &&
          desired["version"] == version) {
        Report(d, deployment, version, event, body);
        reported.insert(d.device.id);
        ++count;
      }
    }
    return count;
  }

  // Deploys digits 1.0.0 to every device all at once and has each install it, so that the
  // next deployment has a version to go back to. Returns the deployment's id.
  std::string CompleteBaseline(std::vector<ScriptedDevice>& fleet) {
    const std::string id = Create({{"model", "digits"}, {"version", "1.0.0"}})["id"];
    std::set<std::string> reported;
    EXPECT_EQ(ReportWhereDesired(fleet, id, "1.0.0", reported), static_cast<int>(fleet.size()));
    EXPECT_EQ(StatusOf(id)["state"], "completed");
    return id;
  }

  std::string deployer_, viewer_;
  crypto::SigningKeyPair vendor_;
  uint64_t release_ = 0;
};

}  // namespace tinymlops::server

#endif  // TINYMLOPS_TESTS_SERVER_API_ROLLOUT_FIXTURE_H_
