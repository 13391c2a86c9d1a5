// The simulated fleet's heterogeneity: each simulated device gets a class with a capability
// profile (architecture, RAM, storage, ops, runtime version), a power source (mains, or a
// battery that drains while it runs inference and recharges on a cycle), a network type and
// whether its link is flaky. The mix is a deterministic function of the device's index and a
// seed, so a run can be repeated. Classes, in order of frequency:
//   gateway     x86_64, 1 GiB, mains, ethernet       — runs everything
//   camera      aarch64, 256 MiB, battery, wifi      — switches variant as its battery drains
//   tracker     aarch64, 64 MiB, battery, cellular   — flaky link more often
//   legacy      armv7l, 64 MiB, runtime 0.0.9        — refused: its runtime is too old
//   sensor-hub  armv7l, 24 KiB                       — RAM for the int8 variant only (or none)
// Thread-safety: pure functions.
#ifndef TINYMLOPS_SIM_DEVICE_MIX_H_
#define TINYMLOPS_SIM_DEVICE_MIX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "agent/checkin_message.h"

namespace tinymlops::sim {

struct BatteryCycle {
  double start_percent = 100;      // at the start of the run
  double drain_percent_per_hour = 0;  // while not charging
  double charge_below_percent = 10;   // plugged in when it falls below this...
  double charge_percent_per_hour = 0;
  double unplug_at_percent = 95;      // ...and unplugged above this
};

struct SimulatedDeviceSpec {
  std::string name;  // "camera-00042"
  agent::DeviceProfile profile;
  bool on_battery = false;
  BatteryCycle battery;
  std::string network;
  bool flaky_link = false;
};

struct DeviceMixOptions {
  uint64_t seed = 1;
  double flaky_fraction = 0.1;  // of the devices that are not on ethernet
  // The ops every simulated device has kernels for (the agent's resolver's ops).
  std::vector<std::string> ops;
  std::string runtime_version;
};

SimulatedDeviceSpec MakeSimulatedDevice(size_t index, const DeviceMixOptions& options);

}  // namespace tinymlops::sim

#endif  // TINYMLOPS_SIM_DEVICE_MIX_H_
