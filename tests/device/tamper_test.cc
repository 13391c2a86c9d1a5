// Tampering: 10,000 mutations of valid packages — bit flips, truncations, splices from another
// valid package, a swapped signature, a re-signature by an untrusted key, an older release, a
// package sealed to another device — must all be rejected with an error message, never crash
// (ASan/UBSan build), and leave the model loaded before serving, unchanged.
#include <map>
#include <random>

#include "device/loader_fixture.h"
#include "format/package_header.h"
#include "format/package_writer.h"

namespace tinymlops::device {
namespace {

constexpr int kMutations = 10000;

enum class Mutation {
  kBitFlip,
  kTruncation,
  kSplice,
  kSwappedSignature,
  kUntrustedSigner,
  kOlderRelease,
  kOtherDevice
};
const char* MutationName(Mutation m) {
  switch (m) {
    case Mutation::kBitFlip:
      return "bit flip";
    case Mutation::kTruncation:
      return "truncation";
    case Mutation::kSplice:
      return "splice";
    case Mutation::kSwappedSignature:
      return "swapped signature";
    case Mutation::kUntrustedSigner:
      return "re-signed by an untrusted key";
    case Mutation::kOlderRelease:
      return "older release";
    case Mutation::kOtherDevice:
      return "sealed to another device";
  }
  return "";
}

// The error a validly framed attack must give; nullptr where several are right (a flipped bit
// breaks the signature, the hash, a chunk's authentication or the framing, by where it lands).
const char* ExpectedError(Mutation m) {
  switch (m) {
    case Mutation::kSwappedSignature:
    case Mutation::kUntrustedSigner:
      return "does not verify with any trusted vendor key";
    case Mutation::kOlderRelease:
      return "rollback refused";
    case Mutation::kOtherDevice:
      return "not to this device";
    default:
      return nullptr;
  }
}

class TamperTest : public LoaderTest {};

TEST_F(TamperTest, TenThousandMutationsAreAllRejectedAndTheServedModelKeepsServing) {
  GuardOptions guard;
  LoaderOptions options = Options(guard);
  options.start_guard = false;  // no thread per attempt; the guard is tested on its own
  PackageLoader loader(options);
  const uint64_t kInstalled = 5;
  // Valid packages: encrypted and clear, of two models of the same shape.
  const std::vector<uint8_t> encrypted = test_support::MakePackage(Spec(kInstalled));
  test_support::PackageSpec clear_spec = Spec(kInstalled);
  clear_spec.devices.clear();
  const std::vector<uint8_t> clear = test_support::MakePackage(std::move(clear_spec));
  const std::vector<uint8_t> other_model = test_support::MakePackage(Spec(kInstalled + 1, 2));
  ASSERT_TRUE(Load(loader, encrypted).ok());
  ASSERT_EQ(Serve(loader), expected_y_);

  // Validly framed attacks, made once.
  auto resigned = [&](const std::vector<uint8_t>& bytes) {
    auto parts = format::ParsePackageUnverified(bytes.data(), bytes.size());
    EXPECT_TRUE(parts.ok());
    return *format::SerializePackage(*parts, &stranger_);
  };
  const std::vector<std::vector<uint8_t>> untrusted = {resigned(encrypted), resigned(clear)};
  test_support::PackageSpec older = Spec(kInstalled - 2, 3);
  const std::vector<uint8_t> older_release = test_support::MakePackage(std::move(older));
  test_support::PackageSpec foreign = Spec(kInstalled + 1, 3);
  foreign.devices = {other_device_.public_key()};
  const std::vector<uint8_t> other_device = test_support::MakePackage(std::move(foreign));
  std::vector<uint8_t> swapped = encrypted;  // other_model's signature on encrypted's manifest
  std::copy(other_model.begin() + 12, other_model.begin() + format::kPackageHeaderBytes,
            swapped.begin() + 12);

  std::mt19937_64 random(20261201);
  std::map<std::string, int> counts;
  int rejected = 0, attempts = 0;
  while (attempts < kMutations) {
    const auto kind = static_cast<Mutation>(random() % 7);
    const std::vector<uint8_t>& base = random() % 2 ? encrypted : clear;
    std::vector<uint8_t> bytes;
    switch (kind) {
      case Mutation::kBitFlip:
        bytes = base;
        bytes[random() % bytes.size()] ^= static_cast<uint8_t>(1u << (random() % 8));
        break;
      case Mutation::kTruncation:
        bytes.assign(base.begin(), base.begin() + static_cast<long>(random() % base.size()));
        break;
      case Mutation::kSplice: {
        const size_t size = std::min(base.size(), other_model.size());
        const size_t start = random() % size, length = 1 + random() % (size - start);
        bytes = base;
        std::copy(other_model.begin() + static_cast<long>(start),
                  other_model.begin() + static_cast<long>(start + length),
                  bytes.begin() + static_cast<long>(start));
        break;
      }
      case Mutation::kSwappedSignature:
        bytes = swapped;
        break;
      case Mutation::kUntrustedSigner:
        bytes = untrusted[random() % 2];
        break;
      case Mutation::kOlderRelease:
        bytes = older_release;
        break;
      case Mutation::kOtherDevice:
        bytes = other_device;
        break;
    }
    // A splice or flip that changes nothing is not a mutation.
    if (bytes == encrypted || bytes == clear || bytes == other_model) continue;
    ++attempts;
    ++counts[MutationName(kind)];
    const Status status = Load(loader, bytes);
    if (!status.ok() && std::strlen(status.message()) > 20) ++rejected;
    EXPECT_FALSE(status.ok()) << MutationName(kind);
    const char* expected = ExpectedError(kind);
    if (expected) {
      EXPECT_NE(std::string(status.message()).find(expected), std::string::npos)
          << MutationName(kind) << ": " << status.message();
    }
    ASSERT_EQ(loader.manifest()->release, kInstalled) << MutationName(kind);
    if (attempts % 500 == 0) {
      ASSERT_EQ(Serve(loader), expected_y_) << "after " << attempts;
    }
  }
  EXPECT_EQ(rejected, kMutations);
  EXPECT_EQ(Serve(loader), expected_y_);
  std::string summary;
  for (const auto& [name, count] : counts) summary += " " + name + "=" + std::to_string(count);
  std::printf("tamper: %d/%d mutations rejected with an error, model kept serving;%s\n", rejected,
              attempts, summary.c_str());
}

}  // namespace
}  // namespace tinymlops::device
