// The variant selection policy: validation with clear errors, and the choice by context.
#include "agent/variant_policy.h"

#include <gtest/gtest.h>

namespace tinymlops::agent {
namespace {

const std::vector<std::string> kVariants = {"fp32", "int8", "int8-small"};

VariantPolicy Parse(const std::string& text) {
  auto policy = ParseVariantPolicy(text, kVariants);
  EXPECT_TRUE(policy.ok()) << policy.status().message();
  return policy.ok() ? *policy : VariantPolicy();
}

std::string Error(const std::string& text) {
  auto policy = ParseVariantPolicy(text, kVariants);
  EXPECT_FALSE(policy.ok()) << text;
  return policy.ok() ? "" : policy.status().message();
}

TEST(VariantPolicyTest, FirstMatchingInstalledRuleWins) {
  const VariantPolicy policy = Parse(R"({
    "rules": [{"when": {"battery_percent_below": 20}, "use": "int8-small"},
              {"when": {"battery_percent_below": 50, "charging": false}, "use": "int8"},
              {"when": {"network": ["cellular", "none"]}, "use": "int8"},
              {"when": {"latency_p95_us_above": 900}, "use": "int8"}],
    "default": "fp32"})");
  const std::vector<std::string> all = kVariants;
  DeviceContext low;
  low.battery_percent = 10;
  low.charging = false;
  EXPECT_EQ(SelectVariant(policy, low, all), "int8-small");
  // The first rule's variant is not installed: the next matching rule.
  EXPECT_EQ(SelectVariant(policy, low, {"fp32", "int8"}), "int8");
  DeviceContext half;
  half.battery_percent = 40;
  half.charging = true;  // charging: the second rule does not hold
  EXPECT_EQ(SelectVariant(policy, half, all), "fp32");
  half.charging = false;
  EXPECT_EQ(SelectVariant(policy, half, all), "int8");
  DeviceContext roaming;
  roaming.network = "cellular";
  EXPECT_EQ(SelectVariant(policy, roaming, all), "int8");
  roaming.network = "wifi";
  EXPECT_EQ(SelectVariant(policy, roaming, all), "fp32");
  DeviceContext slow;
  slow.latency_p95_us = 1200;
  EXPECT_EQ(SelectVariant(policy, slow, all), "int8");
  slow.latency_p95_us = 800;
  EXPECT_EQ(SelectVariant(policy, slow, all), "fp32");
}

TEST(VariantPolicyTest, UnknownContextDoesNotMatchAndTheFallbacksApply) {
  const VariantPolicy policy = Parse(R"({"rules": [
      {"when": {"battery_percent_at_least": 80}, "use": "fp32"},
      {"when": {"charging": true}, "use": "fp32"}], "default": "int8"})");
  DeviceContext unknown;  // mains-powered: no battery, no charging state
  EXPECT_EQ(SelectVariant(policy, unknown, kVariants), "int8");
  DeviceContext full;
  full.battery_percent = 80;
  EXPECT_EQ(SelectVariant(policy, full, kVariants), "fp32");
  // The default is not installed: the first installed variant.
  EXPECT_EQ(SelectVariant(policy, unknown, {"int8-small", "fp32"}), "int8-small");
  EXPECT_EQ(SelectVariant(policy, unknown, {}), "");
  // A rule with no conditions always holds; an empty policy picks the first installed.
  EXPECT_EQ(SelectVariant(Parse(R"({"rules": [{"use": "int8"}]})"), unknown, kVariants), "int8");
  EXPECT_EQ(SelectVariant(Parse("{}"), unknown, {"int8", "fp32"}), "int8");
}

TEST(VariantPolicyTest, InvalidPoliciesAreRefusedWithAClearReason) {
  EXPECT_NE(Error(R"({"default": "fp16"})").find("'fp16', which is not one of the deployment's "
                                                 "variants (fp32, int8, int8-small)"),
            std::string::npos);
  EXPECT_NE(Error(R"({"rules": [{"use": "fp16"}]})").find("rules[0].use"), std::string::npos);
  EXPECT_NE(Error(R"({"rules": [{"when": {"battery": 3}, "use": "int8"}]})")
                .find("rules[0].when.battery is not a condition"),
            std::string::npos);
  EXPECT_NE(Error(R"({"rules": [{"when": {"battery_percent_below": 130}, "use": "int8"}]})")
                .find("from 0 to 100"),
            std::string::npos);
  EXPECT_NE(Error(R"({"rules": [{"when": {"charging": "yes"}, "use": "int8"}]})")
                .find("true or false"),
            std::string::npos);
  EXPECT_NE(Error(R"({"rules": [{"when": {"network": "wifi"}, "use": "int8"}]})")
                .find("array"),
            std::string::npos);
  EXPECT_NE(Error(R"({"rules": [{"when": {}}]})").find("rules[0].use is required"),
            std::string::npos);
  EXPECT_NE(Error(R"({"rule": []})").find("unknown field 'rule'"), std::string::npos);
  EXPECT_NE(Error("[1, 2]").find("JSON object"), std::string::npos);
  EXPECT_NE(Error("not json").find("JSON object"), std::string::npos);
  EXPECT_NE(Error("{\"rules\": " + std::string(100, '[')).find("deeper"), std::string::npos);
  std::string many = R"({"rules": [)";
  for (int i = 0; i < 65; ++i) many += std::string(i ? "," : "") + R"({"use": "int8"})";
  EXPECT_NE(Error(many + "]}").find("at most 64"), std::string::npos);
}

}  // namespace
}  // namespace tinymlops::agent
