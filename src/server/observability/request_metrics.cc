#include "server/observability/request_metrics.h"

#include <cstdio>

namespace tinymlops::server {

std::string PrometheusLabel(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void RequestMetrics::Record(const std::string& method, const std::string& route, int status,
                            double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = counters_.find(std::tie(method, route, status));  // no key copied to look
  if (found == counters_.end()) {
    found = counters_.emplace(std::make_tuple(method, route, status), Counter()).first;
  }
  Counter& counter = found->second;
  ++counter.count;
  counter.seconds += seconds;
}

std::string RequestMetrics::Render() const {
  std::string out =
      "# HELP tinymlops_http_requests_total HTTP requests handled by this process.\n"
      "# TYPE tinymlops_http_requests_total counter\n";
  std::string seconds =
      "# HELP tinymlops_http_request_seconds_total Time spent handling them.\n"
      "# TYPE tinymlops_http_request_seconds_total counter\n";
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [key, counter] : counters_) {
    const auto& [method, route, status] = key;
    const std::string labels = "{method=\"" + PrometheusLabel(method) + "\",route=\"" +
                               PrometheusLabel(route) + "\",code=\"" + std::to_string(status) +
                               "\"}";
    out += "tinymlops_http_requests_total" + labels + " " + std::to_string(counter.count) + "\n";
    char value[64];
    std::snprintf(value, sizeof value, "%.6f", counter.seconds);
    seconds += "tinymlops_http_request_seconds_total" + labels + " " + value + "\n";
  }
  return out + seconds;
}

}  // namespace tinymlops::server
