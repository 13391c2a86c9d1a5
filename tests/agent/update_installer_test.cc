// The update state machine, transition by transition and recovery case by recovery case,
// against a real server: packages really downloaded, verified, unsealed and self-tested.
// A kill point is simulated by putting the data folder into the state a cut at that point
// leaves (docs/agent-state-machine.md), then restarting the installer.
#include <fstream>

#include "agent/agent_state.h"
#include "agent/durable_file.h"
#include "agent_fixture.h"

namespace tinymlops::agent {
namespace {

using Strings = std::vector<std::string>;

class UpdateInstallerTest : public AgentFixture {
 protected:
  InstallResult MustApply(const SlotManifest& desired) {
    auto result = installer_->Apply(desired);
    EXPECT_TRUE(result.ok()) << result.status().message();
    return result.ok() ? *result : InstallResult::kFailed;
  }
  void FlipByte(const std::string& path, long offset_from_end) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(file.good()) << path;
    file.seekg(-offset_from_end, std::ios::end);
    char c;
    file.get(c);
    file.seekp(-offset_from_end, std::ios::end);
    file.put(static_cast<char>(c ^ 0x20));
  }
  void SaveState(const AgentState& state) { ASSERT_TRUE(AgentStateFile(data_).Save(state).ok()); }
  // The state a cut leaves after Switching: slot a committed and active, b on trial, `attempts`
  // trial loads counted.
  void SaveCutTrialOfB(uint64_t attempts) {
    AgentState trial;
    trial.active = trial.last_committed = "a";
    trial.trial = "b";
    trial.trial_attempts = attempts;
    SaveState(trial);
  }
};

TEST_P(UpdateInstallerTest, FirstInstallDownloadsVerifiesAndCommitsSlotA) {
  const SlotManifest v1 = Upload("1.0.0", 1);
  ASSERT_TRUE(Restart().ok());
  EXPECT_FALSE(installer_->loader().ready());  // a new device serves nothing yet
  EXPECT_EQ(MustApply(v1), InstallResult::kInstalled);
  EXPECT_EQ(Serve(installer_->loader()), Expected(1));
  EXPECT_EQ(installer_->state().active, "a");
  EXPECT_EQ(installer_->state().trial, "");
  EXPECT_EQ(Events(), (Strings{"downloaded 1.0.0", "installed 1.0.0"}));
  ASSERT_EQ(outbox_->Pending().size(), 2u);
  EXPECT_EQ(outbox_->Pending()[0].sequence + 1, outbox_->Pending()[1].sequence);
  // The slot holds the package as downloaded (encrypted at rest) and its manifest.
  auto held = installer_->slots().ReadManifest("a");
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->SameRelease(v1));
  // The same release again changes nothing.
  EXPECT_EQ(MustApply(v1), InstallResult::kUnchanged);
  // A restart serves it again; the release counter was recorded at commit.
  ASSERT_TRUE(Restart().ok());
  EXPECT_EQ(Serve(installer_->loader()), Expected(1));
  EXPECT_EQ(*device::FileReleaseCounterStore(data_ + "/releases").Installed("digits"), 1u);
}

TEST_P(UpdateInstallerTest, UpdateGoesToTheOtherSlotAndKeepsThePreviousOne) {
  const SlotManifest v1 = Upload("1.0.0", 1), v2 = Upload("1.1.0", 2, 2);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(MustApply(v1), InstallResult::kInstalled);
  ASSERT_EQ(MustApply(v2), InstallResult::kInstalled);
  EXPECT_EQ(Serve(installer_->loader()), Expected(2));
  EXPECT_EQ(installer_->state().active, "b");
  EXPECT_EQ(installer_->state().previous, "a");
  EXPECT_TRUE(installer_->slots().ReadManifest("a")->SameRelease(v1));
  EXPECT_EQ(*device::FileReleaseCounterStore(data_ + "/releases").Installed("digits"), 2u);
}

TEST_P(UpdateInstallerTest, SelfTestFailureKeepsTheOldModelAndIsNotRetried) {
  const SlotManifest v1 = Upload("1.0.0", 1);
  const SlotManifest bad = Upload("1.1.0", 3, 1, /*self_test_seed=*/1);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(MustApply(v1), InstallResult::kInstalled);
  EXPECT_EQ(MustApply(bad), InstallResult::kFailed);
  EXPECT_EQ(Serve(installer_->loader()), Expected(1));
  EXPECT_EQ(installer_->state().active, "a");
  EXPECT_EQ(installer_->state().rejected_version, "1.1.0");
  EXPECT_EQ(Events(), (Strings{"downloaded 1.0.0", "installed 1.0.0", "downloaded 1.1.0",
                               "self_test_failed 1.1.0"}));
  // The server still asks for it: not retried until it asks for something else.
  EXPECT_EQ(MustApply(bad), InstallResult::kUnchanged);
  EXPECT_EQ(Events().size(), 4u);
  ASSERT_TRUE(Restart().ok());
  EXPECT_EQ(Serve(installer_->loader()), Expected(1));
}

TEST_P(UpdateInstallerTest, CorruptedDownloadIsInstallFailedAndTheOldModelServes) {
  const SlotManifest v1 = Upload("1.0.0", 1), v2 = Upload("1.1.0", 2);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(MustApply(v1), InstallResult::kInstalled);
  FlipByte(ServerArtifactPath(v2), 100);  // the server's copy rotted on its disk
  EXPECT_EQ(MustApply(v2), InstallResult::kFailed);
  EXPECT_EQ(Events(), (Strings{"downloaded 1.0.0", "installed 1.0.0", "install_failed 1.1.0"}));
  EXPECT_NE(outbox_->Pending().back().detail.find("BLAKE2b-256"), std::string::npos);
  EXPECT_EQ(Serve(installer_->loader()), Expected(1));
  // Nothing of the bad download is kept.
  EXPECT_FALSE(std::filesystem::exists(installer_->slots().PackagePath("b", "fp32") + ".part"));
}

TEST_P(UpdateInstallerTest, ServerOrderedRollbackSwitchesBackWithoutDownloading) {
  const SlotManifest v1 = Upload("1.0.0", 1), v2 = Upload("1.1.0", 2);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(MustApply(v1), InstallResult::kInstalled);
  ASSERT_EQ(MustApply(v2), InstallResult::kInstalled);
  EXPECT_EQ(MustApply(v1), InstallResult::kRolledBack);  // desired = the previous version
  EXPECT_EQ(Serve(installer_->loader()), Expected(1));
  EXPECT_EQ(installer_->state().active, "a");
  EXPECT_EQ(installer_->state().previous, "b");
  EXPECT_EQ(Events(), (Strings{"downloaded 1.0.0", "installed 1.0.0", "downloaded 1.1.0",
                               "installed 1.1.0", "rolled_back 1.0.0"}));
  // And forward again, also from the kept slot.
  EXPECT_EQ(MustApply(v2), InstallResult::kRolledBack);
  EXPECT_EQ(Serve(installer_->loader()), Expected(2));
}

TEST_P(UpdateInstallerTest, AnOlderReleaseIsRefusedByAntiRollbackUnlessSignedAsADowngrade) {
  const SlotManifest v1 = Upload("1.0.0", 1, 1), v2 = Upload("1.1.0", 2, 2);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(MustApply(v1), InstallResult::kInstalled);
  ASSERT_EQ(MustApply(v2), InstallResult::kInstalled);
  EXPECT_EQ(MustApply(v1), InstallResult::kFailed);
  EXPECT_NE(outbox_->Pending().back().detail.find("rollback refused"), std::string::npos);
  EXPECT_EQ(Serve(installer_->loader()), Expected(2));
}

TEST_P(UpdateInstallerTest, RecoveryFromACutWhileDownloadingResumesTheDownload) {
  const SlotManifest v1 = Upload("1.0.0", 1), v2 = Upload("1.1.0", 2);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(MustApply(v1), InstallResult::kInstalled);
  // The cut: slot b prepared for v2 with the first 1000 bytes of its package on disk.
  ASSERT_TRUE(SlotStore(data_).Prepare("b", v2).ok());
  auto whole =
      Call("GET", "/v1/projects/acme/variants/" + v2.variants[0].id + "/package", deployer_);
  const std::string part = SlotStore(data_).PackagePath("b", "fp32") + ".part";
  ASSERT_TRUE(WriteFileDurably(part, whole.body.substr(0, 1000)).ok());
  ASSERT_TRUE(WriteFileDurably(part + ".progress", "1000").ok());
  ASSERT_TRUE(Restart().ok());
  EXPECT_EQ(Serve(installer_->loader()), Expected(1));
  EXPECT_EQ(MustApply(v2), InstallResult::kInstalled);
  EXPECT_EQ(Serve(installer_->loader()), Expected(2));
}

TEST_P(UpdateInstallerTest, RecoveryFromACutDuringTheTrialRetriesItAndCommits) {
  const SlotManifest v1 = Upload("1.0.0", 1), v2 = Upload("1.1.0", 2);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(MustApply(v1), InstallResult::kInstalled);
  ASSERT_EQ(MustApply(v2), InstallResult::kInstalled);
  // The cut: after Switching (trial = b, attempt 1), before Committed.
  SaveCutTrialOfB(1);
  const size_t events = Events().size();
  ASSERT_TRUE(Restart().ok());
  EXPECT_EQ(Serve(installer_->loader()), Expected(2));
  EXPECT_EQ(installer_->state().active, "b");
  EXPECT_EQ(installer_->state().previous, "a");
  EXPECT_EQ(installer_->state().trial, "");
  EXPECT_EQ(installer_->state().trial_attempts, 0u);
  EXPECT_EQ(installer_->state().rejected_version, "");
  // One event: the commit, saying it took a second attempt; no rolled_back for the gates.
  ASSERT_EQ(Events().size(), events + 1);
  EXPECT_EQ(Events().back(), "installed 1.1.0");
  EXPECT_NE(outbox_->Pending().back().detail.find("attempt 2 of 3"), std::string::npos)
      << outbox_->Pending().back().detail;
  EXPECT_EQ(MustApply(v2), InstallResult::kUnchanged);
  // What the commit saved is what a restart serves.
  ASSERT_TRUE(Restart().ok());
  EXPECT_EQ(Serve(installer_->loader()), Expected(2));
  EXPECT_EQ(Events().size(), events + 1);
}

TEST_P(UpdateInstallerTest, ACutDuringTheLastAllowedAttemptIsStillRetried) {
  const SlotManifest v1 = Upload("1.0.0", 1), v2 = Upload("1.1.0", 2);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(MustApply(v1), InstallResult::kInstalled);
  ASSERT_EQ(MustApply(v2), InstallResult::kInstalled);
  // kTrialAttempts - 1 cuts in a row: the last attempt is still made.
  SaveCutTrialOfB(kTrialAttempts - 1);
  ASSERT_TRUE(Restart().ok());
  EXPECT_EQ(Serve(installer_->loader()), Expected(2));
  EXPECT_EQ(installer_->state().active, "b");
  EXPECT_EQ(Events().back(), "installed 1.1.0");
  EXPECT_NE(outbox_->Pending().back().detail.find("attempt 3 of 3"), std::string::npos);
}

TEST_P(UpdateInstallerTest, ATrialCutAtEveryAttemptIsRolledBackAndRejected) {
  const SlotManifest v1 = Upload("1.0.0", 1), v2 = Upload("1.1.0", 2);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(MustApply(v1), InstallResult::kInstalled);
  ASSERT_EQ(MustApply(v2), InstallResult::kInstalled);
  // The cut of the last attempt: kTrialAttempts recorded, none committed (a crash loop).
  SaveCutTrialOfB(kTrialAttempts);
  ASSERT_TRUE(Restart().ok());
  EXPECT_EQ(Serve(installer_->loader()), Expected(1));
  EXPECT_EQ(installer_->state().active, "a");
  EXPECT_EQ(installer_->state().trial, "");
  EXPECT_EQ(installer_->state().trial_attempts, 0u);
  EXPECT_EQ(installer_->state().rejected_version, "1.1.0");
  EXPECT_EQ(Events().back(), "rolled_back 1.1.0");
  EXPECT_NE(outbox_->Pending().back().detail.find("each of 3 attempts"), std::string::npos)
      << outbox_->Pending().back().detail;
  EXPECT_EQ(MustApply(v2),
            InstallResult::kUnchanged);  // rejected until the server changes its mind
  ASSERT_TRUE(Restart().ok());           // and not tried again by a restart
  EXPECT_EQ(Serve(installer_->loader()), Expected(1));
  const SlotManifest v3 = Upload("1.2.0", 3);
  EXPECT_EQ(MustApply(v3), InstallResult::kInstalled);
  EXPECT_EQ(Serve(installer_->loader()), Expected(3));
}

TEST_P(UpdateInstallerTest, ARetriedTrialThatFailsItsSelfTestIsRejectedAtOnce) {
  const SlotManifest v1 = Upload("1.0.0", 1);
  const SlotManifest bad = Upload("1.1.0", 3, 1, /*self_test_seed=*/1);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(MustApply(v1), InstallResult::kInstalled);
  ASSERT_EQ(MustApply(bad), InstallResult::kFailed);  // leaves slot b holding it, complete
  // A trial of it cut at its first attempt (as if its scratch load had passed).
  SaveCutTrialOfB(1);
  const size_t events = Events().size();
  ASSERT_TRUE(Restart().ok());
  EXPECT_EQ(Serve(installer_->loader()), Expected(1));
  EXPECT_EQ(installer_->state().active, "a");
  EXPECT_EQ(installer_->state().trial, "");
  EXPECT_EQ(installer_->state().rejected_version, "1.1.0");
  ASSERT_EQ(Events().size(), events + 1);
  EXPECT_EQ(Events().back(), "self_test_failed 1.1.0");
  ASSERT_TRUE(Restart().ok());  // not retried
  EXPECT_EQ(Events().size(), events + 1);
  EXPECT_EQ(Serve(installer_->loader()), Expected(1));
}

TEST_P(UpdateInstallerTest, ACutFirstInstallIsRetriedToo) {
  const SlotManifest v1 = Upload("1.0.0", 1);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(MustApply(v1), InstallResult::kInstalled);
  // The cut during the first trial: nothing committed yet.
  AgentState trial;
  trial.trial = "a";
  trial.trial_attempts = 1;
  SaveState(trial);
  ASSERT_TRUE(Restart().ok());
  EXPECT_EQ(Serve(installer_->loader()), Expected(1));
  EXPECT_EQ(installer_->state().active, "a");
  EXPECT_EQ(installer_->state().previous, "");
  EXPECT_EQ(Events().back(), "installed 1.0.0");
}

TEST_P(UpdateInstallerTest, RecoveryAfterACommitServesTheNewSlot) {
  const SlotManifest v1 = Upload("1.0.0", 1), v2 = Upload("1.1.0", 2);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(MustApply(v1), InstallResult::kInstalled);
  ASSERT_EQ(MustApply(v2), InstallResult::kInstalled);
  const size_t events = Events().size();
  ASSERT_TRUE(Restart().ok());
  EXPECT_EQ(Serve(installer_->loader()), Expected(2));
  EXPECT_EQ(Events().size(), events);  // nothing new to report
}

TEST_P(UpdateInstallerTest, AnActiveSlotThatNoLongerVerifiesFallsBackToThePreviousOne) {
  const SlotManifest v1 = Upload("1.0.0", 1), v2 = Upload("1.1.0", 2);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(MustApply(v1), InstallResult::kInstalled);
  ASSERT_EQ(MustApply(v2), InstallResult::kInstalled);
  installer_.reset();
  FlipByte(SlotStore(data_).PackagePath("b", "fp32"), 50);
  ASSERT_TRUE(Restart().ok());
  EXPECT_EQ(Serve(installer_->loader()), Expected(1));
  EXPECT_EQ(installer_->state().active, "a");
  EXPECT_EQ(Events().back(), "rolled_back 1.0.0");
  // Both slots broken: a clear error, and nothing served rather than a bad model.
  installer_.reset();
  FlipByte(SlotStore(data_).PackagePath("a", "fp32"), 50);
  const Status recovered = Restart();
  EXPECT_EQ(recovered.code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(installer_->loader().ready());
}

TEST_P(UpdateInstallerTest, ACorruptStateFileFallsBackToTheOneBeforeThenToTheSlots) {
  const SlotManifest v1 = Upload("1.0.0", 1), v2 = Upload("1.1.0", 2);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(MustApply(v1), InstallResult::kInstalled);
  ASSERT_EQ(MustApply(v2), InstallResult::kInstalled);
  installer_.reset();
  ASSERT_TRUE(WriteFileDurably(data_ + "/state.json", "{\"format\": 1, \"act").ok());
  ASSERT_TRUE(Restart().ok());  // state.json.prev: v2's commit was the last save before it
  EXPECT_FALSE(installer_->loader().ready() && Serve(installer_->loader()).empty());
  EXPECT_TRUE(installer_->loader().ready());
  installer_.reset();
  ASSERT_TRUE(WriteFileDurably(data_ + "/state.json", "garbage").ok());
  ASSERT_TRUE(WriteFileDurably(data_ + "/state.json.prev", "").ok());
  ASSERT_TRUE(Restart().ok());  // derived from the slots
  EXPECT_TRUE(installer_->state().derived);
  const auto served = Serve(installer_->loader());
  EXPECT_TRUE(served == Expected(1) || served == Expected(2));
}

TEST_P(UpdateInstallerTest, AReleaseTheDeviceCannotRunIsRefused) {
  const SlotManifest v1 = Upload("1.0.0", 1);
  min_runtime_version_ = "9.0.0";
  const SlotManifest future = Upload("2.0.0", 2);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(MustApply(v1), InstallResult::kInstalled);
  EXPECT_EQ(MustApply(future), InstallResult::kRefused);
  EXPECT_EQ(Events().back(), "refused 2.0.0");
  EXPECT_NE(outbox_->Pending().back().detail.find("runtime 9.0.0"), std::string::npos);
  SlotManifest nothing_fits = v1;
  nothing_fits.version = "3.0.0";
  nothing_fits.variants.clear();
  EXPECT_EQ(MustApply(nothing_fits), InstallResult::kRefused);
  EXPECT_EQ(Events().back(), "refused 3.0.0");
  EXPECT_EQ(Serve(installer_->loader()), Expected(1));
}

TEST_P(UpdateInstallerTest, ASlotHoldsEveryVariantAndServesTheOneChosen) {
  SlotManifest v1 = Upload("1.0.0", 1);
  UploadVariant(&v1, "small", 4);
  ASSERT_TRUE(Restart().ok());
  ASSERT_EQ(MustApply(v1), InstallResult::kInstalled);
  EXPECT_EQ(Serve(installer_->loader()), Expected(1));  // the default variant
  ASSERT_TRUE(installer_->ServeVariant("small").ok());
  EXPECT_EQ(Serve(installer_->loader()), Expected(4));
  EXPECT_EQ(installer_->loader().manifest()->variant, "small");
  EXPECT_EQ(installer_->ServeVariant("int4").code(), StatusCode::kNotFound);
  // A damaged variant is refused and the one serving keeps serving.
  FlipByte(installer_->slots().PackagePath("a", "fp32"), 30);
  EXPECT_FALSE(installer_->ServeVariant("fp32").ok());
  EXPECT_EQ(Serve(installer_->loader()), Expected(4));
}

TEST(AgentStateTest, AStateFileFromBeforeAttemptsWereCountedReadsItsTrialAsOneAttempt) {
  auto trial = ParseAgentState(
      R"({"format": 1, "active": "a", "trial": "b", "last_committed": "a", "previous": "",
          "rejected": {"deployment": "", "version": ""}})");
  ASSERT_TRUE(trial.ok()) << trial.status().message();
  EXPECT_EQ(trial->trial_attempts, 1u);
  auto idle = ParseAgentState(
      R"({"format": 1, "active": "a", "trial": "", "last_committed": "a", "previous": "",
          "rejected": {"deployment": "", "version": ""}})");
  ASSERT_TRUE(idle.ok());
  EXPECT_EQ(idle->trial_attempts, 0u);
  AgentState counted;
  counted.active = counted.last_committed = "a";
  counted.trial = "b";
  counted.trial_attempts = 2;
  auto again = ParseAgentState(AgentStateJson(counted));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, counted);
  EXPECT_FALSE(ParseAgentState(R"({"format": 1, "active": "a", "trial": "b",
      "trial_attempts": -1, "last_committed": "a", "previous": "",
      "rejected": {"deployment": "", "version": ""}})")
                   .ok());
}

TEST(AgentStateTest, AStateFileWhoseTrialIsTheActiveSlotIsRefused) {
  auto both = ParseAgentState(
      R"({"format": 1, "active": "b", "trial": "b", "last_committed": "a", "previous": "",
          "rejected": {"deployment": "", "version": ""}})");
  ASSERT_FALSE(both.ok());
  EXPECT_NE(std::string(both.status().message()).find("both active and on trial"),
            std::string::npos)
      << both.status().message();
}

INSTANTIATE_TEST_SUITE_P(Sqlite, UpdateInstallerTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tinymlops::agent
