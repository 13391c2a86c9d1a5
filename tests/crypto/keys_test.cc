// crypto/: Ed25519 keys and their ids, X25519 keys derived from them, sealed boxes, key files
// and their permission check, locked memory. Real libsodium, real files.
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "crypto/box_key.h"
#include "crypto/key_file.h"
#include "crypto/key_id.h"
#include "crypto/sealed_box.h"
#include "crypto/secure_buffer.h"
#include "crypto/signing_key.h"

namespace tinymlops::crypto {
namespace {

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/keys_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    folder_ = pattern;
  }
  void TearDown() override { std::system(("rm -rf " + folder_).c_str()); }
  std::string Path(const std::string& name) const { return folder_ + "/" + name; }
  std::string folder_;
};

std::string ReadText(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(SigningKeyTest, SignsAndVerifiesAndRejectsOtherMessagesAndKeys) {
  auto key = SigningKeyPair::Generate();
  ASSERT_TRUE(key.ok()) << key.status().message();
  auto other = SigningKeyPair::Generate();
  ASSERT_TRUE(other.ok());
  const std::string message = "manifest bytes";
  const auto* bytes = reinterpret_cast<const uint8_t*>(message.data());
  const Signature signature = key->Sign(bytes, message.size());
  EXPECT_TRUE(key->public_key().Verifies(bytes, message.size(), signature));
  EXPECT_FALSE(other->public_key().Verifies(bytes, message.size(), signature));
  EXPECT_FALSE(key->public_key().Verifies(bytes, message.size() - 1, signature));
  Signature flipped = signature;
  flipped[10] ^= 1;
  EXPECT_FALSE(key->public_key().Verifies(bytes, message.size(), flipped));
}

TEST(SigningKeyTest, KeyIdIsTheFirst8BytesOfBlake2bOfThePublicKeyInHex) {
  auto key = SigningKeyPair::Generate();
  ASSERT_TRUE(key.ok());
  uint8_t digest[8];
  crypto_generichash(digest, sizeof(digest), key->public_key().bytes().data(), 32, nullptr, 0);
  char hex[17];
  sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
  EXPECT_EQ(key->public_key().key_id(), hex);
  EXPECT_EQ(key->public_key().key_id().size(), 16u);
}

TEST(SigningKeyTest, SameSeedGivesSameKey) {
  const uint8_t seed[32] = {1, 2, 3};
  auto a = SigningKeyPair::FromSeed(seed, sizeof(seed));
  auto b = SigningKeyPair::FromSeed(seed, sizeof(seed));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->public_key().bytes(), b->public_key().bytes());
  EXPECT_FALSE(SigningKeyPair::FromSeed(seed, 31).ok());
}

TEST(SealedBoxTest, OnlyTheDeviceSealedToOpensTheBox) {
  auto device = SigningKeyPair::Generate();
  auto other = SigningKeyPair::Generate();
  ASSERT_TRUE(device.ok() && other.ok());
  auto device_box = BoxKeyPair::FromSigningKeyPair(*device);
  auto other_box = BoxKeyPair::FromSigningKeyPair(*other);
  ASSERT_TRUE(device_box.ok() && other_box.ok());
  // The public half derived from the public key alone matches the pair's.
  auto public_only = BoxPublicKey::FromSigningKey(device->public_key());
  ASSERT_TRUE(public_only.ok());
  EXPECT_EQ(public_only->bytes(), device_box->public_key().bytes());

  const uint8_t content_key[32] = {9, 8, 7, 6, 5};
  const std::vector<uint8_t> sealed = SealToKey(content_key, sizeof(content_key), *public_only);
  EXPECT_EQ(sealed.size(), sizeof(content_key) + kSealOverheadBytes);
  auto opened = OpenSealedBox(sealed.data(), sealed.size(), *device_box);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  ASSERT_EQ(opened->size(), sizeof(content_key));
  EXPECT_EQ(0, std::memcmp(opened->data(), content_key, sizeof(content_key)));

  auto wrong = OpenSealedBox(sealed.data(), sealed.size(), *other_box);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(std::string(wrong.status().message()).find("sealed to another device"),
            std::string::npos);
  std::vector<uint8_t> altered = sealed;
  altered[40] ^= 0x80;
  EXPECT_FALSE(OpenSealedBox(altered.data(), altered.size(), *device_box).ok());
}

TEST(SecureBufferTest, IsAlignedWritableAndMovable) {
  for (size_t size : {1u, 17u, 4096u, 100000u}) {
    auto buffer = SecureBuffer::Allocate(size);
    ASSERT_TRUE(buffer.ok());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(buffer->data()) % 16, 0u) << size;
    std::memset(buffer->data(), 0xab, size);
    SecureBuffer moved = std::move(*buffer);
    EXPECT_EQ(moved.size(), size);
    EXPECT_TRUE(buffer->empty());
    EXPECT_EQ(moved.data()[size - 1], 0xab);
  }
}

TEST_F(KeyFileTest, SecretAndPublicKeyFilesRoundTrip) {
  auto key = SigningKeyPair::Generate();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(WriteSecretKeyFile(Path("vendor.key"), *key).ok());
  ASSERT_TRUE(WritePublicKeyFile(Path("vendor.pub"), key->public_key()).ok());
  struct stat info;
  ASSERT_EQ(::stat(Path("vendor.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(ReadText(Path("vendor.pub")).rfind("tinymlops-ed25519-public ", 0), 0u);

  auto secret = ReadSecretKeyFile(Path("vendor.key"));
  ASSERT_TRUE(secret.ok()) << secret.status().message();
  EXPECT_EQ(secret->public_key().bytes(), key->public_key().bytes());
  auto public_key = ReadPublicKeyFile(Path("vendor.pub"));
  ASSERT_TRUE(public_key.ok()) << public_key.status().message();
  EXPECT_EQ(public_key->key_id(), key->public_key().key_id());
  // A signature by the reloaded key verifies with the original public key.
  const uint8_t message[3] = {1, 2, 3};
  EXPECT_TRUE(key->public_key().Verifies(message, 3, secret->Sign(message, 3)));
}

TEST_F(KeyFileTest, NeverOverwritesAKey) {
  auto key = SigningKeyPair::Generate();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(WriteSecretKeyFile(Path("a.key"), *key).ok());
  const std::string before = ReadText(Path("a.key"));
  const Status again = WriteSecretKeyFile(Path("a.key"), *key);
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(again.message()).find("already exists"), std::string::npos);
  EXPECT_EQ(ReadText(Path("a.key")), before);
}

TEST_F(KeyFileTest, RefusesASecretKeyOthersCanRead) {
  auto key = SigningKeyPair::Generate();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(WriteSecretKeyFile(Path("loose.key"), *key).ok());
  ASSERT_EQ(::chmod(Path("loose.key").c_str(), 0644), 0);
  auto loaded = ReadSecretKeyFile(Path("loose.key"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(loaded.status().message()).find("run 'chmod 600 " + Path("loose.key")),
            std::string::npos)
      << loaded.status().message();
  ASSERT_EQ(::chmod(Path("loose.key").c_str(), 0600), 0);
  EXPECT_TRUE(ReadSecretKeyFile(Path("loose.key")).ok());
}

TEST_F(KeyFileTest, RejectsFilesThatAreNotKeys) {
  std::ofstream(Path("notes.pub")) << "hello\n";
  auto loaded = ReadPublicKeyFile(Path("notes.pub"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(std::string(loaded.status().message()).find("is not a tinymlops public key file"),
            std::string::npos);
  EXPECT_EQ(ReadPublicKeyFile(Path("absent.pub")).status().code(), StatusCode::kNotFound);
  // A secret key file is not a public key file.
  auto key = SigningKeyPair::Generate();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(WriteSecretKeyFile(Path("k.key"), *key).ok());
  EXPECT_FALSE(ReadPublicKeyFile(Path("k.key")).ok());
}

}  // namespace
}  // namespace tinymlops::crypto
