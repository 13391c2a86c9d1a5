#include "agent/latency_window.h"

#include <algorithm>
#include <cmath>

namespace tinymlops::agent {

void LatencyWindow::Add(uint32_t microseconds) {
  samples_[next_] = microseconds;
  next_ = (next_ + 1) % kCapacity;
  if (size_ < kCapacity) ++size_;
}

uint32_t LatencyWindow::Percentile(double percent) const {
  if (size_ == 0) return 0;
  std::array<uint32_t, kCapacity> sorted = samples_;
  const double rank =
      std::ceil(std::clamp(percent, 0.0, 100.0) / 100.0 * static_cast<double>(size_));
  const size_t index = std::min(size_ - 1, rank < 1 ? size_t{0} : static_cast<size_t>(rank) - 1);
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<ptrdiff_t>(index),
                   sorted.begin() + static_cast<ptrdiff_t>(size_));
  return sorted[index];
}

}  // namespace tinymlops::agent
