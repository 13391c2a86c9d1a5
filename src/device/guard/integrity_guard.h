// IntegrityGuard: detects a change of a loaded model's weights in memory (a flipped bit, a
// naive patch) and quarantines the model.
//
// Create() cuts the guarded regions (device/guard/weight_regions.h) into slices of
// `slice_bytes` and records a BLAKE2b-128 reference hash of each. Start() runs a background
// thread that re-hashes the slices one after the other, forever, and after each slice sleeps
// so that it uses at most `cpu_budget` of one core (hash CPU time t, then sleep
// t * (1 - budget) / budget); the thread runs at the lowest priority (nice 19), so on a busy
// core it yields to inference. Each slice is compared to its own reference, so a change is found
// the next time the guard reaches that slice: within one verification period (one full pass)
// of the change. On a mismatch the guard is quarantined (quarantined() turns true, for good)
// and an IntegrityEvent is recorded for reporting. VerifyAll() does one full pass at once.
//
// Not protected against: an attacker who can also patch the guard or the reference hashes (see
// docs/threat-model.md). The guarded bytes must stay valid until the guard is destroyed.
// Errors: Create rejects a budget outside (0, 1] or a zero slice size (kInvalidArgument).
// Thread-safety: every method may be called from any thread while the guard thread runs.
#ifndef TINYMLOPS_DEVICE_GUARD_INTEGRITY_GUARD_H_
#define TINYMLOPS_DEVICE_GUARD_INTEGRITY_GUARD_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "device/guard/weight_regions.h"
#include "runtime/status.h"

namespace tinymlops::device {

struct GuardOptions {
  double cpu_budget = 0.01;        // fraction of one core for the background thread
  size_t slice_bytes = 64u << 10;  // bytes hashed between two sleeps
};

struct IntegrityEvent {
  size_t region = 0;  // index of the guarded region that changed
  size_t offset = 0;  // first byte of the changed slice within that region
  size_t bytes = 0;   // slice length
  std::chrono::system_clock::time_point detected_at;
  std::chrono::steady_clock::time_point detected_steady;  // for detection-latency measurements
};

class IntegrityGuard {
 public:
  static Result<std::unique_ptr<IntegrityGuard>> Create(std::vector<ByteRegion> regions,
                                                        GuardOptions options = {});
  ~IntegrityGuard();  // stops the thread
  IntegrityGuard(const IntegrityGuard&) = delete;
  IntegrityGuard& operator=(const IntegrityGuard&) = delete;

  void Start();  // idempotent
  void Stop();   // idempotent; waits for the thread
  // One full pass now, in the caller's thread; then health(): quarantine is for good.
  Status VerifyAll();

  bool quarantined() const { return quarantined_.load(std::memory_order_acquire); }
  // OK, or "the model is quarantined: ..." saying which bytes changed and when.
  Status health() const;
  std::vector<IntegrityEvent> events() const;

  size_t guarded_bytes() const { return guarded_bytes_; }
  size_t slice_count() const { return slices_.size(); }
  uint64_t passes_completed() const { return passes_.load(std::memory_order_acquire); }
  // Wall time of the last full background pass (0 before the first): the verification period,
  // which bounds the detection time of a change.
  std::chrono::nanoseconds last_period() const;
  const GuardOptions& options() const { return options_; }

 private:
  struct Slice {
    size_t region, offset, bytes;
    const uint8_t* data;
    uint8_t reference[16];
  };
  explicit IntegrityGuard(GuardOptions options) : options_(options) {}
  // Hashes slice `index`; quarantines and returns false on a mismatch.
  bool CheckSlice(size_t index);
  void Run();

  GuardOptions options_;
  std::vector<Slice> slices_;
  size_t guarded_bytes_ = 0;
  std::atomic<bool> quarantined_{false};
  std::atomic<uint64_t> passes_{0};
  std::atomic<int64_t> last_period_ns_{0};
  mutable std::mutex mutex_;  // events_, stop_, the thread's sleep
  std::condition_variable wake_;
  std::vector<IntegrityEvent> events_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tinymlops::device

#endif  // TINYMLOPS_DEVICE_GUARD_INTEGRITY_GUARD_H_
