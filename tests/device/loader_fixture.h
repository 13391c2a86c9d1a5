// Test fixture for the device package loader: a scratch folder with a device identity
// (device.key, 0600) and a release-counter folder, a trusted vendor key, an untrusted key, a
// second device, the reference kernels, and helpers to build packages and check that the
// served model computes y = x * w + b.
#ifndef TINYMLOPS_TESTS_DEVICE_LOADER_FIXTURE_H_
#define TINYMLOPS_TESTS_DEVICE_LOADER_FIXTURE_H_

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "crypto/key_file.h"
#include "device/file_key_store.h"
#include "device/file_release_counter_store.h"
#include "device/package_loader.h"
#include "format/byte_source.h"
#include "support/package_fixtures.h"
#include "toolchain/graph/model_session.h"

namespace tinymlops::device {

class LoaderTest : public ::testing::Test {
 protected:
  static constexpr int kWidth = 1000;

  void SetUp() override {
    char pattern[] = "/tmp/loader_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    folder_ = pattern;
    ASSERT_EQ(::mkdir((folder_ + "/device").c_str(), 0700), 0);
    ASSERT_EQ(::mkdir((folder_ + "/state").c_str(), 0700), 0);
    vendor_ = std::move(*crypto::SigningKeyPair::Generate());
    stranger_ = std::move(*crypto::SigningKeyPair::Generate());
    device_ = std::move(*crypto::SigningKeyPair::Generate());
    other_device_ = std::move(*crypto::SigningKeyPair::Generate());
    ASSERT_TRUE(crypto::WriteSecretKeyFile(folder_ + "/device/device.key", device_).ok());
    auto store = FileKeyStore::Open(folder_ + "/device");
    ASSERT_TRUE(store.ok()) << store.status().message();
    key_store_ = std::move(*store);
    counters_ = std::make_unique<FileReleaseCounterStore>(folder_ + "/state");
    runtime::AddReferenceKernels(resolver_);
    model_ = test_support::ScaleModel(kWidth);
    auto session = toolchain::ModelSession::Load(model_, toolchain::KernelSet::kReference);
    ASSERT_TRUE(session.ok());
    auto outputs = (*session)->Run({{"x", test_support::ScaleInput(kWidth)}});
    ASSERT_TRUE(outputs.ok());
    expected_y_ = (*outputs)[0].Values<float>();
  }
  void TearDown() override { std::system(("rm -rf " + folder_).c_str()); }

  LoaderOptions Options(GuardOptions guard = {}) const {
    LoaderOptions options;
    options.trusted_vendors = {vendor_.public_key()};
    options.key_store = key_store_.get();
    options.release_counters = counters_.get();
    options.resolver = &resolver_;
    options.guard = guard;
    return options;
  }

  // A package of the scale model (seed `seed`), signed by the vendor, encrypted to the device.
  test_support::PackageSpec Spec(uint64_t release, uint32_t seed = 1) const {
    test_support::PackageSpec spec;
    spec.model = seed == 1 ? model_ : test_support::ScaleModel(kWidth, seed);
    spec.manifest = test_support::Identity("scale", release);
    spec.signer = &vendor_;
    spec.devices = {device_.public_key()};
    spec.n = kWidth;
    return spec;
  }

  static Status Load(PackageLoader& loader, const std::vector<uint8_t>& bytes) {
    return loader.Load(std::make_unique<format::MemoryByteSource>(bytes.data(), bytes.size()),
                       "test.tpkg");
  }

  // The served model's y for ScaleInput, or an empty vector when inference is refused.
  std::vector<float> Serve(PackageLoader& loader) const {
    auto interpreter = loader.interpreter();
    if (!interpreter.ok()) return {};
    const toolchain::TensorDef x = test_support::ScaleInput(kWidth);
    std::memcpy((*interpreter)->input(0)->data, x.data.data(), x.data.size());
    if (!loader.Invoke().ok()) return {};
    const float* y = (*interpreter)->output(0)->Data<float>();
    return std::vector<float>(y, y + kWidth);
  }

  std::string folder_;
  crypto::SigningKeyPair vendor_, stranger_, device_, other_device_;
  std::unique_ptr<FileKeyStore> key_store_;
  std::unique_ptr<FileReleaseCounterStore> counters_;
  runtime::OpResolver resolver_;
  std::vector<uint8_t> model_;
  std::vector<float> expected_y_;
};

}  // namespace tinymlops::device

#endif  // TINYMLOPS_TESTS_DEVICE_LOADER_FIXTURE_H_
