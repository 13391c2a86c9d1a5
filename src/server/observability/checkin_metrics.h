// CheckinMetrics: this process's device check-in counters for Prometheus (GET /metrics):
// check-ins answered, outcomes they carried, how many were given a desired version, and how
// many were answered from this process's cache (server/rollout/checkin_answer_cache.h).
// Per process, like RequestMetrics; the rollout states come from the store.
// Thread-safety: Record() and Render() from any thread (atomic counters).
#ifndef TINYMLOPS_SERVER_OBSERVABILITY_CHECKIN_METRICS_H_
#define TINYMLOPS_SERVER_OBSERVABILITY_CHECKIN_METRICS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace tinymlops::server {

class CheckinMetrics {
 public:
  void Record(size_t outcomes, bool desired, bool cached) const;
  std::string Render() const;

 private:
  mutable std::atomic<uint64_t> checkins_{0}, outcomes_{0}, with_desired_{0}, cached_{0};
};

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_OBSERVABILITY_CHECKIN_METRICS_H_
