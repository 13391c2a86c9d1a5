#include "sim/simulated_battery.h"

#include <algorithm>

namespace tinymlops::sim {

SimulatedBattery::SimulatedBattery(const SimulatedDeviceSpec& spec)
    : on_battery_(spec.on_battery), cycle_(spec.battery), network_(spec.network),
      percent_(spec.battery.start_percent) {}

agent::DeviceContext SimulatedBattery::Advance(double hours) {
  if (on_battery_ && hours > 0) {
    if (charging_) {
      percent_ = std::min(100.0, percent_ + cycle_.charge_percent_per_hour * hours);
      if (percent_ >= cycle_.unplug_at_percent) charging_ = false;
    } else {
      percent_ = std::max(0.0, percent_ - cycle_.drain_percent_per_hour * hours);
      if (percent_ < cycle_.charge_below_percent) charging_ = true;
    }
  }
  return context();
}

agent::DeviceContext SimulatedBattery::context() const {
  agent::DeviceContext context;
  context.network = network_;
  if (on_battery_) {
    context.battery_percent = static_cast<int>(percent_);
    context.charging = charging_;
  }
  return context;
}

}  // namespace tinymlops::sim
