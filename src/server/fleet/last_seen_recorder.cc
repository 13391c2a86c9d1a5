#include "server/fleet/last_seen_recorder.h"

#include <cstdio>

namespace tinymlops::server {

LastSeenRecorder::LastSeenRecorder(Store& store, std::chrono::milliseconds period)
    : store_(store), period_(period), thread_([this] { Run(); }) {}

LastSeenRecorder::~LastSeenRecorder() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  const Status last = Flush();
  if (!last.ok()) {
    std::fprintf(stderr, "tinymlops-server: last-seen times not written: %s\n", last.message());
  }
}

void LastSeenRecorder::Note(const std::string& device_id, int64_t unix) {
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t& noted = noted_[device_id];
  if (unix > noted) noted = unix;
}

Status LastSeenRecorder::Flush() {
  std::lock_guard<std::mutex> one_at_a_time(flush_mutex_);
  std::unordered_map<std::string, int64_t> batch;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batch.swap(noted_);
  }
  if (batch.empty()) return Status::Ok();
  Status written = [&]() -> Status {
    TMM_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    for (const auto& [device, unix] : batch) {
      TMM_RETURN_IF_ERROR(tx->Execute("UPDATE devices SET last_seen_unix = ? WHERE id = ? AND "
                                      "last_seen_unix < ?",
                                      {unix, device, unix})
                              .status());
    }
    return tx->Commit();
  }();
  if (!written.ok()) {  // keep them for the next write
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [device, unix] : batch) {
      int64_t& noted = noted_[device];
      if (unix > noted) noted = unix;
    }
  }
  return written;
}

void LastSeenRecorder::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, period_, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    const Status written = Flush();
    if (!written.ok()) {
      std::fprintf(stderr, "tinymlops-server: last-seen times not written yet: %s\n",
                   written.message());
    }
    lock.lock();
  }
}

}  // namespace tinymlops::server
