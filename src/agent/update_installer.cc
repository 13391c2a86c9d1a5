#include "agent/update_installer.h"

#include "agent/artifact_hash.h"
#include "agent/durable_file.h"
#include "agent/slot_package.h"

namespace tinymlops::agent {
namespace {

// Adds to the `downloaded` outcome's detail why `variant`'s delta was not used.
void AddNotByDelta(std::string* detail, const std::string& variant, const std::string& reason) {
  *detail += (detail->empty() ? "" : "; ") + std::string("the delta of ") + variant +
             " was not used (" + reason + "): the full package was downloaded instead";
}

}  // namespace

const char* InstallResultName(InstallResult result) {
  switch (result) {
    case InstallResult::kUnchanged:
      return "unchanged";
    case InstallResult::kInstalled:
      return "installed";
    case InstallResult::kRolledBack:
      return "rolled back";
    case InstallResult::kFailed:
      return "failed";
    case InstallResult::kRefused:
      return "refused";
  }
  return "unknown";
}

UpdateInstaller::UpdateInstaller(InstallerOptions options, ReportOutbox* outbox)
    : options_(std::move(options)),
      outbox_(outbox),
      slots_(options_.data_folder),
      state_file_(options_.data_folder),
      check_only_counters_(*options_.loader.release_counters) {}

Result<std::unique_ptr<UpdateInstaller>> UpdateInstaller::Open(InstallerOptions options,
                                                               ReportOutbox* outbox) {
  if (options.loader.release_counters == nullptr || options.loader.resolver == nullptr ||
      !options.fetch || !options.now || outbox == nullptr)
    return Status::Error(StatusCode::kInternal,
                         "the update installer needs release counters, an op resolver, a "
                         "package fetcher, a clock and an outbox");
  std::unique_ptr<UpdateInstaller> installer(new UpdateInstaller(std::move(options), outbox));
  TMM_RETURN_IF_ERROR(MakeFolder(installer->options_.data_folder));
  TMM_RETURN_IF_ERROR(installer->slots_.Create());
  installer->loader_ = std::make_unique<device::PackageLoader>(installer->LoaderOptionsFor(true));
  return installer;
}

device::LoaderOptions UpdateInstaller::LoaderOptionsFor(bool serving) {
  device::LoaderOptions options = options_.loader;
  options.release_counters = &check_only_counters_;
  if (!serving) options.start_guard = false;
  return options;
}

Result<SlotManifest> UpdateInstaller::ActiveRelease() const {
  if (state_.active.empty() || !loader_->ready())
    return Status::Error(StatusCode::kNotFound, "no release is installed yet");
  return slots_.ReadManifest(state_.active);
}

Status UpdateInstaller::Report(const SlotManifest& release, const char* event,
                               const std::string& detail) {
  OutcomeEvent outcome;
  outcome.deployment = release.deployment;
  outcome.version = release.version;
  outcome.event = event;
  // The protocol caps a detail at 1024 bytes; cut on a UTF-8 character boundary.
  size_t length = std::min<size_t>(detail.size(), 1000);
  while (length > 0 && length < detail.size() &&
         (static_cast<unsigned char>(detail[length]) & 0xC0) == 0x80)
    --length;
  outcome.detail = detail.substr(0, length);
  outcome.unix = options_.now();
  auto appended = outbox_->Append(std::move(outcome));
  return appended.ok() ? Status::Ok() : appended.status();
}

Status UpdateInstaller::SaveState(const AgentState& state) {
  TMM_RETURN_IF_ERROR(state_file_.Save(state));
  state_ = state;
  return Status::Ok();
}

Status UpdateInstaller::Reject(const SlotManifest& release, const char* event,
                               const std::string& detail) {
  TMM_RETURN_IF_ERROR(Report(release, event, detail));
  AgentState next = state_;
  next.trial.clear();
  next.trial_attempts = 0;
  next.rejected_deployment = release.deployment;
  next.rejected_version = release.version;
  return SaveState(next);
}

Status UpdateInstaller::RecordRelease() {
  const tpkg::ManifestT* served = loader_->manifest();
  if (served == nullptr) return Status::Ok();
  return options_.loader.release_counters->Record(served->model_id, served->release);
}

Status UpdateInstaller::VerifySlot(const std::string& slot, const SlotManifest& manifest,
                                   bool* self_test_failed, bool* unsupported) {
  *self_test_failed = *unsupported = false;
  for (const SlotVariant& variant : manifest.variants)
    TMM_RETURN_IF_ERROR(CheckSlotPackage(slots_, slot, variant));
  for (const SlotVariant& variant : manifest.variants) {
    device::PackageLoader scratch(LoaderOptionsFor(false));
    const Status loaded = LoadSlotPackage(scratch, slots_, slot, variant);
    if (!loaded.ok()) {
      *self_test_failed = scratch.last_load_failed_self_test();
      *unsupported = loaded.code() == StatusCode::kUnsupported;
      return loaded;
    }
  }
  return Status::Ok();
}

Status UpdateInstaller::ServeSlot(const std::string& slot, const SlotManifest& manifest) {
  for (const SlotVariant& variant : manifest.variants)
    TMM_RETURN_IF_ERROR(CheckSlotPackage(slots_, slot, variant));
  return LoadServing(slot, *manifest.Find(manifest.default_variant));
}

Status UpdateInstaller::ServeVariant(const std::string& variant) {
  TMM_ASSIGN_OR_RETURN(const SlotManifest active, ActiveRelease());
  const SlotVariant* chosen = active.Find(variant);
  if (chosen == nullptr)
    return Status::Error(StatusCode::kNotFound, "release %s %s has no variant '%s'",
                         active.model.c_str(), active.version.c_str(), variant.c_str());
  if (loader_->manifest()->variant == variant) return Status::Ok();
  TMM_RETURN_IF_ERROR(CheckSlotPackage(slots_, state_.active, *chosen));
  return LoadServing(state_.active, *chosen);
}

Status UpdateInstaller::LoadServing(const std::string& slot, const SlotVariant& variant) {
  std::lock_guard<std::mutex> lock(serving_mutex_);
  return LoadSlotPackage(*loader_, slots_, slot, variant);
}

SlotManifest UpdateInstaller::WithUsableDeltas(const SlotManifest& desired,
                                               std::string* not_by_delta) const {
  SlotManifest usable = desired;
  auto active = ActiveRelease();
  for (SlotVariant& variant : usable.variants) {
    if (variant.deltas.empty()) continue;
    const SlotDelta offer = variant.deltas.back();
    const SlotVariant* base = active.ok() && active->model == desired.model &&
                                      active->version == offer.base_version
                                  ? active->Find(variant.name)
                                  : nullptr;
    variant.deltas.clear();
    if (base == nullptr || base->artifact_hash != offer.base_artifact_hash) continue;
    if (base->deltas.size() >= kMaxDeltaChain) {
      AddNotByDelta(not_by_delta, variant.name,
                    "the installed " + offer.base_version + " is already " +
                        std::to_string(base->deltas.size()) +
                        " deltas from its base package, the most a slot chains");
      continue;
    }
    variant.deltas = base->deltas;  // the chain the active slot holds, then the offer
    variant.deltas.push_back(offer);
  }
  return usable;
}

Result<DownloadReport> UpdateInstaller::Fetch(const SlotVariant& package,
                                              const std::string& destination, bool delta,
                                              ReleaseDownloads& downloads) {
  TMM_ASSIGN_OR_RETURN(const DownloadReport report, options_.fetch(package, destination));
  if (!report.already_present) {
    (delta ? downloads.variants_by_delta : downloads.variants_full) += 1;
    (delta ? downloads.bytes_by_delta : downloads.bytes_full) +=
        report.resumed_from + report.bytes_received;
  }
  return report;
}

Result<bool> UpdateInstaller::FetchDelta(const std::string& target, const SlotVariant& variant,
                                         ReleaseDownloads& downloads) {
  const std::vector<SlotDelta>& chain = variant.deltas;
  // The base and every delta but the last: copies of the active slot's files (which hold the
  // chain so far), so that this slot stands alone. Each is replaced durably, then hash-checked.
  std::vector<std::pair<std::string, std::string>> copies = {
      {slots_.BasePath(target, variant.name), chain.front().base_artifact_hash}};
  for (size_t link = 0; link + 1 < chain.size(); ++link)
    copies.emplace_back(slots_.DeltaPath(target, variant.name, link), chain[link].artifact_hash);
  const Result<SlotManifest> active =
      state_.active.empty() || state_.active == target
          ? Result<SlotManifest>(Status::Error(StatusCode::kNotFound, "no active slot"))
          : slots_.ReadManifest(state_.active);
  const SlotVariant* source_variant = active.ok() ? active->Find(variant.name) : nullptr;
  bool fetched = false;
  for (size_t i = 0; i < copies.size(); ++i) {
    const auto& [path, hash] = copies[i];
    auto held = ArtifactHashOfFile(path);
    if (held.ok() && *held == hash) continue;  // copied by an earlier Apply of this release
    if (source_variant == nullptr)
      return Status::Error(StatusCode::kNotFound,
                           "no installed slot holds the delta's base %s of %s",
                           chain.back().base_version.c_str(), variant.name.c_str());
    const std::string source =
        i > 0                             ? slots_.DeltaPath(state_.active, variant.name, i - 1)
        : source_variant->deltas.empty() ? slots_.PackagePath(state_.active, variant.name)
                                          : slots_.BasePath(state_.active, variant.name);
    TMM_ASSIGN_OR_RETURN(const std::string bytes, ReadFile(source));
    TMM_RETURN_IF_ERROR(WriteFileDurably(path, bytes));
    TMM_ASSIGN_OR_RETURN(const std::string copied, ArtifactHashOfFile(path));
    if (copied != hash)
      return Status::Error(StatusCode::kInvalidArgument,
                           "the installed '%s' is not the file the chain of deltas to %s needs "
                           "(BLAKE2b-256 %.16s..., not %.16s...)",
                           source.c_str(), variant.name.c_str(), copied.c_str(), hash.c_str());
    fetched = true;
  }
  SlotVariant download = variant;
  download.package = chain.back().package;
  download.artifact_hash = chain.back().artifact_hash;
  download.artifact_bytes = chain.back().artifact_bytes;
  TMM_ASSIGN_OR_RETURN(
      const DownloadReport report,
      Fetch(download, slots_.DeltaPath(target, variant.name, chain.size() - 1), true, downloads));
  fetched = fetched || !report.already_present;
  // Applied in a scratch loader: the base's signature, then each delta's signature, base model
  // hash and result hash in turn.
  device::PackageLoader scratch(LoaderOptionsFor(false));
  TMM_RETURN_IF_ERROR(LoadSlotPackage(scratch, slots_, target, variant));
  return fetched;
}

Result<bool> UpdateInstaller::TrialAndCommit(const std::string& slot, const SlotManifest& release,
                                             const char* event, const std::string& detail) {
  // Trial: the serving loader loads the new package; on failure it keeps the old model.
  const Status trial = LoadServing(slot, *release.Find(release.default_variant));
  if (!trial.ok()) {
    TMM_RETURN_IF_ERROR(Reject(
        release, loader_->last_load_failed_self_test() ? "self_test_failed" : "install_failed",
        trial.message()));
    return false;
  }
  // Committed.
  TMM_RETURN_IF_ERROR(Report(release, event, detail));
  AgentState committed = state_;
  committed.previous = committed.active;
  committed.active = committed.last_committed = slot;
  committed.trial.clear();
  committed.trial_attempts = 0;
  committed.rejected_deployment.clear();
  committed.rejected_version.clear();
  TMM_RETURN_IF_ERROR(SaveState(committed));
  TMM_RETURN_IF_ERROR(RecordRelease());
  return true;
}

Result<bool> UpdateInstaller::RetryTrial() {
  const std::string slot = state_.trial;
  auto trial = slots_.ReadManifest(slot);
  if (!trial.ok()) {
    TMM_RETURN_IF_ERROR(Reject(SlotManifest(), "rolled_back",
                               "the agent restarted during the trial of slot " + slot +
                                   ", whose manifest no longer reads (" + trial.status().message() +
                                   "); back to the committed slot"));
    return false;
  }
  if (state_.trial_attempts >= kTrialAttempts) {
    // Cut every time: more likely the new model stops the agent than the power. Go back.
    TMM_RETURN_IF_ERROR(
        Reject(*trial, "rolled_back",
               "the agent restarted during each of " + std::to_string(state_.trial_attempts) +
                   " attempts of the trial of slot " + slot + "; back to the committed slot"));
    return false;
  }
  // Recorded before anything of the slot is loaded: a load that stops the agent is counted.
  AgentState attempt = state_;
  ++attempt.trial_attempts;
  TMM_RETURN_IF_ERROR(SaveState(attempt));
  bool self_test_failed = false, unsupported = false;
  const Status verified = VerifySlot(slot, *trial, &self_test_failed, &unsupported);
  if (!verified.ok()) {
    TMM_RETURN_IF_ERROR(Reject(*trial,
                               unsupported        ? "refused"
                               : self_test_failed ? "self_test_failed"
                                                  : "install_failed",
                               verified.message()));
    return false;
  }
  return TrialAndCommit(slot, *trial, "installed",
                        "on attempt " + std::to_string(attempt.trial_attempts) + " of " +
                            std::to_string(kTrialAttempts) +
                            " of the trial: the agent restarted during the ones before");
}

Status UpdateInstaller::Recover() {
  TMM_ASSIGN_OR_RETURN(state_, state_file_.Load(slots_));
  if (!state_.trial.empty()) {
    TMM_ASSIGN_OR_RETURN(const bool committed, RetryTrial());
    if (committed) return Status::Ok();  // the new slot serves, verified
  }
  if (state_.active.empty()) return Status::Ok();  // nothing was ever committed
  std::string failure;
  for (const std::string& slot : {state_.active, state_.previous}) {
    if (slot.empty()) continue;
    auto manifest = slots_.ReadManifest(slot);
    Status served = manifest.ok() ? ServeSlot(slot, *manifest) : manifest.status();
    if (!served.ok()) {
      failure +=
          std::string(failure.empty() ? "" : "; ") + "slot " + slot + ": " + served.message();
      continue;
    }
    if (slot != state_.active) {
      TMM_RETURN_IF_ERROR(
          Report(*manifest, "rolled_back",
                 "the active slot no longer verifies (" + failure + "); back to slot " + slot));
      AgentState next = state_;
      next.active = next.last_committed = slot;
      next.previous.clear();
      TMM_RETURN_IF_ERROR(SaveState(next));
    }
    return RecordRelease();
  }
  return Status::Error(StatusCode::kFailedPrecondition,
                       "no installed slot holds a model that verifies (%s); the agent serves "
                       "nothing until the server sends a release",
                       failure.c_str());
}

Result<InstallResult> UpdateInstaller::Apply(const SlotManifest& desired) {
  auto active = ActiveRelease();
  if (active.ok() && active->SameRelease(desired)) {
    TMM_RETURN_IF_ERROR(slots_.Prepare(state_.active, desired));  // a new policy, if any
    return InstallResult::kUnchanged;
  }
  if (desired.deployment == state_.rejected_deployment &&
      desired.version == state_.rejected_version)
    return InstallResult::kUnchanged;
  if (desired.variants.empty()) {
    TMM_RETURN_IF_ERROR(
        Reject(desired, "refused", "no variant of this release fits the device's profile"));
    return InstallResult::kRefused;
  }
  if (desired.Find(desired.default_variant) == nullptr)
    return Status::Error(StatusCode::kInvalidArgument,
                         "the server's release names default variant '%s', which it does not "
                         "list",
                         desired.default_variant.c_str());

  // Downloading, into the slot that does not serve.
  const std::string target = state_.active.empty() ? "a" : OtherSlot(state_.active);
  auto held = slots_.ReadManifest(target);
  const bool back_to_previous =
      target == state_.previous && held.ok() && held->SameRelease(desired);
  std::string not_by_delta;  // why a delta offered was not used, for the outcome's detail
  TMM_RETURN_IF_ERROR(slots_.Prepare(target, WithUsableDeltas(desired, &not_by_delta)));
  TMM_ASSIGN_OR_RETURN(const SlotManifest prepared, slots_.ReadManifest(target));
  ReleaseDownloads& downloads = downloads_[desired.version];
  bool fetched_any = false;
  for (const SlotVariant& variant : prepared.variants) {
    if (!variant.deltas.empty()) {
      auto by_delta = FetchDelta(target, variant, downloads);
      if (by_delta.ok()) {
        fetched_any = fetched_any || *by_delta;
        continue;
      }
      // A broken transfer resumes on the next try; any other failure takes the full package.
      if (by_delta.status().code() == StatusCode::kIoError) return by_delta.status();
      AddNotByDelta(&not_by_delta, variant.name, by_delta.status().message());
      TMM_RETURN_IF_ERROR(slots_.DropDeltas(target, variant.name));
    }
    auto report =
        Fetch(variant, slots_.PackagePath(target, variant.name), /*delta=*/false, downloads);
    if (!report.ok()) {
      if (report.status().code() != StatusCode::kInvalidArgument) return report.status();
      TMM_RETURN_IF_ERROR(
          Reject(desired, "install_failed",
                 report.status().message() + (not_by_delta.empty() ? "" : "; " + not_by_delta)));
      return InstallResult::kFailed;
    }
    fetched_any = fetched_any || !report->already_present;
  }
  if (fetched_any) TMM_RETURN_IF_ERROR(Report(desired, "downloaded", not_by_delta));
  // What the slot holds now, each variant in the form it was fetched in.
  TMM_ASSIGN_OR_RETURN(const SlotManifest installed, slots_.ReadManifest(target));
  if (back_to_previous) {
    // The slot is no longer a committed one until it commits again.
    AgentState next = state_;
    next.previous.clear();
    TMM_RETURN_IF_ERROR(SaveState(next));
  }

  // Verifying, in scratch loaders: nothing serving changes.
  bool self_test_failed = false, unsupported = false;
  const Status verified = VerifySlot(target, installed, &self_test_failed, &unsupported);
  if (!verified.ok()) {
    const char* event = unsupported        ? "refused"
                        : self_test_failed ? "self_test_failed"
                                           : "install_failed";
    TMM_RETURN_IF_ERROR(Reject(desired, event, verified.message()));
    return unsupported ? InstallResult::kRefused : InstallResult::kFailed;
  }

  // Switching: from here a restart retries the trial, kTrialAttempts times at most (Recover).
  AgentState switching = state_;
  switching.trial = target;
  switching.trial_attempts = 1;
  TMM_RETURN_IF_ERROR(SaveState(switching));

  TMM_ASSIGN_OR_RETURN(
      const bool committed,
      TrialAndCommit(target, installed, back_to_previous ? "rolled_back" : "installed",
                     back_to_previous ? "back to the previous slot, as the server asked" : ""));
  if (!committed) return InstallResult::kFailed;
  return back_to_previous ? InstallResult::kRolledBack : InstallResult::kInstalled;
}

}  // namespace tinymlops::agent
