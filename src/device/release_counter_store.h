// ReleaseCounterStore: the highest release of each model a device has installed, kept across
// restarts, so the loader can refuse a rollback to an older signed package. On a device with a
// TPM, its monotonic counters or NV storage belong behind this interface;
// device/file_release_counter_store.h keeps one small file per model.
// Errors: kIoError when the storage cannot be read or written.
// Thread-safety: implementations must allow concurrent calls.
#ifndef TINYMLOPS_DEVICE_RELEASE_COUNTER_STORE_H_
#define TINYMLOPS_DEVICE_RELEASE_COUNTER_STORE_H_

#include <cstdint>
#include <string>

#include "runtime/status.h"

namespace tinymlops::device {

class ReleaseCounterStore {
 public:
  virtual ~ReleaseCounterStore() = default;
  // The highest release recorded for `model_id`, 0 if none.
  virtual Result<uint64_t> Installed(const std::string& model_id) = 0;
  // Records `release` if it is higher than the recorded one (the counter never goes down).
  virtual Status Record(const std::string& model_id, uint64_t release) = 0;
};

}  // namespace tinymlops::device

#endif  // TINYMLOPS_DEVICE_RELEASE_COUNTER_STORE_H_
