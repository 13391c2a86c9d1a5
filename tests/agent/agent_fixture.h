// AgentFixture: what the agent tests share. A real control plane (server/api/server_fixture.h,
// SQLite) with a project "acme", a trusted vendor key and a model "digits"; one enrolled
// device whose identity sits in DATA/identity (device.key, as the agent keeps it); helpers to
// upload a version of the "scale" model as a signed package encrypted to the device (or clear,
// with encrypt_packages_ false) answering the SlotManifest the server's check-in would
// describe, to open an UpdateInstaller on a data folder, and to check which model a loader
// serves.
#ifndef TINYMLOPS_TESTS_AGENT_AGENT_FIXTURE_H_
#define TINYMLOPS_TESTS_AGENT_AGENT_FIXTURE_H_

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "agent/device_client.h"
#include "agent/package_download.h"
#include "agent/report_outbox.h"
#include "agent/slot_store.h"
#include "agent/update_installer.h"
#include "crypto/key_file.h"
#include "device/file_key_store.h"
#include "device/file_release_counter_store.h"
#include "server/api/server_fixture.h"
#include "server/registry/artifact_store.h"
#include "support/package_fixtures.h"
#include "toolchain/graph/model_session.h"

namespace tinymlops::agent {

class AgentFixture : public server::ServerFixture {
 protected:
  static constexpr int kWidth = 256;

  void SetUp() override {
    ServerFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    deployer_ = ProjectToken("acme", "deployer");
    const std::string admin = ProjectToken("acme", "admin");
    vendor_ = std::move(*crypto::SigningKeyPair::Generate());
    const auto& pk = vendor_.public_key().bytes();
    ASSERT_EQ(
        Call("POST", "/v1/projects/acme/keys", admin,
             nlohmann::json{{"name", "vendor"}, {"public_key", server::ToHex(pk.data(), pk.size())}}
                 .dump())
            .status,
        201);
    ASSERT_EQ(Call("POST", "/v1/projects/acme/models", deployer_, R"({"name":"digits"})").status,
              201);
    Device device = EnrollDevice("acme", deployer_);
    ASSERT_FALSE(device.id.empty());
    identity_.device_id = device.id;
    identity_.key = std::move(device.key);
    char pattern[] = "/tmp/agent_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = pattern;
    data_ = root_ + "/data";
    ASSERT_EQ(::mkdir(data_.c_str(), 0700), 0);
    ASSERT_EQ(::mkdir((data_ + "/identity").c_str(), 0700), 0);
    ASSERT_TRUE(crypto::WriteSecretKeyFile(data_ + "/identity/device.key", identity_.key).ok());
    auto store = device::FileKeyStore::Open(data_ + "/identity");
    ASSERT_TRUE(store.ok()) << store.status().message();
    key_store_ = std::move(*store);
    runtime::AddReferenceKernels(resolver_);
    auto client = DeviceClient::Create("http://127.0.0.1:" + std::to_string(port_));
    ASSERT_TRUE(client.ok());
    client_ = std::make_unique<DeviceClient>(std::move(*client));
  }

  void TearDown() override {
    installer_.reset();
    counters_.reset();
    if (!root_.empty()) std::filesystem::remove_all(root_);
    ServerFixture::TearDown();
  }

  // A package of the scale model of `seed`; `self_test_seed` differs from `seed` for a
  // package whose self-test vectors do not match its model.
  std::vector<uint8_t> PackageBytes(const std::string& version, uint32_t seed, uint64_t release,
                                    uint32_t self_test_seed,
                                    const std::string& variant = "fp32") const {
    return test_support::MakePackage(
        PackageSpecOf(test_support::ScaleModel(kWidth, seed), version, release,
                      test_support::ScaleModel(kWidth, self_test_seed), variant));
  }

  // The spec of a package of `model` whose self-test expects what `self_test_model` computes.
  test_support::PackageSpec PackageSpecOf(std::vector<uint8_t> model, const std::string& version,
                                          uint64_t release,
                                          const std::vector<uint8_t>& self_test_model,
                                          const std::string& variant = "fp32") const {
    test_support::PackageSpec spec;
    spec.model = std::move(model);
    spec.manifest = test_support::Identity("digits", release);
    spec.manifest.version = version;
    spec.manifest.variant = variant;
    spec.manifest.min_runtime_version = min_runtime_version_;
    spec.signer = &vendor_;
    if (encrypt_packages_) spec.devices = {identity_.key.public_key()};
    spec.self_test = false;
    auto test = toolchain::MakeSelfTest(self_test_model, {{"x", test_support::ScaleInput(kWidth)}});
    EXPECT_TRUE(test.ok());
    spec.manifest.self_tests.push_back(std::move(*test));
    return spec;
  }

  // Uploads version `version` (the model of `seed`) and answers the release the server would
  // describe in a check-in's `desired`.
  SlotManifest Upload(const std::string& version, uint32_t seed, uint64_t release = 1,
                      uint32_t self_test_seed = 0) {
    SlotManifest release_manifest;
    release_manifest.model = "digits";
    release_manifest.version = version;
    release_manifest.deployment = "dep_" + version;
    release_manifest.default_variant = "fp32";
    UploadVariant(&release_manifest, "fp32", seed, release, self_test_seed ? self_test_seed : seed);
    return release_manifest;
  }

  // Uploads one more variant `name` of `release_manifest`'s version (the model of `seed`).
  void UploadVariant(SlotManifest* release_manifest, const std::string& name, uint32_t seed,
                     uint64_t release = 1, uint32_t self_test_seed = 0) {
    UploadPackage(release_manifest, name,
                  PackageBytes(release_manifest->version, seed, release,
                               self_test_seed ? self_test_seed : seed, name));
  }

  // Uploads `bytes` as variant `name` of `release_manifest`'s version.
  void UploadPackage(SlotManifest* release_manifest, const std::string& name,
                     const std::vector<uint8_t>& bytes) {
    auto uploaded = Call("PUT",
                         "/v1/projects/acme/models/digits/versions/" + release_manifest->version +
                             "/variants/" + name + "?dtype=float32&arena_bytes=4096&ops=Mul,Add",
                         deployer_, std::string(bytes.begin(), bytes.end()));
    EXPECT_EQ(uploaded.status, 201) << uploaded.body;
    const auto v = Json(uploaded);
    SlotVariant variant;
    variant.name = name;
    variant.id = v.value("id", "");
    variant.artifact_hash = v.value("package_hash", "");
    variant.artifact_bytes = v.value("package_bytes", 0ull);
    variant.release = v.value("release", 0ull);
    variant.package = "/v1/device/variants/" + variant.id + "/package";
    release_manifest->variants.push_back(variant);
  }

  // The server's stored artifact of `release`'s first variant.
  std::string ServerArtifactPath(const SlotManifest& release) const {
    return server::ArtifactStore(artifacts_.string())
        .PathOf(release.variants[0].artifact_hash + ".tpkg");
  }

  InstallerOptions Options(const std::string& data, device::ReleaseCounterStore* counters) {
    InstallerOptions options;
    options.data_folder = data;
    options.loader.trusted_vendors = {vendor_.public_key()};
    options.loader.key_store = key_store_.get();
    options.loader.release_counters = counters;
    options.loader.resolver = &resolver_;
    options.loader.start_guard = false;
    options.now = [] { return static_cast<int64_t>(std::time(nullptr)); };
    options.fetch = [this](const SlotVariant& variant, const std::string& destination) {
      return DownloadPackage(
          *client_, identity_,
          {variant.package, destination, variant.artifact_hash, variant.artifact_bytes},
          static_cast<int64_t>(std::time(nullptr)));
    };
    return options;
  }

  // A whole agent on `data` talking through `client` (it finds its identity there).
  AgentOptions Options(const std::string& data, const DeviceClient* client) {
    AgentOptions options;
    options.data_folder = data;
    options.trusted_vendors = {vendor_.public_key()};
    options.device_name = "gateway-7";
    options.client = client;
    options.start_guard = false;
    return options;
  }

  // (Re)opens the installer of data_ as a restarted agent would, and runs Recover.
  Status Restart() {
    installer_.reset();
    outbox_.reset();
    auto outbox = ReportOutbox::Open(data_);
    if (!outbox.ok()) return outbox.status();
    outbox_ = std::move(*outbox);
    counters_ = std::make_unique<device::FileReleaseCounterStore>(data_ + "/releases");
    auto installer = UpdateInstaller::Open(Options(data_, counters_.get()), outbox_.get());
    if (!installer.ok()) return installer.status();
    installer_ = std::move(*installer);
    return installer_->Recover();
  }

  // y for ScaleInput from the model of `seed`, computed on the host.
  static std::vector<float> Expected(uint32_t seed) {
    return ExpectedOf(test_support::ScaleModel(kWidth, seed));
  }
  static std::vector<float> ExpectedOf(const std::vector<uint8_t>& model) {
    auto session = toolchain::ModelSession::Load(model, toolchain::KernelSet::kReference);
    if (!session.ok()) return {};
    auto outputs = (*session)->Run({{"x", test_support::ScaleInput(kWidth)}});
    if (!outputs.ok()) return {};
    return (*outputs)[0].Values<float>();
  }

  // What `loader` serves for ScaleInput; empty when it serves nothing.
  static std::vector<float> Serve(device::PackageLoader& loader) {
    auto interpreter = loader.interpreter();
    if (!interpreter.ok()) return {};
    const toolchain::TensorDef x = test_support::ScaleInput(kWidth);
    std::memcpy((*interpreter)->input(0)->data, x.data.data(), x.data.size());
    if (!loader.Invoke().ok()) return {};
    const float* y = (*interpreter)->output(0)->Data<float>();
    return std::vector<float>(y, y + kWidth);
  }

  // The events in the outbox, oldest first.
  std::vector<std::string> Events() const {
    std::vector<std::string> events;
    for (const OutcomeEvent& e : outbox_->Pending()) events.push_back(e.event + " " + e.version);
    return events;
  }

  std::string deployer_;
  std::string min_runtime_version_ = "0.1.0";  // of the packages Upload builds
  bool encrypt_packages_ = true;               // to the device, by Upload
  crypto::SigningKeyPair vendor_;
  DeviceIdentity identity_;
  std::string root_, data_;
  std::unique_ptr<device::FileKeyStore> key_store_;
  runtime::OpResolver resolver_;
  std::unique_ptr<DeviceClient> client_;
  std::unique_ptr<ReportOutbox> outbox_;
  std::unique_ptr<device::FileReleaseCounterStore> counters_;
  std::unique_ptr<UpdateInstaller> installer_;
};

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_TESTS_AGENT_AGENT_FIXTURE_H_
