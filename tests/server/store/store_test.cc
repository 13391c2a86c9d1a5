// The store conformance suite: every test runs against SQLite and against PostgreSQL (from
// TINYMLOPS_TEST_POSTGRES_URL), through the Store interface only.
#include "server/store/store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "server/store/migrations.h"
#include "server/store/postgres_store.h"
#include "support/test_databases.h"

namespace tinymlops::server {
namespace {

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    database_ = test_support::TestDatabase::Create(GetParam(), &skip);
    if (!database_) GTEST_SKIP() << skip;
    auto store = OpenStore(database_->location());
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
  }

  std::unique_ptr<Transaction> Begin() {
    auto tx = store_->Begin();
    EXPECT_TRUE(tx.ok()) << tx.status().message();
    return tx.ok() ? std::move(*tx) : nullptr;
  }

  std::unique_ptr<test_support::TestDatabase> database_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, OpeningAppliesEveryMigrationOnce) {
  EXPECT_EQ(store_->backend(), GetParam());
  // A second process opening the same database applies nothing again.
  auto again = OpenStore(database_->location());
  ASSERT_TRUE(again.ok()) << again.status().message();
  auto tx = Begin();
  auto rows = tx->Query("SELECT version, name FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), SchemaMigrations().size());
  EXPECT_EQ((*rows)[0].Int(0), 1);
  EXPECT_EQ((*rows).back().Int(0), LatestSchemaVersion());
  // The schema is there: the tables of the first migration exist and are empty.
  auto projects = tx->Query("SELECT COUNT(*) FROM projects");
  ASSERT_TRUE(projects.ok()) << projects.status().message();
  EXPECT_EQ((*projects)[0].Int(0), 0);
}

TEST_P(StoreTest, RefusesADatabaseNewerThanThisBuild) {
  {
    auto tx = Begin();
    ASSERT_TRUE(tx->Execute("INSERT INTO schema_migrations (version, name, applied_unix) "
                            "VALUES (?, 'from the future', 0)",
                            {LatestSchemaVersion() + 1})
                    .ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto again = OpenStore(database_->location());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(again.status().message()).find("newer"), std::string::npos);
}

TEST_P(StoreTest, ValuesRoundTripWithTheirTypes) {
  auto tx = Begin();
  ASSERT_TRUE(tx->Execute("INSERT INTO projects (id, name, created_unix) VALUES (?, ?, ?)",
                          {std::string("p1"), std::string("it's \"quoted\" ? ünïcode"),
                           int64_t{1700000000123}})
                  .ok());
  auto inserted = tx->Execute(
      "INSERT INTO models (id, project_id, name, description, created_unix) VALUES (?,?,?,?,?)",
      {std::string("m1"), std::string("p1"), std::string("digits"), std::string(""), int64_t{-5}});
  ASSERT_TRUE(inserted.ok()) << inserted.status().message();
  EXPECT_EQ(*inserted, 1);
  auto rows = tx->Query("SELECT p.name, p.created_unix, m.created_unix, m.description, NULL "
                        "FROM projects p JOIN models m ON m.project_id = p.id WHERE p.id = ?",
                        {std::string("p1")});
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 1u);
  const Row& row = (*rows)[0];
  EXPECT_EQ(row.Text(0), "it's \"quoted\" ? ünïcode");
  EXPECT_EQ(row.Int(1), 1700000000123);
  EXPECT_EQ(row.Int(2), -5);
  EXPECT_EQ(row.Text(3), "");
  EXPECT_FALSE(row.IsNull(3));
  EXPECT_TRUE(row.IsNull(4));
}

TEST_P(StoreTest, DoublePrecisionColumnsKeepTheirValue) {
  auto tx = Begin();
  ASSERT_TRUE(tx->Execute("CREATE TABLE numbers (x DOUBLE PRECISION)").ok());
  ASSERT_TRUE(tx->Execute("INSERT INTO numbers (x) VALUES (?)", {0.9731}).ok());
  auto rows = tx->Query("SELECT x FROM numbers");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  EXPECT_DOUBLE_EQ((*rows)[0].Number(0), 0.9731);
}

TEST_P(StoreTest, UncommittedTransactionsRollBack) {
  {
    auto tx = Begin();
    ASSERT_TRUE(tx->Execute("INSERT INTO projects (id, name, created_unix) VALUES ('a','a',0)").ok());
  }  // dropped without Commit
  auto tx = Begin();
  auto rows = tx->Query("SELECT COUNT(*) FROM projects");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), 0);
}

// A read transaction sees the last committed state, runs while a write transaction is open
// (on this very thread: had it waited for the writer, the test would never end), and cannot write.
TEST_P(StoreTest, ReadTransactionsSeeCommittedStateBesideAnOpenWriter) {
  {
    auto tx = Begin();
    ASSERT_TRUE(
        tx->Execute("INSERT INTO projects (id, name, created_unix) VALUES ('a','a',0)").ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto writer = Begin();
  ASSERT_TRUE(
      writer->Execute("INSERT INTO projects (id, name, created_unix) VALUES ('b','b',0)").ok());
  auto count = [](Transaction& tx) {
    auto rows = tx.Query("SELECT COUNT(*) FROM projects");
    EXPECT_TRUE(rows.ok()) << rows.status().message();
    return rows.ok() ? (*rows)[0].Int(0) : -1;
  };
  {
    auto read = store_->BeginRead();
    ASSERT_TRUE(read.ok()) << read.status().message();
    EXPECT_EQ(count(**read), 1);
    // SQLite's exclusive lock is the writer's; PostgreSQL's advisory lock may be read-only.
    if (GetParam() == "sqlite") EXPECT_FALSE((*read)->LockExclusive().ok());
    EXPECT_FALSE(
        (*read)->Execute("INSERT INTO projects (id, name, created_unix) VALUES ('c','c',0)").ok());
  }
  ASSERT_TRUE(writer->Commit().ok());
  auto read = store_->BeginRead();
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(count(**read), 2);
  ASSERT_TRUE((*read)->Commit().ok());
  auto tx = Begin();
  EXPECT_EQ(count(*tx), 2);  // the refused write left nothing behind
}

TEST_P(StoreTest, UniqueViolationIsAlreadyExists) {
  auto tx = Begin();
  ASSERT_TRUE(tx->Execute("INSERT INTO projects (id, name, created_unix) VALUES ('a','n',0)").ok());
  ASSERT_TRUE(tx->Commit().ok());
  auto tx2 = Begin();
  auto again = tx2->Execute("INSERT INTO projects (id, name, created_unix) VALUES ('b','n',0)");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(again.status().message()).find("already exists"), std::string::npos);
}

TEST_P(StoreTest, BadSqlAndWrongParameterCountsAreErrorsNotCrashes) {
  auto tx = Begin();
  auto bad = tx->Query("SELEC nonsense");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  tx.reset();
  auto tx2 = Begin();
  EXPECT_FALSE(tx2->Query("SELECT id FROM projects WHERE id = ?", {}).ok());
  tx2.reset();
  // The store still works afterwards.
  auto tx3 = Begin();
  EXPECT_TRUE(tx3->Query("SELECT COUNT(*) FROM projects").ok());
}

TEST_P(StoreTest, ConflictDoNothingCountsNoRow) {
  auto tx = Begin();
  const std::string sql =
      "INSERT INTO device_nonces (device_id, nonce, seen_unix) VALUES (?, ?, ?) "
      "ON CONFLICT DO NOTHING";
  auto first = tx->Execute(sql, {std::string("d"), std::string("n"), int64_t{1}});
  auto second = tx->Execute(sql, {std::string("d"), std::string("n"), int64_t{2}});
  ASSERT_TRUE(first.ok() && second.ok()) << second.status().message();
  EXPECT_EQ(*first, 1);
  EXPECT_EQ(*second, 0);
}

// Counters (server/rollout/deployment_devices.h) are an upsert that adds to the stored value;
// concurrent increments through several stores are all counted.
TEST_P(StoreTest, ConflictDoUpdateAddsToACounter) {
  const std::string sql =
      "INSERT INTO deployment_counts (deployment_id, stage, status, devices) VALUES (?, 0, ?, ?) "
      "ON CONFLICT (deployment_id, stage, status) DO UPDATE "
      "SET devices = deployment_counts.devices + excluded.devices";
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < 2; ++i) stores.push_back(std::move(*OpenStore(database_->location())));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto tx = stores[t % 2]->Begin();
        if (!tx.ok() || !(*tx)->Execute(sql, {std::string("dep"), std::string("installed"),
                                             int64_t{1}}).ok() ||
            !(*tx)->Commit().ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto tx = Begin();
  ASSERT_TRUE(tx->Execute(sql, {std::string("dep"), std::string("installed"), int64_t{-2}}).ok());
  auto rows = tx->Query("SELECT devices FROM deployment_counts WHERE deployment_id = 'dep'");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Int(0), 58);
}

// Several processes share one database: a nonce recorded through one store is refused through
// another, and of many concurrent attempts at the same nonce exactly one wins.
TEST_P(StoreTest, ConcurrentStoresAgreeOnSingleUse) {
  constexpr int kStores = 3;
  constexpr int kThreads = 6;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kStores; ++i) {
    auto store = OpenStore(database_->location());
    ASSERT_TRUE(store.ok()) << store.status().message();
    stores.push_back(std::move(*store));
  }
  for (int round = 0; round < 5; ++round) {
    std::atomic<int> winners{0}, failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        auto tx = stores[t % kStores]->Begin();
        if (!tx.ok()) {
          ++failures;
          return;
        }
        auto changed = (*tx)->Execute(
            "INSERT INTO device_nonces (device_id, nonce, seen_unix) VALUES (?, ?, 0) "
            "ON CONFLICT DO NOTHING",
            {std::string("device"), "nonce-" + std::to_string(round)});
        if (!changed.ok() || !(*tx)->Commit().ok()) {
          ++failures;
          return;
        }
        if (*changed == 1) ++winners;
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(winners.load(), 1) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(NumberPlaceholdersTest, NumbersOnlyPlaceholdersOutsideQuotes) {
  EXPECT_EQ(NumberPlaceholders("SELECT ? , '?', \"?\" WHERE a = ? AND b = ?"),
            "SELECT $1 , '?', \"?\" WHERE a = $2 AND b = $3");
  EXPECT_EQ(NumberPlaceholders("SELECT 'it''s ?' , ?"), "SELECT 'it''s ?' , $1");
}

TEST(OpenStoreTest, UnreachablePostgresIsAnIoErrorWithoutThePassword) {
  auto store = OpenStore("postgresql://someone:secret-pw@127.0.0.1:1/nothing?connect_timeout=2");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIoError);
  EXPECT_EQ(std::string(store.status().message()).find("secret-pw"), std::string::npos);
}

TEST(OpenStoreTest, AnSqliteStoreIsAFileNotMemory) {
  for (const char* location : {"", ":memory:", "file:store.db?mode=memory"}) {
    auto store = OpenStore(location);
    ASSERT_FALSE(store.ok()) << location;
    EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument) << location;
    EXPECT_NE(std::string(store.status().message()).find("file path"), std::string::npos);
  }
}

}  // namespace
}  // namespace tinymlops::server
