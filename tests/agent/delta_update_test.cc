// Delta updates end to end (issue 5): the real check-in route offers a delta to a device whose
// active slot holds the delta's base, the real agent downloads it (fewer bytes than the full
// package, counted by a proxy between them), applies it, serves the result and re-verifies
// the self-contained slot after a restart, and retries a trial of it cut by a restart in that
// form; a corrupted or wrong-base delta falls back to the full package and says why; a device
// on another base gets the full package; a device whose packages are all encrypted to it
// updates by an encrypted delta; and successive delta updates chain in the slot, up to
// kMaxDeltaChain deltas (then the full package), a corrupted link falling back to the full
// package, the chain served again after a restart, a slot of the older one-delta form too.
#include <sys/stat.h>

#include <fstream>

#include "agent/agent.h"
#include "agent/agent_state.h"
#include "agent/durable_file.h"
#include "agent_fixture.h"
#include "format/package_writer.h"
#include "support/dropping_tcp_proxy.h"

namespace tinymlops::agent {
namespace {

class DeltaUpdateTest : public AgentFixture {
 protected:
  // Whether the suite's packages, full and delta, are encrypted to the device.
  virtual bool Encrypted() const { return false; }

  void SetUp() override {
    AgentFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    encrypt_packages_ = Encrypted();
    base_ = test_support::ScaleModel(kWidth);
    tuned_ = test_support::TunedScaleModel(kWidth);
    ASSERT_NE(ExpectedOf(base_), ExpectedOf(tuned_));
    v1_ = Upload("1.0.0", 1);
    v2_ = VersionOf("1.1.0");
    UploadPackage(&v2_, "fp32",
                  test_support::MakePackage(PackageSpecOf(tuned_, "1.1.0", 2, tuned_)));
    ASSERT_TRUE(WriteFileDurably(data_ + "/identity/device_id", identity_.device_id).ok());
    proxy_ = std::make_unique<test_support::DroppingTcpProxy>(port_, 1, 0);
    auto client = DeviceClient::Create("http://127.0.0.1:" + std::to_string(proxy_->port()));
    ASSERT_TRUE(client.ok());
    through_proxy_ = std::make_unique<DeviceClient>(std::move(*client));
  }

  static SlotManifest VersionOf(const std::string& version) {
    SlotManifest release;
    release.model = "digits";
    release.version = version;
    release.default_variant = "fp32";
    return release;
  }

  // Uploads the delta `bytes` of `version` fp32 against `base`; the server's record of it.
  nlohmann::json UploadDelta(const std::vector<uint8_t>& bytes,
                             const std::string& version = "1.1.0",
                             const std::string& base = "1.0.0") {
    auto uploaded = Call("PUT",
                         "/v1/projects/acme/models/digits/versions/" + version +
                             "/variants/fp32/deltas/" + base,
                         deployer_, std::string(bytes.begin(), bytes.end()));
    EXPECT_EQ(uploaded.status, 201) << uploaded.body;
    return Json(uploaded);
  }
  std::vector<uint8_t> DeltaFrom(const std::vector<uint8_t>& base) const {
    return test_support::MakeDeltaPackage(base, PackageSpecOf(tuned_, "1.1.0", 2, tuned_));
  }

  void Deploy(const std::string& version) {
    auto r = Call("POST", "/v1/projects/acme/deployments", deployer_,
                  nlohmann::json{{"model", "digits"}, {"version", version}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
  }

  // Starts the agent (through the proxy) and installs `release` by a deployment.
  std::unique_ptr<Agent> StartOn(const std::string& version) {
    auto started = Agent::Start(Options(data_, through_proxy_.get()));
    EXPECT_TRUE(started.ok()) << started.status().message();
    if (!started.ok()) return nullptr;
    Deploy(version);
    (*started)->CheckIn();
    (*started)->CheckIn();  // reports the outcomes
    EXPECT_EQ((*started)->last_error(), "");
    return std::move(*started);
  }

  // The package downloads through the proxy from request `from` on: path -> bytes answered.
  std::vector<std::pair<std::string, uint64_t>> Downloads(size_t from) const {
    const auto heads = proxy_->requests();
    const auto bytes = proxy_->answered_bytes();
    std::vector<std::pair<std::string, uint64_t>> downloads;
    for (size_t i = from; i < heads.size() && i < bytes.size(); ++i) {
      if (heads[i].rfind("GET ", 0) != 0) continue;
      downloads.emplace_back(heads[i].substr(4, heads[i].find(' ', 4) - 4), bytes[i]);
    }
    return downloads;
  }

  // Alters one payload byte of a package file.
  static void FlipByteNearTheEnd(const std::string& path) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(file.is_open()) << path;
    file.seekg(-40, std::ios::end);
    const char byte = static_cast<char>(file.get() ^ 0x40);
    file.seekp(-40, std::ios::end);
    file.put(byte);
  }

  static bool Exists(const std::string& path) {
    struct stat info;
    return ::stat(path.c_str(), &info) == 0;
  }

  // The detail of the last "downloaded" outcome the agent has not sent yet.
  static std::string DownloadedDetail(const Agent& agent) {
    std::string detail = "(none)";
    for (const OutcomeEvent& e : agent.outbox().Pending())
      if (e.event == "downloaded") detail = e.detail;
    return detail;
  }

  std::vector<uint8_t> base_, tuned_;
  SlotManifest v1_, v2_;
  std::unique_ptr<test_support::DroppingTcpProxy> proxy_;
  std::unique_ptr<DeviceClient> through_proxy_;
};

TEST_P(DeltaUpdateTest, UpdatesByDeltaWithFewerBytesAndServesItAgainAfterARestart) {
  const std::vector<uint8_t> delta = DeltaFrom(base_);
  const std::string delta_id = UploadDelta(delta).value("id", "");
  ASSERT_LT(delta.size(), v2_.variants[0].artifact_bytes);
  auto agent = StartOn("1.0.0");
  ASSERT_NE(agent, nullptr);
  ASSERT_EQ(Serve(agent->loader()), Expected(1));

  const size_t before = proxy_->requests().size();
  Deploy("1.1.0");
  agent->CheckIn();
  EXPECT_EQ(agent->last_error(), "");
  EXPECT_EQ(Serve(agent->loader()), ExpectedOf(tuned_));
  EXPECT_EQ(agent->installer().state().active, "b");
  EXPECT_EQ(DownloadedDetail(*agent), "");  // the delta was used
  // One download, the delta's; fewer bytes (with the HTTP head) than the full package.
  agent->CheckIn();  // let the proxy close the last connection before counting
  const auto downloads = Downloads(before);
  ASSERT_EQ(downloads.size(), 1u);
  EXPECT_EQ(downloads[0].first, "/v1/device/deltas/" + delta_id + "/package");
  EXPECT_LT(downloads[0].second, v2_.variants[0].artifact_bytes);
  // The slot stands alone: its own copy of the base package and the delta, no full package.
  const std::string slot_b = data_ + "/slots/b/";
  EXPECT_TRUE(Exists(slot_b + "fp32.tpkg.base"));
  EXPECT_TRUE(Exists(slot_b + "fp32.tpkg.delta"));
  EXPECT_FALSE(Exists(slot_b + "fp32.tpkg"));

  // A restart re-verifies the slot (hashes, both signatures, the patch, the result's hash) and
  // serves 1.1.0 again, even once the other slot no longer holds 1.0.0.
  agent.reset();
  ASSERT_TRUE(RemoveDurably(data_ + "/slots/a/fp32.tpkg").ok());
  auto restarted = Agent::Start(Options(data_, through_proxy_.get()));
  ASSERT_TRUE(restarted.ok()) << restarted.status().message();
  EXPECT_EQ((*restarted)->last_error(), "");
  EXPECT_EQ(Serve((*restarted)->loader()), ExpectedOf(tuned_));
  EXPECT_EQ((*restarted)->installer().state().active, "b");

  // A damaged base copy is found at the next start: the slot is not served.
  restarted->reset();
  FlipByteNearTheEnd(slot_b + "fp32.tpkg.base");
  auto damaged = Agent::Start(Options(data_, through_proxy_.get()));
  ASSERT_TRUE(damaged.ok()) << damaged.status().message();
  EXPECT_FALSE((*damaged)->loader().ready());
  EXPECT_NE((*damaged)->last_error().find("fp32.tpkg.base"), std::string::npos)
      << (*damaged)->last_error();
}

TEST_P(DeltaUpdateTest, ACutTrialOfASlotHeldAsADeltaIsRetriedInThatForm) {
  UploadDelta(DeltaFrom(base_));
  auto agent = StartOn("1.0.0");
  ASSERT_NE(agent, nullptr);
  Deploy("1.1.0");
  agent->CheckIn();
  ASSERT_EQ(agent->installer().state().active, "b");
  ASSERT_FALSE(Exists(data_ + "/slots/b/fp32.tpkg"));  // held as base + delta
  agent.reset();
  // The cut: after Switching to b (attempt 1), before Committed.
  AgentState trial;
  trial.active = trial.last_committed = "a";
  trial.trial = "b";
  trial.trial_attempts = 1;
  ASSERT_TRUE(AgentStateFile(data_).Save(trial).ok());
  auto restarted = Agent::Start(Options(data_, through_proxy_.get()));
  ASSERT_TRUE(restarted.ok()) << restarted.status().message();
  EXPECT_EQ((*restarted)->last_error(), "");
  EXPECT_EQ(Serve((*restarted)->loader()), ExpectedOf(tuned_));
  EXPECT_EQ((*restarted)->installer().state().active, "b");
  EXPECT_EQ((*restarted)->installer().state().trial, "");
  EXPECT_EQ((*restarted)->installer().state().rejected_version, "");
}

TEST_P(DeltaUpdateTest, ACorruptedDeltaFallsBackToTheFullPackage) {
  const std::string hash = UploadDelta(DeltaFrom(base_)).value("package_hash", "");
  auto agent = StartOn("1.0.0");
  ASSERT_NE(agent, nullptr);
  const size_t before = proxy_->requests().size();
  // The stored delta is damaged on the server's disk: it no longer matches its hash.
  FlipByteNearTheEnd(server::ArtifactStore(artifacts_.string()).PathOf(hash + ".tpkg"));
  Deploy("1.1.0");
  agent->CheckIn();
  EXPECT_EQ(agent->last_error(), "");
  EXPECT_EQ(Serve(agent->loader()), ExpectedOf(tuned_));
  EXPECT_NE(DownloadedDetail(*agent).find("the delta of fp32 was not used"), std::string::npos)
      << DownloadedDetail(*agent);
  agent->CheckIn();
  const auto downloads = Downloads(before);
  ASSERT_EQ(downloads.size(), 2u);
  EXPECT_EQ(downloads[1].first, v2_.variants[0].package);
  EXPECT_TRUE(Exists(data_ + "/slots/b/fp32.tpkg"));
  EXPECT_FALSE(Exists(data_ + "/slots/b/fp32.tpkg.delta"));
}

TEST_P(DeltaUpdateTest, AWrongBaseDeltaFallsBackToTheFullPackage) {
  const std::string delta_id = UploadDelta(DeltaFrom(base_)).value("id", "");
  // The registry is made to serve a signed delta of another base (which the upload would have
  // refused): the device finds out when it applies it.
  const std::vector<uint8_t> wrong = DeltaFrom(test_support::ScaleModel(kWidth, 7));
  auto artifact =
      server::ArtifactStore(artifacts_.string()).Put(std::string(wrong.begin(), wrong.end()));
  ASSERT_TRUE(artifact.ok());
  {
    auto tx = store_->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE((*tx)
                    ->Execute("UPDATE variant_deltas SET artifact = ?, artifact_hash = ?, "
                              "artifact_bytes = ? WHERE id = ?",
                              {artifact->name, artifact->hash,
                               static_cast<int64_t>(artifact->bytes), delta_id})
                    .ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  auto agent = StartOn("1.0.0");
  ASSERT_NE(agent, nullptr);
  Deploy("1.1.0");
  agent->CheckIn();
  EXPECT_EQ(agent->last_error(), "");
  EXPECT_EQ(Serve(agent->loader()), ExpectedOf(tuned_));
  const std::string detail = DownloadedDetail(*agent);
  EXPECT_NE(detail.find("the delta of fp32 was not used"), std::string::npos) << detail;
  EXPECT_NE(detail.find("installed model"), std::string::npos) << detail;  // says why
  EXPECT_TRUE(Exists(data_ + "/slots/b/fp32.tpkg"));
  // Restarted, the slot that fell back serves its full package.
  agent.reset();
  auto restarted = Agent::Start(Options(data_, through_proxy_.get()));
  ASSERT_TRUE(restarted.ok()) << restarted.status().message();
  EXPECT_EQ(Serve((*restarted)->loader()), ExpectedOf(tuned_));
}

TEST_P(DeltaUpdateTest, ADeviceOnAnotherBaseGetsTheFullPackage) {
  UploadDelta(DeltaFrom(base_));
  Upload("1.0.1", 3);  // the device runs 1.0.1, for which there is no delta
  auto agent = StartOn("1.0.1");
  ASSERT_NE(agent, nullptr);
  ASSERT_EQ(Serve(agent->loader()), Expected(3));
  const size_t before = proxy_->requests().size();
  Deploy("1.1.0");
  agent->CheckIn();
  EXPECT_EQ(agent->last_error(), "");
  EXPECT_EQ(Serve(agent->loader()), ExpectedOf(tuned_));
  EXPECT_EQ(DownloadedDetail(*agent), "");  // no delta was offered, none refused
  agent->CheckIn();
  const auto downloads = Downloads(before);
  ASSERT_EQ(downloads.size(), 1u);
  EXPECT_EQ(downloads[0].first, v2_.variants[0].package);
}

// The normal case for vendors who protect their models: every package encrypted to the device.
// The server checks the delta against the model hashes in the variants' signed manifests.
class EncryptedDeltaUpdateTest : public DeltaUpdateTest {
 protected:
  bool Encrypted() const override { return true; }
};

TEST_P(EncryptedDeltaUpdateTest, AnEncryptedVersionUpdatesByAnEncryptedDelta) {
  const std::vector<uint8_t> delta = DeltaFrom(base_);
  auto parts = format::ParsePackageUnverified(delta.data(), delta.size());
  ASSERT_TRUE(parts.ok()) << parts.status().message();
  ASSERT_NE(parts->manifest.encryption, nullptr);
  const std::string delta_id = UploadDelta(delta).value("id", "");
  ASSERT_FALSE(delta_id.empty());
  auto agent = StartOn("1.0.0");
  ASSERT_NE(agent, nullptr);
  ASSERT_EQ(Serve(agent->loader()), Expected(1));

  const size_t before = proxy_->requests().size();
  Deploy("1.1.0");
  agent->CheckIn();
  EXPECT_EQ(agent->last_error(), "");
  EXPECT_EQ(Serve(agent->loader()), ExpectedOf(tuned_));
  EXPECT_EQ(DownloadedDetail(*agent), "");  // the delta was used
  agent->CheckIn();
  const auto downloads = Downloads(before);
  ASSERT_EQ(downloads.size(), 1u);
  EXPECT_EQ(downloads[0].first, "/v1/device/deltas/" + delta_id + "/package");
  EXPECT_LT(downloads[0].second, v2_.variants[0].artifact_bytes);
  EXPECT_TRUE(Exists(data_ + "/slots/b/fp32.tpkg.delta"));

  // A restart re-verifies the slot, unsealing both packages' keys again.
  agent.reset();
  auto restarted = Agent::Start(Options(data_, through_proxy_.get()));
  ASSERT_TRUE(restarted.ok()) << restarted.status().message();
  EXPECT_EQ((*restarted)->last_error(), "");
  EXPECT_EQ(Serve((*restarted)->loader()), ExpectedOf(tuned_));
}

// Delta chains: version 1.N.0 is the scale model fine-tuned N times (release N + 1), each
// shipped as its full package and as a delta from 1.(N-1).0. A device holding 1.(N-1).0 as a
// base package plus deltas updates by one more delta, up to kMaxDeltaChain of them.
class DeltaChainTest : public DeltaUpdateTest {
 protected:
  static std::string Version(int n) { return "1." + std::to_string(n) + ".0"; }
  static std::vector<uint8_t> ModelOf(int n) {
    return n == 0 ? test_support::ScaleModel(kWidth) : test_support::TunedScaleModel(kWidth, n);
  }

  // Uploads 1.N.0 for N = 2..last (1.0.0 and 1.1.0 are the fixture's, with no delta yet) and
  // the delta of each N = 1..last from the one before.
  void UploadSeries(int last) {
    for (int n = 1; n <= last; ++n) {
      const auto spec = PackageSpecOf(ModelOf(n), Version(n), n + 1, ModelOf(n));
      if (n >= 2) {
        SlotManifest release = VersionOf(Version(n));
        UploadPackage(&release, "fp32", test_support::MakePackage(spec));
        full_packages_.push_back(release.variants[0].package);
      }
      UploadDelta(test_support::MakeDeltaPackage(ModelOf(n - 1), spec), Version(n),
                  Version(n - 1));
    }
    full_packages_.push_back(v2_.variants[0].package);
  }

  // Deploys 1.N.0 and lets `agent` install it; the packages it downloaded, by path.
  std::vector<std::string> UpdateTo(Agent& agent, int n) {
    const size_t before = proxy_->requests().size();
    Deploy(Version(n));
    agent.CheckIn();
    EXPECT_EQ(agent.last_error(), "") << Version(n);
    EXPECT_EQ(Serve(agent.loader()), ExpectedOf(ModelOf(n))) << Version(n);
    agent.CheckIn();  // reports the outcomes; lets the proxy close the last connection
    std::vector<std::string> paths;
    for (const auto& [path, bytes] : Downloads(before)) paths.push_back(path);
    return paths;
  }

  // Whether one of `paths` is a full package of the series.
  bool AnyFull(const std::vector<std::string>& paths) const {
    for (const std::string& path : paths)
      for (const std::string& full : full_packages_)
        if (path == full) return true;
    return false;
  }

  // The files of the active slot, for the messages of failed expectations.
  std::string ActiveFolder(const Agent& agent) const {
    return data_ + "/slots/" + agent.installer().state().active + "/";
  }

  std::vector<std::string> full_packages_;
};

TEST_P(DeltaChainTest, ThreeSuccessiveUpdatesAllInstallByDeltaAndARestartServesTheChain) {
  UploadSeries(3);
  auto agent = StartOn("1.0.0");
  ASSERT_NE(agent, nullptr);
  for (int n = 1; n <= 3; ++n) {
    const std::vector<std::string> downloads = UpdateTo(*agent, n);
    ASSERT_EQ(downloads.size(), 1u) << Version(n);
    EXPECT_EQ(downloads[0].rfind("/v1/device/deltas/", 0), 0u) << downloads[0];
    EXPECT_FALSE(AnyFull(downloads)) << Version(n);
    // The slot holds the 1.0.0 package and one delta per update so far, no full package.
    const std::string slot = ActiveFolder(*agent);
    EXPECT_TRUE(Exists(slot + "fp32.tpkg.base")) << Version(n);
    EXPECT_FALSE(Exists(slot + "fp32.tpkg")) << Version(n);
    EXPECT_TRUE(Exists(slot + "fp32.tpkg.delta")) << Version(n);
    for (int link = 2; link <= 3; ++link)
      EXPECT_EQ(Exists(slot + "fp32.tpkg.delta" + std::to_string(link)), link <= n)
          << Version(n) << " link " << link;
    auto manifest = agent->installer().slots().ReadManifest(agent->installer().state().active);
    ASSERT_TRUE(manifest.ok());
    ASSERT_EQ(manifest->variants[0].deltas.size(), static_cast<size_t>(n));
    EXPECT_EQ(manifest->variants[0].deltas.back().base_version, Version(n - 1));
    const ReleaseDownloads counted = agent->installer().downloads().at(Version(n));
    EXPECT_EQ(counted.variants_by_delta, 1u);
    EXPECT_EQ(counted.variants_full, 0u);
  }
  // A new agent over the same data folder re-verifies the chain (base, three patches) and
  // serves 1.3.0, even once the other slot is emptied.
  const std::string active = agent->installer().state().active;
  agent.reset();
  for (const char* file : {"fp32.tpkg.base", "fp32.tpkg.delta", "fp32.tpkg.delta2", "slot.json"})
    ASSERT_TRUE(RemoveDurably(data_ + "/slots/" + OtherSlot(active) + "/" + file).ok());
  auto restarted = Agent::Start(Options(data_, through_proxy_.get()));
  ASSERT_TRUE(restarted.ok()) << restarted.status().message();
  EXPECT_EQ((*restarted)->last_error(), "");
  EXPECT_EQ(Serve((*restarted)->loader()), ExpectedOf(ModelOf(3)));
  EXPECT_EQ((*restarted)->installer().state().active, active);
}

TEST_P(DeltaChainTest, AnUpdateBeyondTheChainBoundDownloadsTheFullPackageAndSaysWhy) {
  const int last = static_cast<int>(kMaxDeltaChain) + 1;
  UploadSeries(last + 1);
  auto agent = StartOn("1.0.0");
  ASSERT_NE(agent, nullptr);
  for (int n = 1; n <= last - 1; ++n) EXPECT_FALSE(AnyFull(UpdateTo(*agent, n))) << Version(n);
  const std::string before = agent->installer().state().active;
  // The slot chains kMaxDeltaChain deltas: the next delta offered is not used.
  const size_t from = proxy_->requests().size();
  Deploy(Version(last));
  agent->CheckIn();
  EXPECT_EQ(agent->last_error(), "");
  EXPECT_EQ(Serve(agent->loader()), ExpectedOf(ModelOf(last)));
  const std::string detail = DownloadedDetail(*agent);
  EXPECT_NE(detail.find("the delta of fp32 was not used (the installed " + Version(last - 1) +
                        " is already " + std::to_string(kMaxDeltaChain) + " deltas"),
            std::string::npos)
      << detail;
  agent->CheckIn();
  const auto downloads = Downloads(from);
  ASSERT_EQ(downloads.size(), 1u);
  EXPECT_TRUE(AnyFull({downloads[0].first})) << downloads[0].first;
  const std::string slot = ActiveFolder(*agent);
  ASSERT_NE(slot, data_ + "/slots/" + before + "/");
  EXPECT_TRUE(Exists(slot + "fp32.tpkg"));
  EXPECT_FALSE(Exists(slot + "fp32.tpkg.base"));
  EXPECT_FALSE(Exists(slot + "fp32.tpkg.delta"));
  // The full package starts a new chain: the next update is a delta again.
  const std::vector<std::string> next = UpdateTo(*agent, last + 1);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_FALSE(AnyFull(next)) << next[0];
  EXPECT_TRUE(Exists(ActiveFolder(*agent) + "fp32.tpkg.delta"));
  EXPECT_FALSE(Exists(ActiveFolder(*agent) + "fp32.tpkg.delta2"));
}

TEST_P(DeltaChainTest, ACorruptedMiddleLinkFallsBackToTheFullPackage) {
  UploadSeries(3);
  auto agent = StartOn("1.0.0");
  ASSERT_NE(agent, nullptr);
  for (int n = 1; n <= 2; ++n) ASSERT_FALSE(AnyFull(UpdateTo(*agent, n)));
  // The active slot's first delta rots on the device's flash (it serves from memory): the
  // copy the next chain needs no longer matches its hash.
  FlipByteNearTheEnd(ActiveFolder(*agent) + "fp32.tpkg.delta");
  const size_t from = proxy_->requests().size();
  Deploy(Version(3));
  agent->CheckIn();
  EXPECT_EQ(agent->last_error(), "");
  EXPECT_EQ(Serve(agent->loader()), ExpectedOf(ModelOf(3)));
  const std::string detail = DownloadedDetail(*agent);
  EXPECT_NE(detail.find("the delta of fp32 was not used"), std::string::npos) << detail;
  EXPECT_NE(detail.find("fp32.tpkg.delta"), std::string::npos) << detail;  // says which file
  agent->CheckIn();
  const auto downloads = Downloads(from);
  ASSERT_EQ(downloads.size(), 1u);
  EXPECT_TRUE(AnyFull({downloads[0].first})) << downloads[0].first;
  const std::string slot = ActiveFolder(*agent);
  EXPECT_TRUE(Exists(slot + "fp32.tpkg"));
  for (const char* file : {"fp32.tpkg.base", "fp32.tpkg.delta", "fp32.tpkg.delta2"})
    EXPECT_FALSE(Exists(slot + file)) << file;
}

// A slot written before chains records its one delta as "delta": {...}; it still serves after
// the agent is updated, and the next delta update chains on it.
TEST_P(DeltaChainTest, ASlotWrittenWithTheOneDeltaFormStillServesAndChains) {
  UploadSeries(2);
  auto agent = StartOn("1.0.0");
  ASSERT_NE(agent, nullptr);
  ASSERT_FALSE(AnyFull(UpdateTo(*agent, 1)));
  const std::string active = agent->installer().state().active;
  agent.reset();
  const std::string path = data_ + "/slots/" + active + "/slot.json";
  auto json = ReadFile(path);
  ASSERT_TRUE(json.ok());
  nlohmann::json slot = nlohmann::json::parse(*json);
  nlohmann::json& variant = slot["variants"][0];
  ASSERT_EQ(variant["deltas"].size(), 1u);
  variant["delta"] = variant["deltas"][0];
  variant.erase("deltas");
  ASSERT_TRUE(WriteFileDurably(path, slot.dump()).ok());

  auto restarted = Agent::Start(Options(data_, through_proxy_.get()));
  ASSERT_TRUE(restarted.ok()) << restarted.status().message();
  EXPECT_EQ((*restarted)->last_error(), "");
  EXPECT_EQ(Serve((*restarted)->loader()), ExpectedOf(ModelOf(1)));
  EXPECT_EQ((*restarted)->installer().state().active, active);
  EXPECT_FALSE(AnyFull(UpdateTo(**restarted, 2)));
  EXPECT_TRUE(Exists(ActiveFolder(**restarted) + "fp32.tpkg.delta2"));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, DeltaChainTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Sqlite, DeltaUpdateTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Sqlite, EncryptedDeltaUpdateTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tinymlops::agent
