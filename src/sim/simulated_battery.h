// SimulatedBattery: the charge of one simulated device over simulated time, following its
// BatteryCycle (sim/device_mix.h): it drains until it falls below charge_below_percent, is
// plugged in and charges until unplug_at_percent, and so on. Devices on mains power report no
// battery. Advance() moves it by some simulated hours and returns the context the agent
// reports and evaluates its variant policy against.
// Thread-safety: one thread at a time.
#ifndef TINYMLOPS_SIM_SIMULATED_BATTERY_H_
#define TINYMLOPS_SIM_SIMULATED_BATTERY_H_

#include "agent/checkin_message.h"
#include "sim/device_mix.h"

namespace tinymlops::sim {

class SimulatedBattery {
 public:
  explicit SimulatedBattery(const SimulatedDeviceSpec& spec);
  agent::DeviceContext Advance(double simulated_hours);
  agent::DeviceContext context() const;

 private:
  bool on_battery_;
  BatteryCycle cycle_;
  std::string network_;
  double percent_;
  bool charging_ = false;
};

}  // namespace tinymlops::sim

#endif  // TINYMLOPS_SIM_SIMULATED_BATTERY_H_
