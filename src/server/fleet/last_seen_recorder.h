// LastSeenRecorder: the last time each device was heard from through a session, written to the
// store behind the requests (devices.last_seen_unix), so that a session-MACed request costs no
// write of its own (server/auth/device_session.h). A session request is noted only when the
// stored time is kLastSeenResolutionSeconds old or older: the operators' view of a device that
// talks through a session is at most that stale, and a device checking in every few seconds
// costs one write per that period.
//
// Note() keeps the newest time per device in memory; a background thread writes what was
// noted once per `period` in one transaction (a device noted many times in between costs one
// UPDATE), and the destructor writes what is left. A write never moves a device's time back
// (another process may have written a later one). What this does not keep: the times noted
// since the last write when the process is killed (at most `period` of them, by default one
// second); the device's next request notes it again. Signed requests still write their time in
// their own transaction (server/fleet/device_authenticator.h).
// Errors: a failed write is retried with the next one (the times stay noted).
// Thread-safety: Note() and Flush() from any thread.
#ifndef TINYMLOPS_SERVER_FLEET_LAST_SEEN_RECORDER_H_
#define TINYMLOPS_SERVER_FLEET_LAST_SEEN_RECORDER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "runtime/status.h"
#include "server/store/store.h"

namespace tinymlops::server {

constexpr int64_t kLastSeenResolutionSeconds = 30;

class LastSeenRecorder {
 public:
  explicit LastSeenRecorder(Store& store,
                            std::chrono::milliseconds period = std::chrono::seconds(1));
  ~LastSeenRecorder();
  LastSeenRecorder(const LastSeenRecorder&) = delete;
  LastSeenRecorder& operator=(const LastSeenRecorder&) = delete;

  void Note(const std::string& device_id, int64_t unix);
  // Writes everything noted so far, now.
  Status Flush();

 private:
  void Run();

  Store& store_;
  const std::chrono::milliseconds period_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::unordered_map<std::string, int64_t> noted_;
  std::mutex flush_mutex_;  // one Flush at a time
  std::thread thread_;
};

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_FLEET_LAST_SEEN_RECORDER_H_
