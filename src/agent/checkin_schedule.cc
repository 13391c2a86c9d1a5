#include "agent/checkin_schedule.h"

#include <algorithm>

namespace tinymlops::agent {

int64_t CheckinSchedule::Jitter(int64_t seconds) {
  std::uniform_real_distribution<double> factor(0.9, 1.1);
  return std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(seconds) * factor(random_)));
}

int64_t CheckinSchedule::AfterSuccess(int64_t hint_seconds) {
  failures_ = 0;
  hint_ = std::max<int64_t>(1, hint_seconds);
  return Jitter(hint_);
}

int64_t CheckinSchedule::AfterFailure() {
  if (failures_ < 62) ++failures_;
  int64_t delay = hint_;
  for (int i = 0; i < failures_ && delay < max_backoff_; ++i) delay *= 2;
  return Jitter(std::min(delay, max_backoff_));
}

}  // namespace tinymlops::agent
