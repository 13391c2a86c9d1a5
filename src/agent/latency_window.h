// LatencyWindow: the latencies of the last kCapacity inferences, in microseconds, in a fixed
// ring (no allocation ever), and their percentiles (nearest rank) for the check-in's health
// report and the variant policy's measured latency.
// Thread-safety: none; its owner serializes Add and Percentile.
#ifndef TINYMLOPS_AGENT_LATENCY_WINDOW_H_
#define TINYMLOPS_AGENT_LATENCY_WINDOW_H_

#include <array>
#include <cstddef>
#include <cstdint>

namespace tinymlops::agent {

class LatencyWindow {
 public:
  static constexpr size_t kCapacity = 256;

  void Add(uint32_t microseconds);
  void Clear() { size_ = next_ = 0; }
  // How many latencies the window holds (at most kCapacity).
  size_t size() const { return size_; }
  // The `percent` (0 < percent <= 100) percentile of the window, nearest rank; 0 when empty.
  uint32_t Percentile(double percent) const;

 private:
  std::array<uint32_t, kCapacity> samples_{};
  size_t size_ = 0, next_ = 0;
};

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_LATENCY_WINDOW_H_
