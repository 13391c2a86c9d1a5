// CheckinSchedule: when the next check-in is due. After an answered check-in, the server's
// hint (next_checkin_seconds); after a failed one, exponential backoff from that hint
// (hint x 2^failures, at most `max_backoff_seconds`); both with +-10 % random jitter so a
// fleet that lost its server does not come back in one wave. The random source is seeded by
// the caller (the agent uses its device id), so a simulation is reproducible.
// Thread-safety: one user.
#ifndef TINYMLOPS_AGENT_CHECKIN_SCHEDULE_H_
#define TINYMLOPS_AGENT_CHECKIN_SCHEDULE_H_

#include <cstdint>
#include <random>

namespace tinymlops::agent {

class CheckinSchedule {
 public:
  explicit CheckinSchedule(uint64_t seed, int64_t max_backoff_seconds = 3600)
      : random_(seed), max_backoff_(max_backoff_seconds) {}

  // Seconds until the next check-in after one the server answered with `hint_seconds`.
  int64_t AfterSuccess(int64_t hint_seconds);
  // Seconds until the next try after one that failed (no answer, or an error answer).
  int64_t AfterFailure();
  int failures() const { return failures_; }

 private:
  int64_t Jitter(int64_t seconds);
  std::mt19937_64 random_;
  int64_t max_backoff_;
  int64_t hint_ = 60;
  int failures_ = 0;
};

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_CHECKIN_SCHEDULE_H_
