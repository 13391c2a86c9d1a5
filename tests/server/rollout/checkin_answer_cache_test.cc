// CheckinAnswerCache: an answer is found only for the request body it answered and the
// revisions its check-in read; equal answers share one copy; the capacity bounds the entries.
#include <gtest/gtest.h>

#include "server/rollout/checkin_answer_cache.h"

namespace tinymlops::server {
namespace {

BodyFingerprint Request(const std::string& context) {
  return FingerprintBody(R"({"profile": {"architecture": "x86_64"}, "context": )" + context + "}");
}

TEST(CheckinAnswerCacheTest, FoundOnlyForTheSameRequestAndRevisions) {
  CheckinAnswerCache cache;
  const BodyFingerprint report = Request(R"({"battery_percent":80})");
  cache.Remember("dev_a", report, AnswerRevisions{3, 7}, R"({"desired":null})", false);
  auto found = cache.Find("dev_a", report, AnswerRevisions{3, 7});
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found->body, R"({"desired":null})");
  EXPECT_FALSE(found->desired);
  EXPECT_FALSE(cache.Find("dev_a", report, AnswerRevisions{4, 7}));  // the project changed
  EXPECT_FALSE(cache.Find("dev_a", report, AnswerRevisions{3, 8}));  // the device changed
  EXPECT_FALSE(cache.Find("dev_b", report, AnswerRevisions{3, 7}));  // another device
  EXPECT_FALSE(cache.Find("dev_a", Request(R"({"battery_percent":79})"),
                          AnswerRevisions{3, 7}));  // another body
  // A new answer replaces the device's entry.
  cache.Remember("dev_a", report, AnswerRevisions{4, 7}, R"({"desired":{}})", true);
  EXPECT_FALSE(cache.Find("dev_a", report, AnswerRevisions{3, 7}));
  found = cache.Find("dev_a", report, AnswerRevisions{4, 7});
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->desired);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(CheckinAnswerCacheTest, RevisionsNotReadAreNotCached) {
  CheckinAnswerCache cache;
  const BodyFingerprint report = Request("{}");
  cache.Remember("dev_a", report, AnswerRevisions{}, "{}", false);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.Find("dev_a", report, AnswerRevisions{}));
}

TEST(CheckinAnswerCacheTest, EqualAnswersShareOneCopy) {
  CheckinAnswerCache cache;
  const BodyFingerprint report = Request("{}");
  for (int i = 0; i < 100; ++i) {
    cache.Remember("dev_" + std::to_string(i), report, AnswerRevisions{1, 0},
                   R"({"desired":{"version":"1.0.0"}})", true);
  }
  cache.Remember("dev_odd", report, AnswerRevisions{1, 0}, R"({"desired":null})", false);
  EXPECT_EQ(cache.size(), 101u);
  EXPECT_EQ(cache.distinct_answers(), 2u);
  EXPECT_EQ(cache.Find("dev_0", report, AnswerRevisions{1, 0})->body.get(),
            cache.Find("dev_99", report, AnswerRevisions{1, 0})->body.get());
  // Once no device is answered the odd body, it is no longer held.
  cache.Remember("dev_odd", report, AnswerRevisions{1, 0}, R"({"desired":{"version":"1.0.0"}})",
                 true);
  EXPECT_EQ(cache.distinct_answers(), 1u);
}

TEST(CheckinAnswerCacheTest, CapacityBoundsTheEntries) {
  CheckinAnswerCache cache(64);
  const BodyFingerprint report = Request("{}");
  for (int i = 0; i < 10000; ++i) {
    cache.Remember("dev_" + std::to_string(i), report, AnswerRevisions{1, i}, std::to_string(i),
                   false);
  }
  EXPECT_LE(cache.size(), 64u);
  EXPECT_EQ(cache.size(), 64u);  // every shard full, none past its share
  // The last device remembered is always found.
  auto last = cache.Find("dev_9999", report, AnswerRevisions{1, 9999});
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(*last->body, "9999");
}

}  // namespace
}  // namespace tinymlops::server
