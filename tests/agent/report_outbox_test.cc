// The outbox: events survive restarts, leave only once acknowledged, keep their sequence when
// resent, and a line torn by a cut is dropped.
#include "agent/report_outbox.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "agent/durable_file.h"

namespace tinymlops::agent {
namespace {

class ReportOutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/outbox_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    folder_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }
  std::unique_ptr<ReportOutbox> Open() {
    auto outbox = ReportOutbox::Open(folder_);
    EXPECT_TRUE(outbox.ok()) << outbox.status().message();
    return outbox.ok() ? std::move(*outbox) : nullptr;
  }
  static OutcomeEvent Event(const std::string& name) {
    OutcomeEvent e;
    e.deployment = "dep_1";
    e.version = "1.0.0";
    e.event = name;
    e.unix = 1764620000;
    return e;
  }
  std::string folder_;
};

TEST_F(ReportOutboxTest, EventsSurviveRestartsAndLeaveOnlyWhenAcknowledged) {
  auto outbox = Open();
  EXPECT_EQ(*outbox->Append(Event("downloaded")), 1u);
  EXPECT_EQ(*outbox->Append(Event("installed")), 2u);
  outbox = Open();  // a restart: resent with the same sequences
  ASSERT_EQ(outbox->Pending().size(), 2u);
  EXPECT_EQ(outbox->Pending()[1].sequence, 2u);
  EXPECT_EQ(outbox->Pending()[1].event, "installed");
  ASSERT_TRUE(outbox->Acknowledge(1).ok());
  ASSERT_EQ(outbox->Pending().size(), 1u);
  ASSERT_TRUE(outbox->Acknowledge(2).ok());
  outbox = Open();
  EXPECT_TRUE(outbox->Pending().empty());
  // Sequences keep increasing after everything was acknowledged and the agent restarted.
  EXPECT_EQ(*outbox->Append(Event("rolled_back")), 3u);
}

TEST_F(ReportOutboxTest, ALineTornByACutIsDropped) {
  auto outbox = Open();
  ASSERT_TRUE(outbox->Append(Event("downloaded")).ok());
  outbox.reset();
  auto journal = ReadFile(folder_ + "/outbox.journal");
  ASSERT_TRUE(journal.ok());
  ASSERT_TRUE(WriteFileDurably(folder_ + "/outbox.journal",
                               *journal + "{\"sequence\":2,\"deployment\":\"dep_1\",\"ver")
                  .ok());
  outbox = Open();
  ASSERT_EQ(outbox->Pending().size(), 1u);
  EXPECT_EQ(*outbox->Append(Event("installed")), 2u);
  outbox = Open();
  ASSERT_EQ(outbox->Pending().size(), 2u);
  EXPECT_EQ(outbox->Pending()[1].event, "installed");
  // A journal of garbage keeps nothing of it, and says nothing false.
  ASSERT_TRUE(WriteFileDurably(folder_ + "/outbox.journal", "\x01\x02 not json\n").ok());
  outbox = Open();
  EXPECT_TRUE(outbox->Pending().empty());
}

}  // namespace
}  // namespace tinymlops::agent
