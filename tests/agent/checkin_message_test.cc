// The check-in exchange as bytes: the body a device sends, and the server's answer read into
// the release the installer acts on, refusing malformed answers in one line.
#include "agent/checkin_message.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tinymlops::agent {
namespace {

const std::string kHash(64, 'a');

std::string Answer(const std::string& variant_name, const std::string& hash = kHash) {
  return nlohmann::json{
      {"desired",
       {{"deployment", "dep_1"},
        {"model", "digits"},
        {"version", "1.1.0"},
        {"variants",
         {{{"id", "var_1"},
           {"name", "fp32"},
           {"dtype", "float32"},
           {"artifact_bytes", 13000},
           {"artifact_hash", hash},
           {"release", 3},
           {"package", "/v1/device/variants/var_1/package"}},
          {{"id", "var_2"},
           {"name", variant_name},
           {"dtype", "int8"},
           {"artifact_bytes", 4000},
           {"artifact_hash", hash},
           {"release", 3},
           {"package", "/v1/device/variants/var_2/package"}}}},
        {"policy", {{"rules", nlohmann::json::array()}, {"default", "int8"}}}}},
      {"refused", {{{"deployment", "dep_0"}, {"reason", "the device lacks the op Softmax"}}}},
      {"next_checkin_seconds", 30}}
      .dump();
}

TEST(CheckinMessageTest, TheAnswerBecomesTheReleaseToInstall) {
  auto answer = ParseCheckinAnswer(Answer("int8"));
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  ASSERT_TRUE(answer->desired.has_value());
  EXPECT_EQ(answer->desired->version, "1.1.0");
  ASSERT_EQ(answer->desired->variants.size(), 2u);
  EXPECT_EQ(answer->desired->variants[1].artifact_bytes, 4000u);
  EXPECT_EQ(answer->desired->default_variant, "int8");  // the policy's default
  ASSERT_EQ(answer->refused.size(), 1u);
  EXPECT_EQ(answer->next_checkin_seconds, 30);
  auto nothing = ParseCheckinAnswer(R"({"desired": null, "next_checkin_seconds": 0})");
  ASSERT_TRUE(nothing.ok());
  EXPECT_FALSE(nothing->desired.has_value());
  EXPECT_EQ(nothing->next_checkin_seconds, 1);  // clamped
}

TEST(CheckinMessageTest, MalformedAnswersAreRefused) {
  EXPECT_FALSE(ParseCheckinAnswer("not json").ok());
  EXPECT_FALSE(ParseCheckinAnswer("[]").ok());
  EXPECT_FALSE(ParseCheckinAnswer(Answer("../../etc/passwd")).ok());  // a file name
  EXPECT_FALSE(ParseCheckinAnswer(Answer("fp32")).ok());              // twice
  EXPECT_FALSE(ParseCheckinAnswer(Answer("int8", "abc")).ok());
  EXPECT_FALSE(ParseCheckinAnswer(R"({"desired": {"deployment": 1}})").ok());
}

TEST(CheckinMessageTest, TheBodyCarriesTheReportOfDeviceProtocol) {
  CheckinReport report;
  report.profile.architecture = "x86_64";
  report.profile.ops = {"Add", "Mul"};
  report.context.battery_percent = 71;
  report.context.charging = false;
  report.installed.active = "a";
  report.installed.slots["a"].version = "1.1.0";
  report.installed.serving_variant = "fp32";
  report.health.model = "digits";
  OutcomeEvent event;
  event.sequence = 17;
  event.event = "installed";
  report.outcomes = {event};
  const auto body = nlohmann::json::parse(CheckinBody(report));
  EXPECT_EQ(body["profile"]["ops"], nlohmann::json::array({"Add", "Mul"}));
  EXPECT_EQ(body["context"]["battery_percent"], 71);
  EXPECT_EQ(body["installed"]["slots"]["a"]["version"], "1.1.0");
  EXPECT_EQ(body["health"]["model"], "digits");
  EXPECT_FALSE(body["health"].contains("latency_us")) << "no inference measured yet";
  EXPECT_EQ(body["outcomes"][0]["sequence"], 17);
  report.health.inferences = 1200;
  report.health.crash_count = 2;
  report.health.latency_us = LatencyPercentiles{410, 520, 700};
  const auto measured = nlohmann::json::parse(CheckinBody(report))["health"];
  EXPECT_EQ(measured["inferences"], 1200);
  EXPECT_EQ(measured["crash_count"], 2);
  EXPECT_EQ(measured["latency_us"], nlohmann::json({{"p50", 410}, {"p95", 520}, {"p99", 700}}));
}

}  // namespace
}  // namespace tinymlops::agent
