// device/package_loader.h: a signed, encrypted package loads, self-tests and serves; rollback,
// foreign devices, newer runtimes and failing self-tests are refused with precise errors while
// the previous model keeps serving; release counters persist.
#include <chrono>
#include <thread>

#include "device/loader_fixture.h"
#include "format/package_writer.h"

namespace tinymlops::device {
namespace {

std::string Message(const Status& status) { return status.message(); }

TEST_F(LoaderTest, LoadsAnEncryptedPackageRunsItsSelfTestAndServes) {
  PackageLoader loader(Options());
  EXPECT_FALSE(loader.ready());
  EXPECT_NE(Message(loader.Invoke()).find("no model is loaded"), std::string::npos);
  const Status status = Load(loader, test_support::MakePackage(Spec(3)));
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_TRUE(loader.ready());
  EXPECT_EQ(loader.manifest()->release, 3u);
  EXPECT_EQ(Serve(loader), expected_y_);
  ASSERT_NE(loader.guard(), nullptr);
  EXPECT_EQ(loader.guard()->guarded_bytes(), 2u * kWidth * sizeof(float));
  auto installed = counters_->Installed("scale");
  ASSERT_TRUE(installed.ok());
  EXPECT_EQ(*installed, 3u);
}

TEST_F(LoaderTest, LoadsFromAFile) {
  const std::vector<uint8_t> bytes = test_support::MakePackage(Spec(1));
  const std::string path = folder_ + "/scale.tpkg";
  FILE* file = std::fopen(path.c_str(), "wb");
  ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), file), bytes.size());
  std::fclose(file);
  PackageLoader loader(Options());
  ASSERT_TRUE(loader.Load(path).ok());
  EXPECT_EQ(Serve(loader), expected_y_);
  const Status missing = loader.Load(folder_ + "/absent.tpkg");
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(Message(missing).find("absent.tpkg"), std::string::npos);
}

TEST_F(LoaderTest, RefusesRollbackUnlessTheSignedManifestAllowsADowngrade) {
  PackageLoader loader(Options());
  ASSERT_TRUE(Load(loader, test_support::MakePackage(Spec(5))).ok());
  const Status rollback = Load(loader, test_support::MakePackage(Spec(4, 2)));
  EXPECT_EQ(rollback.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(Message(rollback).find("release 4 of 'scale' is older than the installed release 5"),
            std::string::npos)
      << rollback.message();
  EXPECT_EQ(loader.manifest()->release, 5u);
  EXPECT_EQ(Serve(loader), expected_y_);
  // The same release again is a reinstall, not a rollback.
  EXPECT_TRUE(Load(loader, test_support::MakePackage(Spec(5))).ok());

  test_support::PackageSpec downgrade = Spec(4);
  downgrade.manifest.allow_downgrade = true;
  ASSERT_TRUE(Load(loader, test_support::MakePackage(std::move(downgrade))).ok());
  EXPECT_EQ(loader.manifest()->release, 4u);
  // The counter never goes down: a plain release 4 is still refused on a new loader.
  PackageLoader restarted(Options());
  EXPECT_FALSE(Load(restarted, test_support::MakePackage(Spec(4))).ok());
  EXPECT_EQ(*counters_->Installed("scale"), 5u);
}

TEST_F(LoaderTest, FailuresLeaveThePreviousModelServing) {
  PackageLoader loader(Options());
  ASSERT_TRUE(Load(loader, test_support::MakePackage(Spec(2))).ok());

  test_support::PackageSpec foreign = Spec(3, 2);
  foreign.devices = {other_device_.public_key()};
  const Status not_ours = Load(loader, test_support::MakePackage(std::move(foreign)));
  EXPECT_NE(Message(not_ours).find("not to this device (key " + device_.public_key().key_id()),
            std::string::npos)
      << not_ours.message();

  test_support::PackageSpec untrusted = Spec(3, 2);
  untrusted.signer = &stranger_;
  const Status untrusted_status = Load(loader, test_support::MakePackage(std::move(untrusted)));
  EXPECT_NE(Message(untrusted_status).find("does not verify with any trusted vendor key"),
            std::string::npos);

  test_support::PackageSpec newer_runtime = Spec(3, 2);
  newer_runtime.manifest.min_runtime_version = "9.0.0";
  const Status too_new = Load(loader, test_support::MakePackage(std::move(newer_runtime)));
  EXPECT_EQ(too_new.code(), StatusCode::kUnsupported);
  EXPECT_NE(Message(too_new).find("needs runtime 9.0.0 or newer"), std::string::npos);

  EXPECT_EQ(loader.manifest()->release, 2u);
  EXPECT_EQ(Serve(loader), expected_y_);
  EXPECT_EQ(*counters_->Installed("scale"), 2u);
}

TEST_F(LoaderTest, AFailingSelfTestIsRefused) {
  test_support::PackageSpec spec = Spec(1);
  spec.self_test = false;
  auto test = toolchain::MakeSelfTest(spec.model, {{"x", test_support::ScaleInput(kWidth)}});
  ASSERT_TRUE(test.ok());
  float wrong;
  std::memcpy(&wrong, (*test)->expected_outputs[0]->data.data() + 8, 4);
  wrong += 0.5f;
  std::memcpy((*test)->expected_outputs[0]->data.data() + 8, &wrong, 4);
  spec.manifest.self_tests.push_back(std::move(*test));
  PackageLoader loader(Options());
  const Status status = Load(loader, test_support::MakePackage(std::move(spec)));
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(Message(status).find("self-test 0 failed: output 'y' element 2"), std::string::npos)
      << status.message();
  EXPECT_FALSE(loader.ready());
}

TEST_F(LoaderTest, AnEncryptedPackageNeedsAKeyStoreAndAClearOneDoesNot) {
  LoaderOptions options = Options();
  options.key_store = nullptr;
  PackageLoader loader(options);
  EXPECT_NE(Message(Load(loader, test_support::MakePackage(Spec(1)))).find("--keys"),
            std::string::npos);
  test_support::PackageSpec clear = Spec(1);
  clear.devices.clear();
  EXPECT_TRUE(Load(loader, test_support::MakePackage(std::move(clear))).ok());
  EXPECT_EQ(Serve(loader), expected_y_);
}

TEST_F(LoaderTest, AFlippedWeightBitQuarantinesTheModel) {
  GuardOptions guard;
  guard.cpu_budget = 0.5;  // a short period keeps the test short
  PackageLoader loader(Options(guard));
  ASSERT_TRUE(Load(loader, test_support::MakePackage(Spec(1))).ok());
  auto interpreter = loader.interpreter();
  ASSERT_TRUE(interpreter.ok());
  runtime::Tensor* weights = nullptr;
  for (int i = 0; i < (*interpreter)->tensor_count(); ++i)
    if (std::string((*interpreter)->tensor(i)->name) == "w") weights = (*interpreter)->tensor(i);
  ASSERT_NE(weights, nullptr);
  ASSERT_EQ(Serve(loader), expected_y_);

  static_cast<uint8_t*>(weights->data)[123] ^= 0x10;  // a bit flips in RAM
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!loader.guard()->quarantined() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(loader.guard()->quarantined());
  const Status refused = loader.Invoke();
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(Message(refused).find("the model is quarantined: its weights changed in memory"),
            std::string::npos)
      << refused.message();
  EXPECT_TRUE(Serve(loader).empty());
  const std::vector<IntegrityEvent> events = loader.guard()->events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].region, 0u);  // w is the first constant
  EXPECT_EQ(events[0].offset, 0u);  // within the first 64 KiB slice
  // Loading a good package again replaces the quarantined model.
  ASSERT_TRUE(Load(loader, test_support::MakePackage(Spec(1))).ok());
  EXPECT_EQ(Serve(loader), expected_y_);
}

}  // namespace
}  // namespace tinymlops::device
