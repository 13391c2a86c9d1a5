// device/guard/integrity_guard.h: reference hashes per slice, detection by a full pass and by
// the background thread within its period, events, options.
#include "device/guard/integrity_guard.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace tinymlops::device {
namespace {

TEST(IntegrityGuardTest, VerifyAllFindsAChangedByteAndSaysWhere) {
  std::vector<uint8_t> a(10000, 1), b(300, 2);
  GuardOptions options;
  options.slice_bytes = 4096;
  auto guard = IntegrityGuard::Create({{a.data(), a.size()}, {b.data(), b.size()}}, options);
  ASSERT_TRUE(guard.ok());
  EXPECT_EQ((*guard)->guarded_bytes(), 10300u);
  EXPECT_EQ((*guard)->slice_count(), 4u);  // 4096 + 4096 + 1808, then 300
  EXPECT_TRUE((*guard)->VerifyAll().ok());
  EXPECT_FALSE((*guard)->quarantined());
  a[5000] ^= 0x01;
  const Status status = (*guard)->VerifyAll();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(std::string(status.message()).find("region 0, bytes 4096 to 8192"), std::string::npos)
      << status.message();
  EXPECT_TRUE((*guard)->quarantined());
  // Restoring the byte does not lift the quarantine; events are recorded once per slice.
  a[5000] ^= 0x01;
  EXPECT_FALSE((*guard)->VerifyAll().ok());
  EXPECT_EQ((*guard)->events().size(), 1u);
}

TEST(IntegrityGuardTest, BackgroundThreadDetectsAFlipAndReportsItsPeriod) {
  std::vector<uint8_t> weights(256 << 10, 7);
  GuardOptions options;
  options.cpu_budget = 0.25;
  options.slice_bytes = 16 << 10;
  auto guard = IntegrityGuard::Create({{weights.data(), weights.size()}}, options);
  ASSERT_TRUE(guard.ok());
  (*guard)->Start();
  while ((*guard)->passes_completed() < 2)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_GT((*guard)->last_period().count(), 0);
  EXPECT_FALSE((*guard)->quarantined());
  weights[200000] ^= 0x80;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!(*guard)->quarantined() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_TRUE((*guard)->quarantined());
  ASSERT_EQ((*guard)->events().size(), 1u);
  EXPECT_EQ((*guard)->events()[0].offset, 12u * (16 << 10));
  (*guard)->Stop();
  (*guard)->Stop();  // idempotent
}

TEST(IntegrityGuardTest, RejectsBadOptions) {
  std::vector<uint8_t> bytes(10);
  for (double budget : {0.0, -0.5, 1.5}) {
    GuardOptions options;
    options.cpu_budget = budget;
    EXPECT_FALSE(IntegrityGuard::Create({{bytes.data(), bytes.size()}}, options).ok()) << budget;
  }
  GuardOptions zero_slice;
  zero_slice.slice_bytes = 0;
  EXPECT_FALSE(IntegrityGuard::Create({{bytes.data(), bytes.size()}}, zero_slice).ok());
}

}  // namespace
}  // namespace tinymlops::device
