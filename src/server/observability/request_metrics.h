// RequestMetrics: this process's HTTP request counters for Prometheus (GET /metrics): requests
// by method, route pattern and status code, and their total handling time. Counters are per
// process, as Prometheus expects (it scrapes every server process and sums); facts about the
// fleet come from the store instead (server/api/control_plane.cc adds them).
// Thread-safety: Record() and Render() from any thread.
#ifndef TINYMLOPS_SERVER_OBSERVABILITY_REQUEST_METRICS_H_
#define TINYMLOPS_SERVER_OBSERVABILITY_REQUEST_METRICS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace tinymlops::server {

class RequestMetrics {
 public:
  void Record(const std::string& method, const std::string& route, int status, double seconds);
  // The Prometheus text exposition (version 0.0.4) of the counters.
  std::string Render() const;

 private:
  struct Counter {
    uint64_t count = 0;
    double seconds = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, Counter, std::less<>> counters_;
};

// `text` escaped for a Prometheus label value.
std::string PrometheusLabel(const std::string& text);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_OBSERVABILITY_REQUEST_METRICS_H_
