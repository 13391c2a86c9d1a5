// UpdateInstaller: the A/B update state machine of the agent (docs/agent-state-machine.md).
//
//   Idle -> Downloading (into the inactive slot, resumed; a variant the server offers a delta
//   for, against the version the active slot holds (as a full package, or as a base package
//   and a chain of fewer than kMaxDeltaChain deltas), is fetched as copies of those files
//   plus the delta, the whole chain applied once in a scratch loader; on any failure of that
//   path but a broken transfer, or when the chain would grow beyond kMaxDeltaChain, the full
//   package is fetched instead and the outcome `downloaded` says why) -> Verifying
//   (BLAKE2b-256 of each package against the server's artifact_hash, then each package opened
//   in a scratch PackageLoader: signature, anti-rollback, unsealing, self-tests; a delta-held
//   variant as base + chain, agent/slot_package.h) -> Switching
//   (state file: trial = new slot, attempt 1) -> Trial (the serving loader loads the new
//   package, self-tests again) -> Committed (state file: active = new slot; release counters
//   recorded) or RolledBack (active stays the old slot, which never stopped serving; the
//   release is `rejected`).
//
// Every transition that the server should hear of appends an outcome event to the outbox
// before the state file records it (so a cut may report an event twice, never lose one).
// Each load of a trial is counted in the state file before it begins (U-Boot's bootcount).
// Recover() runs once at start-up, whatever is on disk: an uncommitted trial was cut (a power
// cut, or a crash the new model caused); with fewer than kTrialAttempts attempts it is retried
// from scratch (hashes, scratch loads, the serving load, then the commit, event installed),
// at the limit it is rolled back (event rolled_back, release rejected). A trial whose package
// fails is rejected at once, never retried. Then, unless the retry committed, the active slot
// is verified and loaded; when it no longer verifies the previous committed slot is (event
// rolled_back). Afterwards loader() serves a verified model, or none when no slot holds one (a
// device not yet installed).
// Apply() moves towards what the server desires: nothing when the active slot holds it or it
// is the rejected release; otherwise the path above. A desired release that the previous slot
// still holds (a server-ordered rollback) is not downloaded again and commits with the event
// rolled_back. A fallback or rollback to an older release than the recorded counter is still
// refused by anti-rollback unless that package was signed with allow_downgrade.
// Errors: Apply returns a Status error only when it should simply be tried again (the
// download broke: it resumes; local I/O); a package that fails is an InstallResult, an event,
// and a rejected release.
// Thread-safety: one thread at a time (the serving loader's guard runs in its own thread).
// Other threads may use loader()'s model (Invoke, interpreter(), manifest()) while they hold
// serving_mutex(): every swap of the served model (install, rollback, recovery, variant
// switch) holds it, so they never meet a half-swapped model. The installer's own thread reads
// loader() without it (it is the only one that swaps).
#ifndef TINYMLOPS_AGENT_UPDATE_INSTALLER_H_
#define TINYMLOPS_AGENT_UPDATE_INSTALLER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "agent/agent_state.h"
#include "agent/check_only_release_counters.h"
#include "agent/package_download.h"
#include "agent/report_outbox.h"
#include "agent/slot_store.h"
#include "device/package_loader.h"

namespace tinymlops::agent {

// Fetches `variant`'s package to `destination` (agent/package_download.h does it over HTTP).
// For a delta the installer passes a copy of the variant naming the delta's package, hash and
// size.
using PackageFetcher = std::function<Result<DownloadReport>(const SlotVariant& variant,
                                                            const std::string& destination)>;

struct InstallerOptions {
  std::string data_folder;
  // Trusted vendors, key store, resolver, guard options. release_counters is the device's real
  // store (required): the installer checks it on every load and records it on commit.
  device::LoaderOptions loader;
  PackageFetcher fetch;
  std::function<int64_t()> now;  // unix seconds, for outcome events
};

// Loads of one trial before a restart that finds it still uncommitted rolls it back. A power
// cut during a trial (a load and its self-tests: a fraction of a second) twice in a row is
// rare; a model that crashes the agent on load does it every time, so the limit costs a crash
// loop two more restarts before the release is rejected (U-Boot's bootlimit is often 3 too).
inline constexpr uint64_t kTrialAttempts = 3;

// What the installer fetched for one release, over every Apply of it since Open: packages
// fetched as a delta and as a full package (a delta that could not be used and the full
// package fetched after it count both), and their bytes (a package's whole size, also when a
// cut transfer was resumed: the bytes a device downloads, HTTP heads and resent bytes aside).
struct ReleaseDownloads {
  uint64_t variants_by_delta = 0, variants_full = 0;
  uint64_t bytes_by_delta = 0, bytes_full = 0;
};

enum class InstallResult {
  kUnchanged,   // already active, or the rejected release
  kInstalled,   // committed a new release
  kRolledBack,  // committed the previous slot's release, as the server asked
  kFailed,      // the new release failed; the old one serves; event sent
  kRefused,     // the release cannot run on this device; event refused
};
const char* InstallResultName(InstallResult result);

class UpdateInstaller {
 public:
  // `outbox` outlives the installer.
  static Result<std::unique_ptr<UpdateInstaller>> Open(InstallerOptions options,
                                                       ReportOutbox* outbox);

  Status Recover();
  Result<InstallResult> Apply(const SlotManifest& desired);

  // Serves `variant` of the active slot instead of the one served now (the variant policy's
  // choice when the context changes); its package is hashed and loaded like any other, and on
  // failure the model served so far keeps serving. kNotFound: the slot has no such variant.
  Status ServeVariant(const std::string& variant);

  device::PackageLoader& loader() { return *loader_; }
  std::mutex& serving_mutex() { return serving_mutex_; }
  const AgentState& state() const { return state_; }
  const SlotStore& slots() const { return slots_; }
  // By version, since Open (a restarted agent counts from nothing).
  const std::map<std::string, ReleaseDownloads>& downloads() const { return downloads_; }
  // The manifest of the slot that serves, or kNotFound.
  Result<SlotManifest> ActiveRelease() const;

 private:
  UpdateInstaller(InstallerOptions options, ReportOutbox* outbox);
  device::LoaderOptions LoaderOptionsFor(bool serving);
  // Hash of every package, then each opened in a scratch loader. `self_test_failed` and
  // `unsupported` classify a failure.
  Status VerifySlot(const std::string& slot, const SlotManifest& manifest, bool* self_test_failed,
                    bool* unsupported);
  Status Report(const SlotManifest& release, const char* event, const std::string& detail);
  Status SaveState(const AgentState& state);
  Status Reject(const SlotManifest& release, const char* event, const std::string& detail);
  Status RecordRelease();
  Status ServeSlot(const std::string& slot, const SlotManifest& manifest);
  // `desired` with each delta offer the active slot can take as the last link of a chain: it
  // holds the offer's base version of that variant with the offered base hash, as a full
  // package (the chain is the offer) or as a chain of fewer than kMaxDeltaChain deltas (that
  // chain, then the offer). Any other offer is dropped; one that would make the chain longer
  // than kMaxDeltaChain says why in `not_by_delta`.
  SlotManifest WithUsableDeltas(const SlotManifest& desired, std::string* not_by_delta) const;
  // options_.fetch, counted in `downloads` (`delta`: the package is a delta).
  Result<DownloadReport> Fetch(const SlotVariant& package, const std::string& destination,
                               bool delta, ReleaseDownloads& downloads);
  // Into `target`: copies of the active slot's base and deltas but the last of `variant`'s
  // chain, the last delta's download, then a scratch apply of the whole chain; whether
  // anything was fetched. kIoError: the transfer broke (resume); other errors: use the full
  // package.
  Result<bool> FetchDelta(const std::string& target, const SlotVariant& variant,
                          ReleaseDownloads& downloads);
  // The serving loader loads `variant` of `slot`, in whichever form the slot holds it
  // (agent/slot_package.h; on failure it keeps its model), under serving_mutex_.
  Status LoadServing(const std::string& slot, const SlotVariant& variant);
  // Trial and Committed for `release` (the manifest `slot` holds; the state already names the
  // slot the trial): the serving loader loads its default variant; on failure the release is
  // rejected (false), else `event` is reported and the slot committed (true).
  Result<bool> TrialAndCommit(const std::string& slot, const SlotManifest& release,
                              const char* event, const std::string& detail);
  // Recover's part for a trial found uncommitted: retried (attempt recorded, the slot verified
  // from scratch, TrialAndCommit) or, at kTrialAttempts, rolled back and rejected. True when
  // it committed.
  Result<bool> RetryTrial();

  InstallerOptions options_;
  ReportOutbox* outbox_;
  SlotStore slots_;
  AgentStateFile state_file_;
  AgentState state_;
  CheckOnlyReleaseCounters check_only_counters_;
  std::mutex serving_mutex_;
  std::unique_ptr<device::PackageLoader> loader_;
  std::map<std::string, ReleaseDownloads> downloads_;
};

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_UPDATE_INSTALLER_H_
