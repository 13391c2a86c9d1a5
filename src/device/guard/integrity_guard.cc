#include "device/guard/integrity_guard.h"

#include <sodium.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "crypto/sodium_init.h"

namespace tinymlops::device {
namespace {

constexpr size_t kSliceHashBytes = 16;

void HashSlice(const uint8_t* data, size_t size, uint8_t* out) {
  crypto_generichash(out, kSliceHashBytes, data, size, nullptr, 0);
}

std::chrono::nanoseconds ThreadCpuTime() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

}  // namespace

Result<std::unique_ptr<IntegrityGuard>> IntegrityGuard::Create(std::vector<ByteRegion> regions,
                                                               GuardOptions options) {
  TMM_RETURN_IF_ERROR(crypto::InitializeSodium());
  if (!(options.cpu_budget > 0 && options.cpu_budget <= 1) || options.slice_bytes == 0)
    return Status::Error(StatusCode::kInvalidArgument,
                         "the guard's CPU budget must be in (0, 1] and its slice size above 0");
  std::unique_ptr<IntegrityGuard> guard(new IntegrityGuard(options));
  for (size_t r = 0; r < regions.size(); ++r)
    for (size_t offset = 0; offset < regions[r].size; offset += options.slice_bytes) {
      Slice slice{r,
                  offset,
                  std::min(options.slice_bytes, regions[r].size - offset),
                  regions[r].data + offset,
                  {}};
      HashSlice(slice.data, slice.bytes, slice.reference);
      guard->guarded_bytes_ += slice.bytes;
      guard->slices_.push_back(slice);
    }
  return guard;
}

IntegrityGuard::~IntegrityGuard() { Stop(); }

void IntegrityGuard::Start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (thread_.joinable() || slices_.empty()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void IntegrityGuard::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool IntegrityGuard::CheckSlice(size_t index) {
  const Slice& slice = slices_[index];
  uint8_t digest[kSliceHashBytes];
  HashSlice(slice.data, slice.bytes, digest);
  if (sodium_memcmp(digest, slice.reference, kSliceHashBytes) == 0) return true;
  IntegrityEvent event;
  event.region = slice.region;
  event.offset = slice.offset;
  event.bytes = slice.bytes;
  event.detected_at = std::chrono::system_clock::now();
  event.detected_steady = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  // One event per changed slice: it stays changed, and the model stays quarantined.
  for (const IntegrityEvent& seen : events_)
    if (seen.region == event.region && seen.offset == event.offset) return false;
  events_.push_back(event);
  quarantined_.store(true, std::memory_order_release);
  return false;
}

Status IntegrityGuard::VerifyAll() {
  for (size_t i = 0; i < slices_.size(); ++i) CheckSlice(i);
  return health();
}

void IntegrityGuard::Run() {
  const double sleep_factor = (1 - options_.cpu_budget) / options_.cpu_budget;
  // The lowest priority (Linux: nice is per thread): the guard yields to inference on a busy
  // core; its budget still bounds it on an idle one.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19);
  // CPU time is counted from one check to the next, so waking up and sleeping count too.
  auto cpu_mark = ThreadCpuTime();
  while (true) {
    const auto pass_start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < slices_.size(); ++i) {
      CheckSlice(i);
      const auto now = ThreadCpuTime();
      const auto spent = now - cpu_mark;
      cpu_mark = now;
      const auto pause = std::chrono::nanoseconds(
          static_cast<int64_t>(static_cast<double>(spent.count()) * sleep_factor));
      std::unique_lock<std::mutex> lock(mutex_);
      if (wake_.wait_for(lock, pause, [this] { return stop_; })) return;
    }
    last_period_ns_.store((std::chrono::steady_clock::now() - pass_start).count(),
                          std::memory_order_release);
    passes_.fetch_add(1, std::memory_order_acq_rel);
  }
}

Status IntegrityGuard::health() const {
  if (!quarantined()) return Status::Ok();
  std::lock_guard<std::mutex> lock(mutex_);
  const IntegrityEvent& first = events_.front();
  return Status::Error(StatusCode::kFailedPrecondition,
                       "the model is quarantined: its weights changed in memory (region %zu, "
                       "bytes %zu to %zu; %zu changed slice(s)); inference is refused: reload "
                       "the package and check the device's memory",
                       first.region, first.offset, first.offset + first.bytes, events_.size());
}

std::vector<IntegrityEvent> IntegrityGuard::events() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return events_;
}

std::chrono::nanoseconds IntegrityGuard::last_period() const {
  return std::chrono::nanoseconds(last_period_ns_.load(std::memory_order_acquire));
}

}  // namespace tinymlops::device
