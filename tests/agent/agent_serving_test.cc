// The agent serves its installed model to local applications (agent/local_endpoint.h over
// agent/agent_inference_service.h) against a real server:
// - the tinymlops-agent executable listens on --socket, answers POST /v1/infer with what the
//   deployed model computes on the host, reports the inferences in its next check-in (the
//   server stores them: GET /v1/projects/P/devices/ID), and removes the socket on SIGTERM;
// - the measured p95 is what the variant policy's latency rule sees;
// - inference hammered over the socket and in the process while the agent installs a new
//   version and switches variants: every answer is a whole model's (the outputs are exactly those
//   of the model the answer names), never an error but 503 before the first install; the next
//   check-in reports exactly the answers the served model gave, with its latency percentiles.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "agent/agent.h"
#include "agent/durable_file.h"
#include "agent_fixture.h"
#include "support/unix_socket_client.h"

namespace tinymlops::agent {
namespace {

using json = nlohmann::json;
using test_support::UnixSocketCall;
using test_support::UnixSocketReply;

class AgentServingTest : public AgentFixture {
 protected:
  std::string Socket() const { return root_ + "/agent.sock"; }

  // ScaleInput's values.
  static std::vector<float> X() {
    const toolchain::TensorDef x = test_support::ScaleInput(kWidth);
    std::vector<float> values(kWidth);
    std::memcpy(values.data(), x.data.data(), values.size() * sizeof(float));
    return values;
  }
  // {"inputs": {"x": ScaleInput}} as an application sends it over the socket.
  static std::string InferBody() { return json{{"inputs", {{"x", X()}}}}.dump(); }
  // The same, as an application in the agent's process gives agent.inference().
  static std::map<std::string, TensorValues> Inputs() {
    const std::vector<float> x = X();
    return {
        {"x", {runtime::DType::kFloat32, {1, kWidth}, std::vector<double>(x.begin(), x.end())}}};
  }

  // The answer's output y; empty when the answer has none.
  static std::vector<float> OutputY(const UnixSocketReply& reply) {
    std::vector<float> y;
    const json data =
        reply.body.is_object() ? reply.body.value("/outputs/y/data"_json_pointer, json()) : json();
    if (!data.is_array()) return y;
    for (const json& value : data)
      y.push_back(value.is_number() ? static_cast<float>(value.get<double>()) : NAN);
    return y;
  }
  // The answer's string field `name`; "?" when it has none.
  static std::string Field(const UnixSocketReply& reply, const char* name) {
    if (!reply.body.is_object() || !reply.body.contains(name) || !reply.body[name].is_string())
      return "?";
    return reply.body[name].get<std::string>();
  }

  std::string Deploy(const json& body) {
    auto r = Call("POST", "/v1/projects/acme/deployments", deployer_, body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Json(r).value("id", "");
  }

  json StoredHealth() {
    return Json(Call("GET", "/v1/projects/acme/devices/" + identity_.device_id, deployer_))
        .value("health", json::object());
  }
};

// Polls `done` every 50 ms for up to 60 s (the ASan build is slow); whether it became true.
template <typename Condition>
bool Eventually(Condition done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

TEST_P(AgentServingTest, TheAgentExecutableServesTheDeployedModelAndReportsItsInferences) {
  Upload("1.0.0", 1);
  ASSERT_TRUE(WriteFileDurably(data_ + "/identity/device_id", identity_.device_id).ok());
  ASSERT_TRUE(crypto::WritePublicKeyFile(root_ + "/vendor.pub", vendor_.public_key()).ok());
  const std::string server = "http://127.0.0.1:" + std::to_string(port_);
  const std::string trust = root_ + "/vendor.pub", socket = Socket(), log = root_ + "/agent.log";
  const pid_t agent = ::fork();
  ASSERT_GE(agent, 0);
  if (agent == 0) {
    std::freopen(log.c_str(), "w", stderr);
    ::execl(TINYMLOPS_AGENT_PATH, TINYMLOPS_AGENT_PATH, "--server", server.c_str(), "--data",
            data_.c_str(), "--trust", trust.c_str(), "--socket", socket.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  auto agent_log = [&] {
    auto text = ReadFile(log);
    return text.ok() ? *text : std::string("(no log)");
  };
  // Listening before anything is installed: ready false, inference 503.
  ASSERT_TRUE(Eventually([&] { return UnixSocketCall(socket, "GET", "/v1/status").status == 200; }))
      << agent_log();
  EXPECT_EQ(UnixSocketCall(socket, "GET", "/v1/status").body["ready"], false);
  EXPECT_EQ(UnixSocketCall(socket, "POST", "/v1/infer", InferBody()).status, 503);

  Deploy({{"model", "digits"}, {"version", "1.0.0"}});
  ::kill(agent, SIGUSR1);  // check in now
  ASSERT_TRUE(Eventually([&] {
    return UnixSocketCall(socket, "GET", "/v1/status").body.value("ready", false);
  })) << agent_log();
  constexpr int kInferences = 5;
  for (int i = 0; i < kInferences; ++i) {
    const UnixSocketReply reply = UnixSocketCall(socket, "POST", "/v1/infer", InferBody());
    ASSERT_EQ(reply.status, 200) << reply.body.dump();
    EXPECT_EQ(reply.body["version"], "1.0.0");
    EXPECT_EQ(OutputY(reply), Expected(1));
  }

  ::kill(agent, SIGUSR1);
  ASSERT_TRUE(Eventually([&] { return StoredHealth().value("inferences", 0) == kInferences; }))
      << StoredHealth().dump() << "\n"
      << agent_log();
  const json health = StoredHealth();
  EXPECT_EQ(health["model"], "digits");
  EXPECT_EQ(health["version"], "1.0.0");
  EXPECT_EQ(health["crash_count"], 0);
  EXPECT_TRUE(health["latency_us"]["p95"].is_number()) << health.dump();

  ::kill(agent, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(agent, &status, 0), agent);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << "\n" << agent_log();
  EXPECT_FALSE(std::filesystem::exists(socket)) << "SIGTERM removes the socket";
}

TEST_P(AgentServingTest, InferenceDuringInstallsAndVariantSwitchesAlwaysMeetsAWholeModel) {
  SlotManifest v1 = Upload("1.0.0", 1);
  UploadVariant(&v1, "small", 4);
  Upload("1.1.0", 2);
  // The model each (version, variant) holds.
  const std::map<std::string, std::vector<float>> expected = {
      {"1.0.0 fp32", Expected(1)}, {"1.0.0 small", Expected(4)}, {"1.1.0 fp32", Expected(2)}};
  ASSERT_TRUE(WriteFileDurably(data_ + "/identity/device_id", identity_.device_id).ok());
  std::mutex context_mutex;  // the context function runs on the agent's thread only; the
  DeviceContext context;     // test's main thread changes it between calls
  context.charging = true;
  context.network = "ethernet";
  AgentOptions options;
  options.data_folder = data_;
  options.trusted_vendors = {vendor_.public_key()};
  options.client = client_.get();
  options.start_guard = false;
  options.socket_path = Socket();
  options.context = [&] {
    std::lock_guard<std::mutex> lock(context_mutex);
    return context;
  };
  auto started = Agent::Start(options);
  ASSERT_TRUE(started.ok()) << started.status().message();
  Agent& agent = **started;

  // Two applications, inference after inference, each answer checked: one over the socket,
  // one in the agent's process (agent.inference(), as a linked application calls it; it keeps
  // an inference in progress nearly all the time, so a swap that did not wait would meet it).
  std::atomic<bool> stop{false};
  std::mutex seen_mutex;
  std::map<std::string, int> answers;  // "version variant" -> answers from it
  std::vector<std::string> wrong;
  // `served`: whether this application had an answer; from then on a 503 is wrong.
  auto check = [&](bool* served, int status, const std::string& version, const std::string& variant,
                   const std::vector<float>& y, const std::string& what) {
    std::lock_guard<std::mutex> lock(seen_mutex);
    if (status == 503 && !*served) return;  // nothing installed yet
    const auto model_of = expected.find(version + " " + variant);
    if (status != 200 || model_of == expected.end() || y != model_of->second)
      wrong.push_back(std::to_string(status) + " " + what.substr(0, 200));
    else
      ++answers[model_of->first], *served = true;
  };
  std::thread over_socket([&] {
    const std::string body = InferBody();
    bool served = false;
    while (!stop) {
      const UnixSocketReply reply = UnixSocketCall(Socket(), "POST", "/v1/infer", body);
      check(&served, reply.status, Field(reply, "version"), Field(reply, "variant"), OutputY(reply),
            reply.body.dump());
    }
  });
  std::thread in_process([&] {
    const std::map<std::string, TensorValues> inputs = Inputs();
    bool served = false;
    while (!stop) {
      auto inference = agent.inference().Infer(inputs);
      if (!inference.ok()) {
        const bool unserved = inference.status().code() == StatusCode::kFailedPrecondition;
        check(&served, unserved ? 503 : 500, "", "", {}, inference.status().message());
        continue;
      }
      std::vector<float> y;
      for (double value : inference->outputs["y"].values) y.push_back(static_cast<float>(value));
      check(&served, 200, inference->served.version, inference->served.variant, y, "in process");
    }
  });
  auto answered_by = [&](const std::string& model) {
    return Eventually([&] {
      std::lock_guard<std::mutex> lock(seen_mutex);
      return answers.count(model) > 0;
    });
  };
  auto set_battery = [&](double percent) {
    std::lock_guard<std::mutex> lock(context_mutex);
    context.battery_percent = percent;
    context.charging = false;
  };

  agent.CheckIn();  // nothing deployed: 503s
  Deploy({{"model", "digits"},
          {"version", "1.0.0"},
          {"policy",
           {{"rules", {{{"when", {{"battery_percent_below", 30}}}, {"use", "small"}}}},
            {"default", "fp32"}}}});
  agent.CheckIn();  // installs 1.0.0 while the application calls
  EXPECT_EQ(agent.last_error(), "");
  EXPECT_TRUE(answered_by("1.0.0 fp32"));
  agent.CheckIn();  // reports the outcomes: the deployment completes
  for (int round = 0; round < 10; ++round) {
    set_battery(20);
    agent.FollowContext();
    EXPECT_TRUE(answered_by("1.0.0 small"));
    set_battery(90);
    agent.FollowContext();
  }
  Deploy({{"model", "digits"}, {"version", "1.1.0"}});
  agent.CheckIn();  // installs 1.1.0 while the application calls
  EXPECT_EQ(agent.last_error(), "");
  EXPECT_TRUE(answered_by("1.1.0 fp32"));
  stop = true;
  over_socket.join();
  in_process.join();
  for (const std::string& answer : wrong)
    ADD_FAILURE() << "an answer of no whole model: " << answer;

  // The next check-in reports what the model serving now answered, and its latency.
  agent.CheckIn();
  EXPECT_EQ(agent.last_error(), "");
  const json health = StoredHealth();
  EXPECT_EQ(health["version"], "1.1.0");
  EXPECT_EQ(health["inferences"], answers["1.1.0 fp32"]) << health.dump();
  EXPECT_EQ(health["crash_count"], 0);
  const json& latency = health["latency_us"];
  ASSERT_TRUE(latency.is_object()) << health.dump();
  EXPECT_GT(latency["p95"].get<double>(), 0);
  EXPECT_LE(latency["p50"].get<double>(), latency["p95"].get<double>());
  EXPECT_LE(latency["p95"].get<double>(), latency["p99"].get<double>());
}

// The measured p95 is the context's latency_p95_us: a rule on it matches once the served variant
// was measured slower than its bound (any inference is: the bound is 0 us), and not before.
TEST_P(AgentServingTest, TheMeasuredLatencyIsWhatTheVariantPolicySees) {
  SlotManifest v1 = Upload("1.0.0", 1);
  UploadVariant(&v1, "small", 4);
  ASSERT_TRUE(WriteFileDurably(data_ + "/identity/device_id", identity_.device_id).ok());
  AgentOptions options;
  options.data_folder = data_;
  options.trusted_vendors = {vendor_.public_key()};
  options.client = client_.get();
  options.start_guard = false;
  auto started = Agent::Start(options);
  ASSERT_TRUE(started.ok()) << started.status().message();
  Agent& agent = **started;
  agent.CheckIn();
  Deploy({{"model", "digits"},
          {"version", "1.0.0"},
          {"policy",
           {{"rules", {{{"when", {{"latency_p95_us_above", 0}}}, {"use", "small"}}}},
            {"default", "fp32"}}}});
  agent.CheckIn();
  ASSERT_EQ(agent.last_error(), "");
  EXPECT_EQ(agent.inference().Status().variant, "fp32") << "nothing measured yet";
  EXPECT_FALSE(agent.inference().Health().latency_us);
  agent.FollowContext();
  EXPECT_EQ(agent.inference().Status().variant, "fp32");

  ASSERT_TRUE(agent.inference().Infer(Inputs()).ok());
  const ServingHealth measured = agent.inference().Health();
  ASSERT_TRUE(measured.latency_us);
  EXPECT_GT(measured.latency_us->p95, 0);
  EXPECT_EQ(measured.inferences, 1u);
  agent.FollowContext();
  EXPECT_EQ(agent.inference().Status().variant, "small");
  // The counts describe the model serving now: the small variant has served nothing yet.
  EXPECT_EQ(agent.inference().Health().inferences, 0u);
  EXPECT_FALSE(agent.inference().Health().latency_us);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AgentServingTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tinymlops::agent
