// LatencyWindow: nearest-rank percentiles over the latest kCapacity latencies only; empty
// answers 0; Clear starts again.
#include "agent/latency_window.h"

#include <gtest/gtest.h>

namespace tinymlops::agent {
namespace {

TEST(LatencyWindowTest, PercentilesAreNearestRankOverTheLatestLatencies) {
  LatencyWindow window;
  EXPECT_EQ(window.size(), 0u);
  EXPECT_EQ(window.Percentile(95), 0u);
  for (uint32_t us = 100; us >= 1; --us) window.Add(us);  // 1..100, in reverse
  EXPECT_EQ(window.size(), 100u);
  EXPECT_EQ(window.Percentile(50), 50u);
  EXPECT_EQ(window.Percentile(95), 95u);
  EXPECT_EQ(window.Percentile(99), 99u);
  EXPECT_EQ(window.Percentile(100), 100u);
  window.Add(7);
  EXPECT_EQ(window.Percentile(1), 2u);  // rank ceil(1.01) = 2 of {1..100, 7}

  // Beyond capacity the oldest leave: kCapacity slow ones after them decide alone.
  for (size_t i = 0; i < LatencyWindow::kCapacity; ++i) window.Add(5000);
  EXPECT_EQ(window.size(), LatencyWindow::kCapacity);
  EXPECT_EQ(window.Percentile(1), 5000u);
  window.Add(10);
  EXPECT_EQ(window.Percentile(0.1), 10u);  // rank 1: the smallest
  EXPECT_EQ(window.Percentile(1), 5000u);  // rank 3
  EXPECT_EQ(window.Percentile(50), 5000u);

  window.Clear();
  EXPECT_EQ(window.size(), 0u);
  EXPECT_EQ(window.Percentile(50), 0u);
  window.Add(42);
  EXPECT_EQ(window.Percentile(95), 42u);
}

}  // namespace
}  // namespace tinymlops::agent
