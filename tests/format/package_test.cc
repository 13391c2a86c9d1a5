// .tpkg packages: write (build, encrypt, sign) and read back (signature first, streamed
// payload), and the errors for packages that are unsigned, wrongly signed, cut or altered.
#include <gtest/gtest.h>

#include <string>

#include "crypto/box_key.h"
#include "crypto/content_hash.h"
#include "crypto/sealed_box.h"
#include "format/package_header.h"
#include "format/package_reader.h"
#include "format/package_writer.h"
#include "format/semantic_version.h"
#include "support/package_fixtures.h"

namespace tinymlops::format {
namespace {

using test_support::Identity;
using test_support::MakePackage;
using test_support::PackageSpec;
using test_support::ScaleModel;

constexpr int kWidth = 3000;  // 24 KB of weights: many 1 KB chunks

class PackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vendor_ = std::move(*crypto::SigningKeyPair::Generate());
    stranger_ = std::move(*crypto::SigningKeyPair::Generate());
    device_ = std::move(*crypto::SigningKeyPair::Generate());
    other_device_ = std::move(*crypto::SigningKeyPair::Generate());
    model_ = ScaleModel(kWidth);
    ASSERT_FALSE(model_.empty());
  }

  PackageSpec Spec() const {
    PackageSpec spec;
    spec.model = model_;
    spec.manifest = Identity("scale", 7);
    spec.signer = &vendor_;
    spec.n = kWidth;
    return spec;
  }

  Result<std::unique_ptr<PackageReader>> Open(const std::vector<uint8_t>& bytes) const {
    return PackageReader::Open(std::make_unique<MemoryByteSource>(bytes.data(), bytes.size()),
                               {vendor_.public_key()});
  }

  // Reads the model of `bytes`, unsealing with `device` when encrypted.
  Result<std::vector<uint8_t>> ReadModel(const std::vector<uint8_t>& bytes,
                                         const crypto::SigningKeyPair* device = nullptr) const {
    TMM_ASSIGN_OR_RETURN(std::unique_ptr<PackageReader> reader, Open(bytes));
    crypto::SecureBuffer key;
    if (reader->encrypted()) {
      TMM_ASSIGN_OR_RETURN(const crypto::BoxKeyPair box,
                           crypto::BoxKeyPair::FromSigningKeyPair(*device));
      for (const auto& recipient : reader->manifest().encryption->recipients)
        if (recipient->key_id == device->public_key().key_id()) {
          TMM_ASSIGN_OR_RETURN(key,
                               crypto::OpenSealedBox(recipient->sealed_content_key.data(),
                                                     recipient->sealed_content_key.size(), box));
        }
    }
    TMM_ASSIGN_OR_RETURN(crypto::SecureBuffer model,
                         crypto::SecureBuffer::Allocate(reader->manifest().model_bytes));
    TMM_RETURN_IF_ERROR(
        reader->ReadModel(reader->encrypted() ? &key : nullptr, model.data(), model.size()));
    return std::vector<uint8_t>(model.data(), model.data() + model.size());
  }

  static std::string ErrorOf(const Status& status) { return status.message(); }

  crypto::SigningKeyPair vendor_, stranger_, device_, other_device_;
  std::vector<uint8_t> model_;
};

TEST_F(PackageTest, ClearPackageRoundTripsWithItsManifest) {
  const std::vector<uint8_t> bytes = MakePackage(Spec());
  ASSERT_FALSE(bytes.empty());
  auto reader = Open(bytes);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  const tpkg::ManifestT& manifest = (*reader)->manifest();
  EXPECT_EQ(manifest.model_id, "scale");
  EXPECT_EQ(manifest.release, 7u);
  EXPECT_EQ(manifest.model_bytes, model_.size());
  EXPECT_EQ(manifest.signer_key_id, vendor_.public_key().key_id());
  EXPECT_EQ(manifest.payload_hash.size(), 32u);
  EXPECT_EQ(manifest.model_hash, crypto::ContentHash(model_.data(), model_.size()));
  EXPECT_GT(manifest.created_unix, 1700000000);
  EXPECT_EQ(manifest.self_tests.size(), 1u);
  EXPECT_FALSE((*reader)->encrypted());
  auto model = ReadModel(bytes);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(*model, model_);
}

TEST_F(PackageTest, EveryChunkSizeGivesTheSameModel) {
  for (uint32_t chunk : {1u, 7u, 1000u, 65536u}) {
    PackageSpec spec = Spec();
    spec.chunk_bytes = chunk;
    spec.devices = {device_.public_key()};
    const std::vector<uint8_t> bytes = MakePackage(spec);
    auto model = ReadModel(bytes, &device_);
    ASSERT_TRUE(model.ok()) << chunk << ": " << model.status().message();
    EXPECT_EQ(*model, model_) << chunk;
  }
}

TEST_F(PackageTest, OneEncryptedPackageOpensOnEveryRecipientAndOnlyThere) {
  PackageSpec spec = Spec();
  spec.devices = {device_.public_key(), other_device_.public_key()};
  const std::vector<uint8_t> bytes = MakePackage(spec);
  for (const auto* device : {&device_, &other_device_}) {
    auto model = ReadModel(bytes, device);
    ASSERT_TRUE(model.ok()) << model.status().message();
    EXPECT_EQ(*model, model_);
  }
  // The clear model bytes do not appear in the package.
  const std::string haystack(bytes.begin(), bytes.end());
  const std::string weights(model_.end() - 4096, model_.end() - 3072);
  EXPECT_EQ(haystack.find(weights), std::string::npos);
  // A third device is not a recipient, and a wrong content key fails authentication.
  auto reader = Open(bytes);
  ASSERT_TRUE(reader.ok());
  auto wrong_key = crypto::SecureBuffer::Allocate(32);
  ASSERT_TRUE(wrong_key.ok());
  std::memset(wrong_key->data(), 1, 32);
  auto model = crypto::SecureBuffer::Allocate((*reader)->manifest().model_bytes);
  const Status status = (*reader)->ReadModel(&*wrong_key, model->data(), model->size());
  EXPECT_NE(ErrorOf(status).find("fails authentication"), std::string::npos) << ErrorOf(status);
}

TEST_F(PackageTest, UnsignedAndForeignSignedPackagesAreRefusedBeforeParsing) {
  PackageSpec unsigned_spec = Spec();
  unsigned_spec.signer = nullptr;
  auto unsigned_open = Open(MakePackage(unsigned_spec));
  ASSERT_FALSE(unsigned_open.ok());
  EXPECT_NE(ErrorOf(unsigned_open.status()).find("does not verify with any trusted vendor key"),
            std::string::npos);
  EXPECT_NE(ErrorOf(unsigned_open.status()).find(vendor_.public_key().key_id()), std::string::npos);
  PackageSpec stranger_spec = Spec();
  stranger_spec.signer = &stranger_;
  EXPECT_FALSE(Open(MakePackage(stranger_spec)).ok());
}

TEST_F(PackageTest, AlteredPayloadTruncationAndTrailingBytesAreErrors) {
  const std::vector<uint8_t> bytes = MakePackage(Spec());
  std::vector<uint8_t> flipped = bytes;
  flipped[flipped.size() - 100] ^= 0x04;
  auto model = ReadModel(flipped);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(ErrorOf(model.status()).find("altered"), std::string::npos) << model.status().message();

  const std::vector<uint8_t> cut(bytes.begin(), bytes.end() - 10);
  model = ReadModel(cut);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(ErrorOf(model.status()).find("truncated"), std::string::npos);

  std::vector<uint8_t> longer = bytes;
  longer.push_back(0);
  model = ReadModel(longer);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(ErrorOf(model.status()).find("extra bytes"), std::string::npos);

  std::vector<uint8_t> not_package = bytes;
  not_package[0] = 'X';
  EXPECT_NE(ErrorOf(Open(not_package).status()).find("not a .tpkg package"), std::string::npos);
}

TEST_F(PackageTest, VerifyPayloadChecksTheHashWithoutKeys) {
  PackageSpec spec = Spec();
  spec.devices = {device_.public_key()};
  std::vector<uint8_t> bytes = MakePackage(spec);
  auto reader = Open(bytes);
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE((*reader)->VerifyPayload().ok());
  bytes[bytes.size() - 1] ^= 1;
  reader = Open(bytes);
  ASSERT_TRUE(reader.ok());
  EXPECT_NE(ErrorOf((*reader)->VerifyPayload()).find("does not match the hash"), std::string::npos);
}

// The manifest names the clear model (for readers without a key: the server); encryption keeps
// it, and a package from before the field (no model hash) still loads.
TEST_F(PackageTest, TheSignedModelHashNamesTheClearModelAndIsKeptByEncryption) {
  for (const bool encrypted : {false, true}) {
    PackageSpec spec = Spec();
    if (encrypted) spec.devices = {device_.public_key()};
    const std::vector<uint8_t> bytes = MakePackage(spec);
    auto parts = ParsePackageUnverified(bytes.data(), bytes.size());
    ASSERT_TRUE(parts.ok()) << parts.status().message();
    EXPECT_EQ(parts->manifest.encryption != nullptr, encrypted);
    EXPECT_EQ(parts->manifest.model_hash, crypto::ContentHash(model_.data(), model_.size()));
    parts->manifest.model_hash.clear();
    auto old = SerializePackage(*parts, &vendor_);
    ASSERT_TRUE(old.ok());
    auto model = ReadModel(*old, &device_);
    ASSERT_TRUE(model.ok()) << model.status().message();
    EXPECT_EQ(*model, model_);
  }
}

TEST_F(PackageTest, UnverifiedParsingGivesTheToolsThePartsBack) {
  PackageSpec spec = Spec();
  const std::vector<uint8_t> bytes = MakePackage(spec);
  auto parts = ParsePackageUnverified(bytes.data(), bytes.size());
  ASSERT_TRUE(parts.ok()) << parts.status().message();
  EXPECT_EQ(parts->manifest.model_id, "scale");
  // Re-serializing with the same key gives the same, valid package.
  auto again = SerializePackage(*parts, &vendor_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, bytes);
  // Encrypting an encrypted package is refused.
  ASSERT_TRUE(EncryptPackage(*parts, {device_.public_key()}).ok());
  EXPECT_FALSE(EncryptPackage(*parts, {device_.public_key()}).ok());
}

TEST(PackageManifestTest, RejectsManifestsThatBreakTheInvariants) {
  tpkg::ManifestT manifest = test_support::Identity("m", 1);
  manifest.model_bytes = 10;
  manifest.payload_bytes = 10;
  manifest.payload_hash.assign(32, 0);
  manifest.chunk_bytes = 1024;
  std::vector<uint8_t> bytes = SerializeManifest(manifest);
  ASSERT_TRUE(ParseManifest(bytes.data(), bytes.size()).ok());
  EXPECT_TRUE(ParseManifest(bytes.data(), bytes.size())->model_hash.empty());
  // The model hash round trips.
  tpkg::ManifestT hashed = manifest;
  hashed.model_hash.assign(32, 3);
  bytes = SerializeManifest(hashed);
  auto parsed = ParseManifest(bytes.data(), bytes.size());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->model_hash, hashed.model_hash);

  auto expect_invalid = [](tpkg::ManifestT m, const std::string& fragment) {
    const std::vector<uint8_t> b = SerializeManifest(m);
    auto parsed = ParseManifest(b.data(), b.size());
    ASSERT_FALSE(parsed.ok()) << fragment;
    EXPECT_NE(std::string(parsed.status().message()).find(fragment), std::string::npos)
        << parsed.status().message();
  };
  tpkg::ManifestT m = manifest;
  m.version = "one";
  expect_invalid(m, "version is not a semantic version");
  m = manifest;
  m.payload_hash.resize(31);
  expect_invalid(m, "payload_hash");
  m = manifest;
  m.chunk_bytes = 0;
  expect_invalid(m, "chunk_bytes");
  m = manifest;
  m.encryption = std::make_unique<tpkg::EncryptionT>();
  m.encryption->stream_header.assign(24, 0);
  expect_invalid(m, "no recipient");
  m = manifest;
  auto test = std::make_unique<tpkg::SelfTestT>();
  auto value = std::make_unique<tpkg::TensorValueT>();
  value->shape = {2, 2};
  value->data.assign(15, 0);  // float32 [2, 2] needs 16
  test->inputs.push_back(std::move(value));
  m.self_tests.push_back(std::move(test));
  expect_invalid(m, "does not match its dtype and shape");
  // A delta block: 32-byte hashes, a base size in range, a known transform.
  auto delta = [] {
    auto d = std::make_unique<tpkg::DeltaT>();
    d->base_model_hash.assign(32, 1);
    d->base_model_bytes = 10;
    d->result_model_hash.assign(32, 2);
    return d;
  };
  m = manifest;
  m.delta = delta();
  bytes = SerializeManifest(m);
  ASSERT_TRUE(ParseManifest(bytes.data(), bytes.size()).ok());
  m.delta->result_model_hash.resize(16);
  expect_invalid(m, "result_model_hash is not 32 bytes");
  m.delta = delta();
  m.delta->base_model_bytes = 0;
  expect_invalid(m, "base_model_bytes is out of range");
  m.delta = delta();
  m.delta->transform = static_cast<tpkg::DeltaTransform>(7);
  expect_invalid(m, "transform is unknown");
  // A model hash: 32 bytes, and only in a whole-model package.
  m = hashed;
  m.model_hash.resize(31);
  expect_invalid(m, "model_hash is not 32 bytes");
  m = hashed;
  m.delta = delta();
  expect_invalid(m, "a delta package carries model_hash");

  bytes = SerializeManifest(manifest);
  bytes[5] ^= 0xff;  // the identifier
  EXPECT_FALSE(ParseManifest(bytes.data(), bytes.size()).ok());
  EXPECT_FALSE(ParseManifest(bytes.data(), 3).ok());
}

TEST(SemanticVersionTest, ParsesAndOrders) {
  auto a = ParseSemanticVersion("1.2.3");
  auto b = ParseSemanticVersion("1.10.0-rc1");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(*a < *b);
  EXPECT_FALSE(*b < *a);
  for (const char* bad : {"", "1", "1.2", "1.2.x", "1..3", "a.b.c", "1.2.3.4", "99999999999.0.0"})
    EXPECT_FALSE(ParseSemanticVersion(bad).ok()) << bad;
}

}  // namespace
}  // namespace tinymlops::format
