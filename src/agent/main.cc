// tinymlops-agent: the device daemon. Enrolls once (--enroll-token; the identity key is made
// on the device and kept in DATA/identity), recovers its A/B slots, then checks in with the
// server periodically (with jitter; backing off while the server is unreachable, the installed
// model serving throughout) and installs what the server desires. Local applications call the
// model over HTTP on a Unix socket (--socket, default DATA/agent.sock; agent/local_endpoint.h).
// SIGINT/SIGTERM stop it (the socket file is removed); SIGUSR1 makes it check in now.
// Exit status: 0 after a stop (or --once), 1 when it cannot start, 2 bad flags.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "agent/agent.h"
#include "crypto/key_file.h"

namespace {

std::atomic<bool> g_stop{false};      // set by the signal handlers only
std::atomic<bool> g_check_in{false};  // SIGUSR1: check in now
void OnSignal(int) { g_stop = true; }
void OnCheckInSignal(int) { g_check_in = true; }

// Sleeps `seconds`, waking early on a stop or a SIGUSR1.
void SleepUnlessStopped(int64_t seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!g_stop && !g_check_in.exchange(false) && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tinymlops;
  CLI::App app{"tinymlops-agent: keeps this device's model in step with tinymlops-server",
               "tinymlops-agent"};
  app.set_version_flag("--version", "tinymlops-agent 0.1.0");
  std::string server_url, data = "tinymlops-agent-data", token, name, device_class = "gateway";
  std::string socket = "DATA/agent.sock";
  std::vector<std::string> trust;
  bool once = false;
  app.add_option("--server", server_url, "the server, http://HOST:PORT")->required();
  app.add_option("--data", data, "the agent's data folder (identity, slots, state, outbox)")
      ->capture_default_str();
  app.add_option("--enroll-token", token, "enrollment token (used once, on the first start)");
  app.add_option("--trust", trust, "VENDOR.pub of a key whose packages this device accepts")
      ->required();
  app.add_option("--name", name, "the device's name on the server (first start)");
  app.add_option("--device-class", device_class, "the device class it reports")
      ->capture_default_str();
  app.add_option("--socket", socket,
                 "the Unix socket local applications call the model on (HTTP: GET /v1/status, "
                 "POST /v1/infer; mode 0660); DATA is 0700, so for applications of other users "
                 "give a path in a folder their group may enter (/run/tinymlops/agent.sock); "
                 "'none' serves no endpoint")
      ->capture_default_str();
  app.add_flag("--once", once, "check in once, act on the answer, and exit");
  app.footer(
      "Calling the model: curl --unix-socket DATA/agent.sock -X POST http://agent/v1/infer "
      "-d '{\"inputs\": {\"x\": [...]}}'\n"
      "Signals: SIGTERM/SIGINT stop the agent (the socket file is removed); SIGUSR1 checks in "
      "now.\n"
      "Exit status: 0 stopped (or --once done), 1 could not start, 2 wrong command line.");
  CLI11_PARSE(app, argc, argv);

  agent::AgentOptions options;
  options.data_folder = data;
  options.enroll_token = token;
  options.device_name = name;
  options.device_class = device_class;
  if (socket == "DATA/agent.sock") socket = data + "/agent.sock";
  if (socket != "none") options.socket_path = socket;
  for (const std::string& path : trust) {
    auto key = crypto::ReadPublicKeyFile(path);
    if (!key.ok()) {
      std::fprintf(stderr, "error: --trust %s: %s\n", path.c_str(), key.status().message());
      return 2;
    }
    options.trusted_vendors.push_back(*key);
  }
  auto client = agent::DeviceClient::Create(server_url);
  if (!client.ok()) {
    std::fprintf(stderr, "error: %s\n", client.status().message());
    return 2;
  }
  options.client = &*client;
  ::signal(SIGINT, OnSignal);
  ::signal(SIGTERM, OnSignal);
  ::signal(SIGUSR1, OnCheckInSignal);

  // Enrollment needs the server: retry with backoff while it cannot be reached.
  agent::CheckinSchedule enrollment_retries(static_cast<uint64_t>(::getpid()));
  std::unique_ptr<agent::Agent> agent;
  while (!agent && !g_stop) {
    auto started = agent::Agent::Start(options);
    if (started.ok()) {
      agent = std::move(*started);
      break;
    }
    if (started.status().code() != StatusCode::kIoError || once) {
      std::fprintf(stderr, "error: %s\n", started.status().message());
      return 1;
    }
    const int64_t delay = enrollment_retries.AfterFailure();
    std::fprintf(stderr, "warning: %s; retrying in %lld s\n", started.status().message(),
                 static_cast<long long>(delay));
    SleepUnlessStopped(delay);
  }
  if (!agent) return 0;
  std::fprintf(stderr, "device %s: %s\n", agent->device_id().c_str(),
               agent->loader().ready() ? "serving its installed model" : "no model installed yet");
  if (!options.socket_path.empty())
    std::fprintf(stderr, "local endpoint: %s\n", options.socket_path.c_str());
  if (!agent->last_error().empty())
    std::fprintf(stderr, "warning: %s\n", agent->last_error().c_str());
  while (!g_stop) {
    const int64_t delay = agent->CheckIn();
    if (!agent->last_error().empty())
      std::fprintf(stderr, "warning: %s; next check-in in %lld s\n", agent->last_error().c_str(),
                   static_cast<long long>(delay));
    if (once) break;
    SleepUnlessStopped(delay);
  }
  return 0;
}
