// The rules of a rollout that need no store: strategies and their stages, gates, the stable
// stage and split hashes, and compatibility reasons.
#include <gtest/gtest.h>

#include "server/rollout/compatibility.h"
#include "server/rollout/deployment.h"

namespace tinymlops::server {
namespace {

RolloutStrategy Strategy(const std::string& json) {
  auto strategy = ParseRolloutStrategy(json);
  EXPECT_TRUE(strategy.ok()) << strategy.status().message();
  return strategy.ok() ? *strategy : RolloutStrategy();
}

TEST(RolloutRulesTest, StagesHoldCumulativePercentsOfTheBuckets) {
  const RolloutStrategy staged = Strategy(R"({"type": "staged", "stages": [10, 50, 100]})");
  EXPECT_EQ(staged.StageCount(), 3);
  EXPECT_EQ(staged.StageOf(0, false), 0);
  EXPECT_EQ(staged.StageOf(999, false), 0);
  EXPECT_EQ(staged.StageOf(1000, false), 1);
  EXPECT_EQ(staged.StageOf(4999, false), 1);
  EXPECT_EQ(staged.StageOf(5000, false), 2);
  EXPECT_EQ(staged.StageOf(9999, true), 2);  // the canary tag means nothing here
  const RolloutStrategy canary =
      Strategy(R"({"type": "canary", "canary_tag": "canary", "stages": [50, 100]})");
  EXPECT_EQ(canary.StageCount(), 3);
  EXPECT_EQ(canary.StageOf(9999, true), 0);
  EXPECT_EQ(canary.StageOf(0, false), 1);
  EXPECT_EQ(canary.StageOf(5000, false), 2);
  const RolloutStrategy once = Strategy(R"({"type": "all_at_once"})");
  EXPECT_EQ(once.StageCount(), 1);
  EXPECT_EQ(once.StageOf(9999, false), 0);
  // The stored form reads back as the same strategy.
  const RolloutStrategy again = Strategy(RolloutStrategyJson(canary));
  EXPECT_EQ(again.stages, canary.stages);
  EXPECT_EQ(again.canary_tag, "canary");
  EXPECT_TRUE(again.auto_promote);
}

TEST(RolloutRulesTest, MalformedStrategiesAndGatesSayWhatIsWrong) {
  auto message = [](const Status& status) { return std::string(status.message()); };
  EXPECT_NE(message(ParseRolloutStrategy(R"({"type": "big_bang"})").status()).find("all_at_once"),
            std::string::npos);
  EXPECT_NE(message(ParseRolloutStrategy(R"({"type": "staged", "stages": [50, 10, 100]})").status())
                .find("strictly increasing"),
            std::string::npos);
  EXPECT_NE(message(ParseRolloutStrategy(R"({"type": "staged", "stages": [10, 50]})").status())
                .find("must be 100"),
            std::string::npos);
  EXPECT_NE(message(ParseRolloutStrategy(R"({"type": "canary", "stages": [100]})").status())
                .find("canary_tag"),
            std::string::npos);
  EXPECT_FALSE(ParseRolloutStrategy(R"({"type": "all_at_once", "stages": [100]})").ok());
  EXPECT_NE(message(ParseHealthGates(R"({"max_crash_rate": 2})").status()).find("0 to 1"),
            std::string::npos);
  EXPECT_NE(message(ParseHealthGates(R"({"max_crashes": 0.1})").status()).find("is not a gate"),
            std::string::npos);
  auto gates = ParseHealthGates(R"({"max_latency_regression": 0.25, "min_reports": 5})");
  ASSERT_TRUE(gates.ok());
  EXPECT_DOUBLE_EQ(*gates->max_latency_regression, 0.25);
  EXPECT_FALSE(gates->max_crash_rate.has_value());
  auto stored = ParseHealthGates(HealthGatesJson(*gates));
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->min_reports, 5);
}

TEST(RolloutRulesTest, BucketsAreStableAndSpreadOut) {
  EXPECT_EQ(StageBucket("dev_0123456789abcdef"), StageBucket("dev_0123456789abcdef"));
  int low_stage = 0, low_split = 0, same = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    const std::string id = "dev_" + std::to_string(1000000 + i * 7919);
    const int64_t stage = StageBucket(id), split = SplitBucket(id);
    ASSERT_GE(stage, 0);
    ASSERT_LT(stage, 10000);
    ASSERT_GE(split, 0);
    ASSERT_LT(split, 100);
    low_stage += stage < 1000 ? 1 : 0;
    low_split += split < 30 ? 1 : 0;
    same += (stage < 3000) == (split < 30) ? 1 : 0;
  }
  // About 10% and 30% (binomial, 4000 draws: far inside these bounds).
  EXPECT_NEAR(low_stage, n / 10, n / 40);
  EXPECT_NEAR(low_split, n * 3 / 10, n / 20);
  // The two hashes are independent: being in the first 30% of stages says nothing of the arm.
  EXPECT_NEAR(same, n * 58 / 100, n / 20);
}

VariantRecord Int8(const std::string& ops_json = R"(["Mul", "Softmax"])") {
  VariantRecord v;
  v.model = "digits";
  v.version = "1.1.0";
  v.name = "int8";
  v.ops_json = ops_json;
  v.arena_bytes = 4096;
  v.size_bytes = 1000;
  v.min_runtime_version = "0.2.0";
  return v;
}

TEST(RolloutRulesTest, CompatibilityReasonsNameTheDeviceTheVariantAndTheGap) {
  const DeviceProfile fits = ParseDeviceProfile(
      R"({"architecture": "armv7", "ram_bytes": 5096, "ops": ["Mul", "Softmax"],
          "runtime_version": "0.2.1"})");
  EXPECT_EQ(fits.device_class, "armv7");
  EXPECT_FALSE(IncompatibilityReason("dev_x", fits, Int8()).has_value());
  const DeviceProfile no_softmax = ParseDeviceProfile(R"({"ops": ["Mul"]})");
  EXPECT_EQ(IncompatibilityReason("dev_x", no_softmax, Int8()),
            "device dev_x lacks op Softmax needed by digits 1.1.0 int8");
  const DeviceProfile small = ParseDeviceProfile(R"({"ram_bytes": 5095})");
  EXPECT_EQ(IncompatibilityReason("dev_x", small, Int8()),
            "device dev_x has 5095 bytes of RAM; digits 1.1.0 int8 needs 5096 (arena 4096 + "
            "model 1000)");
  const DeviceProfile old = ParseDeviceProfile(R"({"runtime_version": "0.1.9"})");
  EXPECT_EQ(IncompatibilityReason("dev_x", old, Int8()),
            "device dev_x runs runtime 0.1.9; digits 1.1.0 int8 needs runtime 0.2.0 or newer");
  // What a device has not reported is not held against it; a class falls back to "unknown".
  const DeviceProfile silent = ParseDeviceProfile("{}");
  EXPECT_EQ(silent.device_class, "unknown");
  EXPECT_FALSE(IncompatibilityReason("dev_x", silent, Int8()).has_value());
  EXPECT_EQ(
      ParseDeviceProfile(R"({"device_class": "gateway", "architecture": "x86_64"})").device_class,
      "gateway");
}

}  // namespace
}  // namespace tinymlops::server
