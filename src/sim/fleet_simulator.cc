#include "sim/fleet_simulator.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <queue>
#include <random>
#include <thread>

#include "agent/agent.h"
#include "crypto/key_file.h"
#include "device/package_loader.h"
#include "runtime/op_resolver.h"
#include "server/client/api_client.h"
#include "sim/flaky_link.h"
#include "sim/simulated_battery.h"

extern char** environ;

namespace tinymlops::sim {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kStartAttempts = 20;

struct SimulatedDevice {
  SimulatedDeviceSpec spec;
  std::string folder;
  SimulatedBattery battery;
  std::unique_ptr<agent::Agent> agent;
  Clock::time_point last_advance;
  // Published for Snapshot() under Fleet::view_mutex.
  bool serving = false, failing = false;
  std::string version, variant, last_error;
  std::map<std::string, agent::ReleaseDownloads> downloads;  // the agent's, by version

  explicit SimulatedDevice(SimulatedDeviceSpec s, std::string f)
      : spec(std::move(s)), folder(std::move(f)), battery(spec) {}
};

struct Due {
  Clock::time_point when;
  size_t device;
  bool operator>(const Due& other) const { return when > other.when; }
};

}  // namespace

struct FleetSimulator::Fleet {
  FleetOptions options;
  agent::DeviceClient direct, flaky;
  std::unique_ptr<FlakyLink> link;
  std::vector<crypto::SigningPublicKey> trusted;
  std::vector<std::unique_ptr<SimulatedDevice>> devices;
  Clock::time_point started_at = Clock::now();

  std::mutex queue_mutex;
  std::condition_variable queue_changed;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> queue;
  bool stopping = false;

  mutable std::mutex view_mutex;
  std::atomic<uint64_t> checkins{0}, checkin_failures{0};
  std::atomic<size_t> power_cuts_left{0}, power_cuts{0}, power_cuts_in_flight{0}, bricked{0};
  std::atomic<double> typical_agent_run_seconds{1.0};
  std::mutex random_mutex;
  std::mt19937_64 random;

  double Uniform(double low, double high) {
    std::lock_guard<std::mutex> lock(random_mutex);
    return std::uniform_real_distribution<double>(low, high)(random);
  }

  agent::AgentOptions AgentOptionsFor(SimulatedDevice& device, const std::string& token) {
    agent::AgentOptions o;
    o.data_folder = device.folder;
    o.trusted_vendors = trusted;
    o.enroll_token = token;
    o.device_name = device.spec.name;
    o.device_class = device.spec.profile.device_class;
    o.profile = device.spec.profile;
    o.client = device.spec.flaky_link ? &flaky : &direct;
    o.start_guard = false;  // thousands of agents: no guard thread each (see the header)
    SimulatedDevice* raw = &device;
    o.context = [raw] { return raw->battery.context(); };
    return o;
  }

  Result<std::string> NewEnrollmentToken() {
    TMM_ASSIGN_OR_RETURN(
        server::ApiResponse answer,
        server::CallApi(options.server_url, "POST",
                        "/v1/projects/" + options.project + "/enrollment-tokens",
                        R"({"ttl_seconds": 3600})",
                        {{"Authorization", "Bearer " + options.operator_token},
                         {"Content-Type", "application/json"}}));
    const nlohmann::json parsed = nlohmann::json::parse(answer.body, nullptr, false);
    if (answer.status != 201 && answer.status != 200) {
      return Status::Error(StatusCode::kFailedPrecondition,
                           "the server refused an enrollment token (%d): %s; check --project "
                           "and --token (a deployer or admin token of the project)",
                           answer.status, answer.body.substr(0, 200).c_str());
    }
    if (!parsed.is_object() || !parsed.contains("token") || !parsed["token"].is_string()) {
      return Status::Error(StatusCode::kIoError, "the enrollment token answer has no token");
    }
    return parsed["token"].get<std::string>();
  }

  Status StartDevice(size_t index) {
    SimulatedDevice& device = *devices[index];
    std::string token;
    if (!std::filesystem::exists(device.folder + "/identity/device_id")) {
      TMM_ASSIGN_OR_RETURN(token, NewEnrollmentToken());
    }
    // A device retries while its link fails it (a flaky link may cut the enrollment's answer;
    // the server gives a retried enrollment the same device).
    auto started = agent::Agent::Start(AgentOptionsFor(device, token));
    for (int attempt = 1; !started.ok() && started.status().code() == StatusCode::kIoError &&
                          attempt < kStartAttempts;
         ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt));
      started = agent::Agent::Start(AgentOptionsFor(device, token));
    }
    if (!started.ok()) {
      return Status::Error(started.status().code(), "device %s: %s", device.spec.name.c_str(),
                           started.status().message());
    }
    device.agent = std::move(*started);
    device.last_advance = Clock::now();
    Publish(device);
    return Status::Ok();
  }

  void Publish(SimulatedDevice& device) {
    std::lock_guard<std::mutex> lock(view_mutex);
    device.serving = device.agent != nullptr && device.agent->loader().ready();
    const tpkg::ManifestT* served = device.serving ? device.agent->loader().manifest() : nullptr;
    device.version = served != nullptr ? served->version : "";
    device.variant = served != nullptr ? served->variant : "";
    device.last_error = device.agent != nullptr ? device.agent->last_error() : "not started";
    device.failing = !device.last_error.empty();
    if (device.agent != nullptr) device.downloads = device.agent->installer().downloads();
  }

  std::string NewestVersion() const {
    std::lock_guard<std::mutex> lock(view_mutex);
    std::string newest;
    for (const auto& d : devices) {
      if (d->serving && d->version > newest) newest = d->version;  // versions compare as text
    }
    return newest;
  }

  // A device behind the newest version the fleet serves is in its update path.
  bool ShouldCutPower(const SimulatedDevice& device, const std::string& newest) {
    if (power_cuts_left.load() == 0 || options.agent_executable.empty()) return false;
    bool behind;
    {
      std::lock_guard<std::mutex> lock(view_mutex);
      behind = device.serving && !newest.empty() && device.version != newest;
    }
    if (!behind) return false;
    size_t left = power_cuts_left.load();
    while (left > 0 && !power_cuts_left.compare_exchange_weak(left, left - 1)) {
    }
    return left > 0;
  }

  // Runs the real agent executable on the device's folder and SIGKILLs it at a random moment,
  // then restarts the in-process agent from the disk.
  void CutPower(size_t index) {
    SimulatedDevice& device = *devices[index];
    device.agent.reset();
    const std::string url = device.spec.flaky_link
                                ? "http://127.0.0.1:" + std::to_string(link->port())
                                : options.server_url;
    std::vector<std::string> args = {options.agent_executable, "--server", url, "--data",
                                     device.folder, "--device-class",
                                     device.spec.profile.device_class, "--once",
                                     "--socket", "none"};  // a power-cut run serves no app
    for (const std::string& trust : options.trust_files) {
      args.push_back("--trust");
      args.push_back(trust);
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned == 0) {
      // The cut lands uniformly within the time an agent run takes (learnt from the runs that
      // ended before their cut), so that it falls at random points of the update path.
      const double window = std::min(options.power_cut_window_seconds,
                                     1.2 * typical_agent_run_seconds.load());
      const Clock::time_point spawned_at = Clock::now();
      const Clock::time_point cut_at =
          spawned_at + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(Uniform(0, window)));
      int status = 0;
      bool exited = false;
      while (!(exited = ::waitpid(pid, &status, WNOHANG) == pid) && Clock::now() < cut_at)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (exited) {
        const double took = std::chrono::duration<double>(Clock::now() - spawned_at).count();
        double typical = typical_agent_run_seconds.load();
        typical_agent_run_seconds.store(0.8 * typical + 0.2 * took);
      } else {
        power_cuts_in_flight.fetch_add(1);  // the cut landed while it was running
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
      }
    }
    power_cuts.fetch_add(1);
    const Status restarted = StartDevice(index);
    if (!restarted.ok() || !device.agent->loader().ready()) bricked.fetch_add(1);
  }

  void Serve(size_t index) {
    SimulatedDevice& device = *devices[index];
    if (device.agent == nullptr) return;
    const Clock::time_point now = Clock::now();
    const double real_seconds = std::chrono::duration<double>(now - device.last_advance).count();
    device.battery.Advance(real_seconds * options.time_scale / 3600.0);
    device.last_advance = now;
    const std::string newest = NewestVersion();
    double delay;
    if (ShouldCutPower(device, newest)) {
      CutPower(index);
      delay = Uniform(0.2, 1.0) * options.max_checkin_interval_seconds;
    } else {
      const int64_t hint = device.agent->CheckIn();
      checkins.fetch_add(1);
      if (!device.agent->last_error().empty()) checkin_failures.fetch_add(1);
      delay = std::min<double>(static_cast<double>(hint), options.max_checkin_interval_seconds) *
              Uniform(0.8, 1.0);
    }
    Publish(device);
    Schedule(index, Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(delay)));
  }

  void Schedule(size_t index, Clock::time_point when) {
    {
      std::lock_guard<std::mutex> lock(queue_mutex);
      queue.push({when, index});
    }
    queue_changed.notify_one();
  }

  void Work() {
    std::unique_lock<std::mutex> lock(queue_mutex);
    while (!stopping) {
      if (queue.empty()) {
        queue_changed.wait(lock);
        continue;
      }
      const Due next = queue.top();
      if (next.when > Clock::now()) {
        queue_changed.wait_until(lock, next.when);
        continue;
      }
      queue.pop();
      lock.unlock();
      Serve(next.device);
      lock.lock();
    }
  }
};

Result<std::unique_ptr<FleetSimulator>> FleetSimulator::Create(FleetOptions options) {
  auto fleet = std::make_unique<Fleet>();
  TMM_ASSIGN_OR_RETURN(fleet->direct, agent::DeviceClient::Create(options.server_url));
  for (const std::string& path : options.trust_files) {
    TMM_ASSIGN_OR_RETURN(crypto::SigningPublicKey key, crypto::ReadPublicKeyFile(path));
    fleet->trusted.push_back(key);
  }
  TMM_ASSIGN_OR_RETURN(server::ServerAddress address, server::ParseServerUrl(options.server_url));
  FlakyLinkOptions link;
  link.upstream_port = static_cast<uint16_t>(std::stoi(address.port));
  link.drop_probability = options.drop_probability;
  link.seed = options.mix.seed;
  TMM_ASSIGN_OR_RETURN(fleet->link, FlakyLink::Start(link));
  TMM_ASSIGN_OR_RETURN(fleet->flaky, agent::DeviceClient::Create(
                                         "http://127.0.0.1:" + std::to_string(fleet->link->port()),
                                         std::chrono::seconds(10)));
  if (options.mix.ops.empty()) {
    runtime::OpResolver resolver;
    runtime::AddReferenceKernels(resolver);
    options.mix.ops = agent::ProfileOfThisMachine(".", "", resolver).ops;
  }
  if (options.mix.runtime_version.empty()) options.mix.runtime_version = device::kRuntimeVersion;
  fleet->random.seed(options.mix.seed);
  fleet->power_cuts_left = options.power_cuts;
  std::filesystem::create_directories(options.data_root);
  for (size_t i = 0; i < options.devices; ++i) {
    SimulatedDeviceSpec spec = MakeSimulatedDevice(i, options.mix);
    const std::string folder = options.data_root + "/" + spec.name;
    fleet->devices.push_back(std::make_unique<SimulatedDevice>(std::move(spec), folder));
  }
  fleet->options = std::move(options);
  return std::unique_ptr<FleetSimulator>(new FleetSimulator(std::move(fleet)));
}

FleetSimulator::FleetSimulator(std::unique_ptr<Fleet> fleet) : fleet_(std::move(fleet)) {}
FleetSimulator::~FleetSimulator() = default;

Status FleetSimulator::Start(const std::function<void(size_t, size_t)>& progress) {
  Fleet& f = *fleet_;
  std::atomic<size_t> next{0}, done{0};
  std::mutex error_mutex;
  Status first_error;
  std::vector<std::thread> workers;
  for (size_t t = 0; t < std::max<size_t>(1, f.options.threads); ++t) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < f.devices.size(); i = next++) {
        const Status started = f.StartDevice(i);
        if (!started.ok()) {
          std::lock_guard<std::mutex> lock(error_mutex);
          if (first_error.ok()) first_error = started;
          next = f.devices.size();  // stop starting more
        }
        ++done;
      }
    });
  }
  while (done < f.devices.size() && next < f.devices.size() + f.options.threads) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    if (progress) progress(done, f.devices.size());
    if (!first_error.ok()) break;
  }
  for (std::thread& w : workers) w.join();
  if (progress) progress(done, f.devices.size());
  return first_error;
}

void FleetSimulator::Run(std::chrono::milliseconds period,
                         const std::function<bool(const FleetSnapshot&)>& keep_going) {
  Fleet& f = *fleet_;
  {
    std::lock_guard<std::mutex> lock(f.queue_mutex);
    f.stopping = false;
    // Spread the first check-ins over one interval.
    for (size_t i = 0; i < f.devices.size(); ++i) {
      f.queue.push({Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(
                                           f.Uniform(0, f.options.max_checkin_interval_seconds))),
                    i});
    }
  }
  std::vector<std::thread> workers;
  for (size_t t = 0; t < std::max<size_t>(1, f.options.threads); ++t)
    workers.emplace_back([&f] { f.Work(); });
  while (keep_going(Snapshot())) std::this_thread::sleep_for(period);
  {
    std::lock_guard<std::mutex> lock(f.queue_mutex);
    f.stopping = true;
    f.queue = {};
  }
  f.queue_changed.notify_all();
  for (std::thread& w : workers) w.join();
}

FleetSnapshot FleetSimulator::Snapshot() const {
  const Fleet& f = *fleet_;
  FleetSnapshot s;
  s.devices = f.devices.size();
  {
    std::lock_guard<std::mutex> lock(f.view_mutex);
    for (const auto& d : f.devices) {
      ++s.classes[d->spec.profile.device_class];
      if (d->last_error != "not started") ++s.started;
      if (d->serving) {
        ++s.serving;
        ++s.versions[d->version];
        ++s.variants[d->variant];
      }
      if (d->failing) ++s.failing;
      for (const auto& [version, fetched] : d->downloads) {
        VersionDownloads& v = s.downloads[version];
        const uint64_t bytes = fetched.bytes_by_delta + fetched.bytes_full;
        if (fetched.variants_full > 0) {
          ++v.devices_full;
          v.bytes_full += bytes;
        } else if (fetched.variants_by_delta > 0) {
          ++v.devices_by_delta;
          v.bytes_by_delta += bytes;
        }
      }
    }
  }
  s.checkins = f.checkins.load();
  s.checkin_failures = f.checkin_failures.load();
  s.power_cuts = f.power_cuts.load();
  s.power_cuts_in_flight = f.power_cuts_in_flight.load();
  s.bricked = f.bricked.load();
  s.flaky_connections = f.link->connections();
  s.flaky_drops = f.link->dropped();
  s.elapsed_seconds = std::chrono::duration<double>(Clock::now() - f.started_at).count();
  s.simulated_hours = s.elapsed_seconds * f.options.time_scale / 3600.0;
  return s;
}

std::vector<std::string> FleetSimulator::Stragglers(const std::string& version,
                                                    size_t limit) const {
  const Fleet& f = *fleet_;
  std::vector<std::string> out;
  std::lock_guard<std::mutex> lock(f.view_mutex);
  for (const auto& d : f.devices) {
    if (out.size() >= limit) break;
    if (d->serving && d->version == version) continue;
    out.push_back(d->spec.name + " (" + (d->serving ? "serves " + d->version : "serves nothing") +
                  (d->last_error.empty() ? "" : "; " + d->last_error.substr(0, 160)) + ")");
  }
  return out;
}

uint64_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

}  // namespace tinymlops::sim
