// CheckOnlyReleaseCounters: a view of a ReleaseCounterStore that answers Installed() from it
// and records nothing. The installer gives it to every PackageLoader it uses, so loading a
// package (verifying a download, trying an update) checks anti-rollback without moving the
// counter; the installer records the release itself once the slot is committed. (Were the
// counter recorded when the trial loads, an update that then fails would leave the device
// unable to go back to its previous, committed slot.)
// Thread-safety: as the underlying store.
#ifndef TINYMLOPS_AGENT_CHECK_ONLY_RELEASE_COUNTERS_H_
#define TINYMLOPS_AGENT_CHECK_ONLY_RELEASE_COUNTERS_H_

#include "device/release_counter_store.h"

namespace tinymlops::agent {

class CheckOnlyReleaseCounters : public device::ReleaseCounterStore {
 public:
  explicit CheckOnlyReleaseCounters(device::ReleaseCounterStore& store) : store_(store) {}
  Result<uint64_t> Installed(const std::string& model_id) override {
    return store_.Installed(model_id);
  }
  Status Record(const std::string&, uint64_t) override { return Status::Ok(); }

 private:
  device::ReleaseCounterStore& store_;
};

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_CHECK_ONLY_RELEASE_COUNTERS_H_
