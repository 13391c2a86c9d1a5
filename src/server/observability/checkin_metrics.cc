#include "server/observability/checkin_metrics.h"

namespace tinymlops::server {

void CheckinMetrics::Record(size_t outcomes, bool desired, bool cached) const {
  checkins_.fetch_add(1, std::memory_order_relaxed);
  outcomes_.fetch_add(outcomes, std::memory_order_relaxed);
  if (desired) with_desired_.fetch_add(1, std::memory_order_relaxed);
  if (cached) cached_.fetch_add(1, std::memory_order_relaxed);
}

std::string CheckinMetrics::Render() const {
  const struct {
    const char* name;
    const char* help;
    uint64_t value;
  } counters[] = {
      {"tinymlops_checkins_total", "Device check-ins answered by this process.",
       checkins_.load(std::memory_order_relaxed)},
      {"tinymlops_checkin_outcomes_total", "Outcomes carried by those check-ins.",
       outcomes_.load(std::memory_order_relaxed)},
      {"tinymlops_checkins_with_desired_total", "Check-ins answered with a desired version.",
       with_desired_.load(std::memory_order_relaxed)},
      {"tinymlops_checkins_cached_total",
       "Check-ins answered from this process's cache (same report, nothing changed).",
       cached_.load(std::memory_order_relaxed)},
  };
  std::string out;
  for (const auto& c : counters) {
    out += std::string("# HELP ") + c.name + " " + c.help + "\n# TYPE " + c.name + " counter\n" +
           c.name + " " + std::to_string(c.value) + "\n";
  }
  return out;
}

}  // namespace tinymlops::server
