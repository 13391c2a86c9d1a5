// FileReleaseCounterStore: a ReleaseCounterStore in a folder: FOLDER/<key id of the model id>
// .release holds the decimal release, replaced atomically (write, fsync, rename); the folder
// is created (mode 0700) on the first record. A root user
// can edit these files: anti-rollback against the device owner needs a TPM counter (see
// docs/threat-model.md). Errors: kIoError naming the file. Thread-safety: one writer per folder.
#ifndef TINYMLOPS_DEVICE_FILE_RELEASE_COUNTER_STORE_H_
#define TINYMLOPS_DEVICE_FILE_RELEASE_COUNTER_STORE_H_

#include <string>

#include "device/release_counter_store.h"

namespace tinymlops::device {

class FileReleaseCounterStore : public ReleaseCounterStore {
 public:
  explicit FileReleaseCounterStore(std::string folder) : folder_(std::move(folder)) {}
  Result<uint64_t> Installed(const std::string& model_id) override;
  Status Record(const std::string& model_id, uint64_t release) override;

 private:
  std::string PathFor(const std::string& model_id) const;
  std::string folder_;
};

}  // namespace tinymlops::device

#endif  // TINYMLOPS_DEVICE_FILE_RELEASE_COUNTER_STORE_H_
