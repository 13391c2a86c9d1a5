// Store: the server's database, behind one interface with two backends: SqliteStore (embedded,
// the default: one file in the data folder) and PostgresStore (libpq, several server processes
// share one database). Everything that matters lives in the store, never only in a process.
//
// SQL is written once for both backends, in the subset they share: TEXT, BIGINT and DOUBLE
// PRECISION columns, `?` placeholders (PostgresStore numbers them $1, $2, ...), INSERT ... ON
// CONFLICT DO NOTHING, and INSERT ... ON CONFLICT (columns) DO UPDATE SET c = table.c +
// excluded.c for counters. Work happens in transactions: Begin() returns a Transaction that is
// rolled back unless Commit() succeeds. Transactions are serializable per store for SQLite (one
// writer at a time) and READ COMMITTED for PostgreSQL; code that must not race (single-use
// tokens, nonces) uses conditional UPDATE / INSERT ... ON CONFLICT and checks the row count.
//
// Errors: kInvalidArgument (bad SQL or parameters), kFailedPrecondition (a UNIQUE or PRIMARY
// KEY constraint was violated: the message says "already exists"), kIoError (the database could
// not be reached or written). Thread-safety: a Store is shared by all threads; a Transaction
// belongs to one thread at a time.
#ifndef TINYMLOPS_SERVER_STORE_STORE_H_
#define TINYMLOPS_SERVER_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "runtime/status.h"

namespace tinymlops::server {

// A parameter or a column value: NULL, an integer, a floating-point number or text.
using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;

class Row {
 public:
  explicit Row(std::vector<SqlValue> values) : values_(std::move(values)) {}
  Row() = default;
  size_t size() const { return values_.size(); }
  bool IsNull(size_t column) const;
  // The column as an integer (0 for NULL), a number (0 for NULL) or text ("" for NULL);
  // integers and numbers convert to each other and to text.
  int64_t Int(size_t column) const;
  double Number(size_t column) const;
  std::string Text(size_t column) const;

 private:
  std::vector<SqlValue> values_;
};

class Transaction {
 public:
  virtual ~Transaction() = default;
  // Runs a statement that returns rows.
  virtual Result<std::vector<Row>> Query(const std::string& sql,
                                         const std::vector<SqlValue>& params = {}) = 0;
  // Runs a statement; returns how many rows it inserted, updated or deleted.
  virtual Result<int64_t> Execute(const std::string& sql,
                                  const std::vector<SqlValue>& params = {}) = 0;
  // Holds the store's exclusive lock until the transaction ends (schema migrations).
  virtual Status LockExclusive() = 0;
  // Commits; then runs the AfterCommit actions, in the order they were added.
  Status Commit();
  // Runs `action` once this transaction has committed, never when it rolls back: for what a
  // process keeps in memory of what the transaction read or wrote (a cache filled from a
  // rolled-back transaction would hold writes that never happened).
  void AfterCommit(std::function<void()> action) { after_commit_.push_back(std::move(action)); }

 protected:
  virtual Status CommitWork() = 0;

 private:
  std::vector<std::function<void()>> after_commit_;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual Result<std::unique_ptr<Transaction>> Begin() = 0;
  // Begins a transaction that only reads: it sees one committed state and waits for no write
  // transaction (SQLite: a reader connection of its own, so reads run beside the writer and
  // each other; PostgreSQL: READ ONLY). Any write in it fails. Commit() (or its destruction)
  // ends it.
  virtual Result<std::unique_ptr<Transaction>> BeginRead() = 0;
  // "sqlite" or "postgresql".
  virtual const char* backend() const = 0;
};

// Opens the store named by `location`: a postgresql:// or postgres:// URL, or a path of an
// SQLite file (created if missing). Applies the schema migrations (server/store/migrations.h).
Result<std::unique_ptr<Store>> OpenStore(const std::string& location);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_STORE_STORE_H_
