#include "runtime/arena_planner.h"

#include <gtest/gtest.h>

namespace tinymlops::runtime {
namespace {

TEST(ArenaPlannerTest, BuffersAliveTogetherNeverOverlap) {
  ArenaPlanner planner;
  const int a = planner.Add(100, 0, 2);
  const int b = planner.Add(200, 1, 3);
  const int c = planner.Add(50, 2, 2);
  planner.Plan();
  auto overlap = [&](int x, int y, size_t x_bytes, size_t y_bytes) {
    return planner.Offset(x) < planner.Offset(y) + y_bytes &&
           planner.Offset(y) < planner.Offset(x) + x_bytes;
  };
  EXPECT_FALSE(overlap(a, b, 112, 208));
  EXPECT_FALSE(overlap(a, c, 112, 64));
  EXPECT_FALSE(overlap(b, c, 208, 64));
  EXPECT_EQ(planner.Offset(a) % ArenaPlanner::kAlignment, 0u);
}

TEST(ArenaPlannerTest, BuffersWithDisjointLifetimesShareMemory) {
  ArenaPlanner planner;
  planner.Add(1024, 0, 1);
  planner.Add(1024, 2, 3);
  planner.Add(512, 4, 5);
  planner.Plan();
  EXPECT_EQ(planner.ArenaBytes(), 1024u);
  EXPECT_EQ(planner.LivenessLowerBound(), 1024u);
}

TEST(ArenaPlannerTest, LowerBoundIsPeakOfLiveBytes) {
  ArenaPlanner planner;
  planner.Add(64, 0, 1);
  planner.Add(32, 1, 2);
  planner.Add(16, 2, 3);
  planner.Plan();
  EXPECT_EQ(planner.LivenessLowerBound(), 96u);
  EXPECT_GE(planner.ArenaBytes(), planner.LivenessLowerBound());
}

}  // namespace
}  // namespace tinymlops::runtime
