#include "sim/device_mix.h"

#include <cstdio>
#include <random>

namespace tinymlops::sim {
namespace {

struct DeviceClass {
  const char* name;
  int weight;  // out of 100
  const char* architecture;
  uint64_t ram_bytes;
  bool on_battery;
  const char* network;
  double flaky_factor;  // multiplies DeviceMixOptions::flaky_fraction
  const char* runtime_version;  // nullptr: the agent's own
};

constexpr DeviceClass kClasses[] = {
    {"gateway", 40, "x86_64", 1ull << 30, false, "ethernet", 0.0, nullptr},
    {"camera", 35, "aarch64", 256ull << 20, true, "wifi", 1.0, nullptr},
    {"tracker", 15, "aarch64", 64ull << 20, true, "cellular", 3.0, nullptr},
    {"legacy", 5, "armv7l", 64ull << 20, false, "wifi", 1.0, "0.0.9"},
    {"sensor-hub", 5, "armv7l", 24ull << 10, true, "wifi", 1.0, nullptr},
};

}  // namespace

SimulatedDeviceSpec MakeSimulatedDevice(size_t index, const DeviceMixOptions& options) {
  std::mt19937_64 random(options.seed * 0x9E3779B97F4A7C15ull + index);
  int pick = static_cast<int>(random() % 100);
  const DeviceClass* chosen = &kClasses[0];
  for (const DeviceClass& c : kClasses) {
    if (pick < c.weight) {
      chosen = &c;
      break;
    }
    pick -= c.weight;
  }
  SimulatedDeviceSpec spec;
  char name[64];
  std::snprintf(name, sizeof name, "%s-%05zu", chosen->name, index);
  spec.name = name;
  spec.profile.architecture = chosen->architecture;
  spec.profile.device_class = chosen->name;
  spec.profile.ram_bytes = chosen->ram_bytes;
  spec.profile.storage_bytes = 512ull << 20;
  spec.profile.ops = options.ops;
  spec.profile.runtime_version =
      chosen->runtime_version != nullptr ? chosen->runtime_version : options.runtime_version;
  spec.network = chosen->network;
  spec.on_battery = chosen->on_battery;
  std::uniform_real_distribution<double> unit(0, 1);
  spec.flaky_link = unit(random) < options.flaky_fraction * chosen->flaky_factor;
  if (spec.on_battery) {
    spec.battery.start_percent = 40 + 60 * unit(random);
    spec.battery.drain_percent_per_hour = 20 + 30 * unit(random);
    spec.battery.charge_below_percent = 5 + 10 * unit(random);
    spec.battery.charge_percent_per_hour = 60 + 40 * unit(random);
    spec.battery.unplug_at_percent = 90 + 10 * unit(random);
  }
  return spec;
}

}  // namespace tinymlops::sim
