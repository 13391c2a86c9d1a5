// FleetSimulator: N heterogeneous simulated devices, each running the real agent code
// (agent::Agent: enrollment, recovery, signed check-ins, downloads, the A/B update state
// machine, the variant policy) in this process, against a real tinymlops-server over real
// HTTP. What is simulated is only what surrounds an agent: its capability profile and power
// (sim/device_mix.h, sim/simulated_battery.h: batteries drain and charge in simulated time,
// `time_scale` simulated seconds per real second), its link (a real TCP proxy that cuts
// connections mid-transfer for the devices with flaky links, sim/flaky_link.h), and power
// cuts: a device chosen for one stops its in-process agent, runs the real `tinymlops-agent
// --once` executable on the same data folder, SIGKILLs it at a random moment (uniform over the
// time such a run takes, as learnt from the runs that ended before their cut, at most
// power_cut_window_seconds) and then restarts its agent from what is on disk, as a rebooted
// device would; a device that served a verified model before the cut and serves none after it
// counts as bricked.
//
// Each device checks in when its agent asks (the server's hint, with jitter and backoff), but
// at least every max_checkin_interval_seconds of real time; `threads` workers serve the
// devices in order of their next check-in. Data: DATA_ROOT/NAME/ per device (use a tmpfs such
// as /dev/shm for thousands of devices: the simulated devices' flash is not this machine's
// disk, and fsync on tmpfs costs nothing).
// Errors: Create (bad URL, the flaky link cannot listen); Enroll (a device cannot enroll: the
// message names it and the server's answer).
// Thread-safety: Snapshot() from any thread while Run() runs; the rest from one thread.
#ifndef TINYMLOPS_SIM_FLEET_SIMULATOR_H_
#define TINYMLOPS_SIM_FLEET_SIMULATOR_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/status.h"
#include "sim/device_mix.h"

namespace tinymlops::sim {

struct FleetOptions {
  std::string server_url;                 // http://HOST:PORT
  std::string project, operator_token;    // to create the devices' enrollment tokens
  std::vector<std::string> trust_files;   // VENDOR.pub files the devices trust
  std::string data_root;
  size_t devices = 100;
  size_t threads = 16;
  double max_checkin_interval_seconds = 5;
  double time_scale = 3600;
  DeviceMixOptions mix;
  double drop_probability = 0.3;          // per connection of a flaky link
  size_t power_cuts = 0;
  double power_cut_window_seconds = 0.5;
  std::string agent_executable;           // tinymlops-agent, for power cuts
};

// How the fleet's devices fetched one version (each agent's own count,
// agent::ReleaseDownloads): devices that fetched all of it by deltas, devices that fetched a
// full package of it, and the package bytes each group downloaded in all. A device whose agent
// restarted (a power cut) counts only what it fetched since.
struct VersionDownloads {
  size_t devices_by_delta = 0, devices_full = 0;
  uint64_t bytes_by_delta = 0, bytes_full = 0;
};

// What the fleet looks like now, for the progress view and the summary.
struct FleetSnapshot {
  size_t devices = 0, started = 0, serving = 0;
  std::map<std::string, size_t> versions;  // version served -> devices
  std::map<std::string, size_t> variants;  // variant served -> devices
  std::map<std::string, size_t> classes;   // device class -> devices
  std::map<std::string, VersionDownloads> downloads;  // version -> how it was fetched
  size_t failing = 0;                      // whose last check-in failed
  uint64_t checkins = 0, checkin_failures = 0;
  size_t power_cuts = 0, power_cuts_in_flight = 0, bricked = 0;
  uint64_t flaky_connections = 0, flaky_drops = 0;
  double elapsed_seconds = 0, simulated_hours = 0;
};

class FleetSimulator {
 public:
  static Result<std::unique_ptr<FleetSimulator>> Create(FleetOptions options);
  ~FleetSimulator();

  // Starts every device's agent (enrolling those not enrolled yet), on the worker threads.
  // `progress(done, total)` is called from time to time.
  Status Start(const std::function<void(size_t, size_t)>& progress);
  // Runs the fleet until `keep_going` (called every `period` with a snapshot) returns false.
  void Run(std::chrono::milliseconds period,
           const std::function<bool(const FleetSnapshot&)>& keep_going);
  FleetSnapshot Snapshot() const;
  // Devices that do not serve `version`, with their class and last error (for the summary).
  std::vector<std::string> Stragglers(const std::string& version, size_t limit) const;

 private:
  struct Fleet;
  explicit FleetSimulator(std::unique_ptr<Fleet> fleet);
  std::unique_ptr<Fleet> fleet_;
};

// The process's resident memory in bytes (VmRSS of /proc/self/status), 0 if unknown.
uint64_t ResidentBytes();

}  // namespace tinymlops::sim

#endif  // TINYMLOPS_SIM_FLEET_SIMULATOR_H_
