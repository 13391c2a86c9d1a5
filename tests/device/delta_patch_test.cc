// Delta updates (device/delta_patch.h, PackageLoader::LoadDelta, toolchain/package/
// model_delta.h): a signed, encrypted delta package applied to the served model gives exactly
// the new model and serves it; a wrong base, an altered manifest, an altered or re-signed
// corrupt patch and a wrong result hash are all refused with an error that says to install the
// full package, and the previous model keeps serving. Applied to a base package file (as an
// agent slot keeps it), the base is read but not admitted; so are the links in the middle of
// a chain of deltas (PackageLoader::LoadDeltaChain).
#include "device/delta_patch.h"

#include <sodium.h>

#include <fstream>

#include "crypto/content_hash.h"
#include "device/loader_fixture.h"
#include "format/package_header.h"
#include "format/package_writer.h"
#include "toolchain/package/model_delta.h"

namespace tinymlops::device {
namespace {

std::string Message(const Status& status) { return status.message(); }

class DeltaTest : public LoaderTest {
 protected:
  void SetUp() override {
    LoaderTest::SetUp();
    tuned_ = test_support::TunedScaleModel(kWidth);
    ASSERT_FALSE(tuned_.empty());
    auto session = toolchain::ModelSession::Load(tuned_, toolchain::KernelSet::kReference);
    ASSERT_TRUE(session.ok());
    auto outputs = (*session)->Run({{"x", test_support::ScaleInput(kWidth)}});
    ASSERT_TRUE(outputs.ok());
    tuned_y_ = (*outputs)[0].Values<float>();
    ASSERT_NE(tuned_y_, expected_y_);
  }

  // The delta from model_ to tuned_ as release `release`, with its self-test, unsigned and clear.
  format::PackageContents DeltaContents(
      uint64_t release,
      toolchain::PatchTransform transform = toolchain::PatchTransform::kSmallest) const {
    return DeltaBetween(model_, tuned_, release, transform);
  }
  static format::PackageContents DeltaBetween(
      const std::vector<uint8_t>& from, const std::vector<uint8_t>& to, uint64_t release,
      toolchain::PatchTransform transform = toolchain::PatchTransform::kSmallest) {
    tpkg::ManifestT manifest = test_support::Identity("scale", release);
    auto test = toolchain::MakeSelfTest(to, {{"x", test_support::ScaleInput(kWidth)}});
    EXPECT_TRUE(test.ok());
    manifest.self_tests.push_back(std::move(*test));
    auto delta = toolchain::BuildDeltaPackage(from.data(), from.size(), to.data(), to.size(),
                                              std::move(manifest), 1024, {19, true, transform});
    EXPECT_TRUE(delta.ok()) << delta.status().message();
    return std::move(*delta);
  }

  // Writes `bytes` to a file of the test's folder; its path.
  std::string WriteFile(const std::string& name, const std::vector<uint8_t>& bytes) const {
    const std::string path = folder_ + "/" + name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
    return path;
  }

  std::vector<uint8_t> Sign(format::PackageContents contents, bool encrypt = true) const {
    if (encrypt) EXPECT_TRUE(format::EncryptPackage(contents, {device_.public_key()}).ok());
    auto bytes = format::SerializePackage(contents, &vendor_);
    EXPECT_TRUE(bytes.ok());
    return *bytes;
  }

  static Status LoadDelta(PackageLoader& loader, const std::vector<uint8_t>& bytes) {
    return loader.LoadDelta(std::make_unique<format::MemoryByteSource>(bytes.data(), bytes.size()),
                            "delta.tpkg");
  }

  // Loads the base (release 1), applies `delta` and expects it refused with `message`, the
  // base still serving.
  void ExpectRefused(const std::vector<uint8_t>& delta, const std::string& message) {
    PackageLoader loader(Options());
    ASSERT_TRUE(Load(loader, test_support::MakePackage(Spec(1))).ok());
    const Status status = LoadDelta(loader, delta);
    EXPECT_FALSE(status.ok());
    EXPECT_NE(Message(status).find(message), std::string::npos) << status.message();
    EXPECT_EQ(loader.manifest()->release, 1u);
    EXPECT_EQ(Serve(loader), expected_y_);
  }

  std::vector<uint8_t> tuned_;
  std::vector<float> tuned_y_;
};

TEST_F(DeltaTest, AnEncryptedDeltaGivesExactlyTheNewModelAndServesIt) {
  const format::PackageContents contents = DeltaContents(2);
  auto full = format::BuildPackage(tuned_.data(), tuned_.size(), contents.manifest, 1024);
  ASSERT_TRUE(full.ok());
  EXPECT_LT(contents.payload.size(), full->payload.size() / 4)
      << "a change of every 10th weight should patch small";
  const std::vector<uint8_t> delta = Sign(contents);

  auto patched =
      ApplyDeltaPackage(std::make_unique<format::MemoryByteSource>(delta.data(), delta.size()),
                        model_.data(), model_.size(), {vendor_.public_key()}, key_store_.get());
  ASSERT_TRUE(patched.ok()) << patched.status().message();
  ASSERT_EQ(patched->model.size(), tuned_.size());
  EXPECT_EQ(std::memcmp(patched->model.data(), tuned_.data(), tuned_.size()), 0);
  EXPECT_EQ(patched->manifest.release, 2u);

  PackageLoader loader(Options());
  ASSERT_TRUE(Load(loader, test_support::MakePackage(Spec(1))).ok());
  const Status status = LoadDelta(loader, delta);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(loader.manifest()->release, 2u);
  ASSERT_NE(loader.manifest()->delta, nullptr);
  EXPECT_EQ(Serve(loader), tuned_y_);
  auto installed = counters_->Installed("scale");
  ASSERT_TRUE(installed.ok());
  EXPECT_EQ(*installed, 2u);
}

TEST_F(DeltaTest, EitherTransformGivesExactlyTheNewModel) {
  for (const auto& [transform, recorded] :
       {std::pair{toolchain::PatchTransform::kNone, tpkg::DeltaTransform::None},
        std::pair{toolchain::PatchTransform::kBytePlanes, tpkg::DeltaTransform::BytePlanes}}) {
    const format::PackageContents contents = DeltaContents(2, transform);
    EXPECT_EQ(contents.manifest.delta->transform, recorded);
    const std::vector<uint8_t> delta = Sign(contents);
    auto patched =
        ApplyDeltaPackage(std::make_unique<format::MemoryByteSource>(delta.data(), delta.size()),
                          model_.data(), model_.size(), {vendor_.public_key()}, key_store_.get());
    ASSERT_TRUE(patched.ok()) << patched.status().message();
    ASSERT_EQ(patched->model.size(), tuned_.size());
    EXPECT_EQ(std::memcmp(patched->model.data(), tuned_.data(), tuned_.size()), 0);
  }
}

// A slot that keeps the base package beside the delta (agent/slot_package.h): once release 2
// is recorded, the base (release 1) is still read as the patch's input, though it may no
// longer be loaded itself; a base of another model leaves the served model serving.
TEST_F(DeltaTest, ADeltaAppliesToABasePackageFileThatAntiRollbackWouldRefuse) {
  const std::string base = WriteFile("base.tpkg", test_support::MakePackage(Spec(1)));
  const std::string delta = WriteFile("delta.tpkg", Sign(DeltaContents(2)));
  PackageLoader loader(Options());
  ASSERT_TRUE(loader.LoadDeltaChain(base, {delta}).ok());
  EXPECT_EQ(Serve(loader), tuned_y_);
  EXPECT_EQ(loader.manifest()->release, 2u);
  PackageLoader restarted(Options());
  EXPECT_FALSE(restarted.Load(base).ok());  // release 1 after 2: refused
  const Status again = restarted.LoadDeltaChain(base, {delta});
  ASSERT_TRUE(again.ok()) << again.message();
  EXPECT_EQ(Serve(restarted), tuned_y_);
  test_support::PackageSpec spec = Spec(1);
  spec.manifest.model_id = "other";
  const std::string foreign =
      WriteFile("other.tpkg", test_support::MakePackage(std::move(spec)));
  const Status refused = restarted.LoadDeltaChain(foreign, {delta});
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(Message(refused).find("its base is model 'other'"), std::string::npos)
      << refused.message();
  EXPECT_EQ(Serve(restarted), tuned_y_);
}

// A slot that chains deltas (agent/slot_package.h): base release 1, then 2 (model_ -> tuned_),
// then 3 (tuned_ -> tuned twice). Each link applies to the model the one before produced, and
// only the last result is admitted: after release 3 is recorded, release 2 in the middle of the
// chain is not refused. A link applied to the wrong model (out of order, or twice) is refused,
// saying which link, and the model served so far keeps serving.
TEST_F(DeltaTest, AChainOfDeltasAppliesLinkByLinkAndOnlyItsResultIsAdmitted) {
  const std::vector<uint8_t> twice = test_support::TunedScaleModel(kWidth, 2);
  auto session = toolchain::ModelSession::Load(twice, toolchain::KernelSet::kReference);
  ASSERT_TRUE(session.ok());
  auto outputs = (*session)->Run({{"x", test_support::ScaleInput(kWidth)}});
  ASSERT_TRUE(outputs.ok());
  const std::vector<float> twice_y = (*outputs)[0].Values<float>();
  ASSERT_NE(twice_y, tuned_y_);
  const std::string base = WriteFile("base.tpkg", test_support::MakePackage(Spec(1)));
  const std::string first = WriteFile("delta.tpkg", Sign(DeltaContents(2)));
  const std::string second = WriteFile("delta2.tpkg", Sign(DeltaBetween(tuned_, twice, 3)));

  PackageLoader loader(Options());
  const Status chained = loader.LoadDeltaChain(base, {first, second});
  ASSERT_TRUE(chained.ok()) << chained.message();
  EXPECT_EQ(Serve(loader), twice_y);
  EXPECT_EQ(loader.manifest()->release, 3u);
  auto installed = counters_->Installed("scale");
  ASSERT_TRUE(installed.ok());
  EXPECT_EQ(*installed, 3u);

  PackageLoader restarted(Options());  // release 3 recorded: the chain still applies
  ASSERT_TRUE(restarted.LoadDeltaChain(base, {first, second}).ok());
  EXPECT_EQ(Serve(restarted), twice_y);
  for (const std::vector<std::string>& wrong :
       {std::vector<std::string>{second}, std::vector<std::string>{first, first},
        std::vector<std::string>{second, first}}) {
    const Status refused = restarted.LoadDeltaChain(base, wrong);
    EXPECT_FALSE(refused.ok());
    EXPECT_NE(Message(refused).find(wrong.size() == 1 ? "(1 of 1)" : " of 2)"),
              std::string::npos)
        << refused.message();
    EXPECT_EQ(Serve(restarted), twice_y);
  }
  EXPECT_EQ(restarted.LoadDeltaChain(base, {}).code(), StatusCode::kInvalidArgument);
}

TEST_F(DeltaTest, AClearDeltaAppliesToo) {
  PackageLoader loader(Options());
  ASSERT_TRUE(Load(loader, test_support::MakePackage(Spec(1))).ok());
  ASSERT_TRUE(LoadDelta(loader, Sign(DeltaContents(2), /*encrypt=*/false)).ok());
  EXPECT_EQ(Serve(loader), tuned_y_);
}

TEST_F(DeltaTest, AnotherBaseIsRefusedAndTheServedModelStays) {
  PackageLoader loader(Options());
  ASSERT_TRUE(Load(loader, test_support::MakePackage(Spec(1, 7))).ok());
  const std::vector<float> other_y = Serve(loader);
  const Status status = LoadDelta(loader, Sign(DeltaContents(2)));
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(Message(status).find("but the installed model is"), std::string::npos)
      << status.message();
  EXPECT_NE(Message(status).find("install the full package instead"), std::string::npos);
  EXPECT_EQ(Serve(loader), other_y);

  PackageLoader empty(Options());
  EXPECT_NE(Message(LoadDelta(empty, Sign(DeltaContents(2)))).find("no model is loaded"),
            std::string::npos);
}

TEST_F(DeltaTest, AnAlteredManifestIsRefusedByTheSignature) {
  std::vector<uint8_t> delta = Sign(DeltaContents(2));
  // The result hash sits in the manifest; flipping any manifest byte breaks the signature.
  delta[format::kPackageHeaderBytes + 40] ^= 1;
  ExpectRefused(delta, "signature does not verify");
}

TEST_F(DeltaTest, AnAlteredPatchIsRefusedByTheSignedPayloadHash) {
  std::vector<uint8_t> delta = Sign(DeltaContents(2), /*encrypt=*/false);
  delta[delta.size() - 5] ^= 0x40;
  ExpectRefused(delta, "install the full package instead");
}

TEST_F(DeltaTest, ACorruptPatchSignedByTheVendorIsRefusedByTheResultHash) {
  format::PackageContents contents = DeltaContents(2);
  // Corrupt a literal of the patch (its end) and sign it as if it were good.
  contents.payload[contents.payload.size() - 3] ^= 0x01;
  contents.manifest.payload_hash =
      crypto::ContentHash(contents.payload.data(), contents.payload.size());
  ExpectRefused(Sign(std::move(contents)), "install the full package instead");
}

TEST_F(DeltaTest, AWrongSignedResultHashIsRefused) {
  format::PackageContents contents = DeltaContents(2);
  contents.manifest.delta->result_model_hash[0] ^= 1;
  ExpectRefused(Sign(std::move(contents)), "does not match the signed result hash");
}

TEST_F(DeltaTest, ADeltaIsNotAWholeModelAndAWholeModelIsNotADelta) {
  PackageLoader loader(Options());
  const Status as_full = Load(loader, Sign(DeltaContents(2)));
  EXPECT_NE(Message(as_full).find("it is a delta package"), std::string::npos) << as_full.message();
  ASSERT_TRUE(Load(loader, test_support::MakePackage(Spec(1))).ok());
  const Status as_delta = LoadDelta(loader, test_support::MakePackage(Spec(2)));
  EXPECT_NE(Message(as_delta).find("not a delta package"), std::string::npos) << as_delta.message();
  EXPECT_EQ(Serve(loader), expected_y_);
}

TEST_F(DeltaTest, AnOlderReleaseByDeltaIsARollbackAndIsRefused) {
  PackageLoader loader(Options());
  ASSERT_TRUE(Load(loader, test_support::MakePackage(Spec(5))).ok());
  const Status status = LoadDelta(loader, Sign(DeltaContents(4)));
  EXPECT_NE(Message(status).find("rollback refused"), std::string::npos) << status.message();
  EXPECT_EQ(Serve(loader), expected_y_);
}

}  // namespace
}  // namespace tinymlops::device
