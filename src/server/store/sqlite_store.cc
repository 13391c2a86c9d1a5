#include "server/store/sqlite_store.h"

#include <sqlite3.h>

#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace tinymlops::server {
namespace {

Status SqliteError(sqlite3* db, int rc, const std::string& sql) {
  const int primary = rc & 0xff;
  const StatusCode code = primary == SQLITE_CONSTRAINT ? StatusCode::kFailedPrecondition
                          : primary == SQLITE_ERROR   ? StatusCode::kInvalidArgument
                                                      : StatusCode::kIoError;
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (primary == SQLITE_CONSTRAINT && std::string(detail).find("UNIQUE") != std::string::npos) {
    return Status::Error(code, "already exists (%s)", detail);
  }
  return Status::Error(code, "sqlite: %s (in: %.80s)", detail, sql.c_str());
}

// The connection's prepared statements by SQL text, kept for the life of the store so that a
// statement is compiled once, not at every request (the server's SQL texts are a few dozen
// fixed strings). Used only by the holder of the store's mutex. Beyond kMaxStatements texts a
// statement is compiled for one use.
class StatementCache {
 public:
  static constexpr size_t kMaxStatements = 256;
  explicit StatementCache(sqlite3* db) : db_(db) {}
  ~StatementCache() {
    for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
  }

  // A statement ready to bind (reset, no bindings); `*owned` tells the caller to finalize it.
  int Prepare(const std::string& sql, sqlite3_stmt** statement, bool* owned) {
    auto found = statements_.find(sql);
    *owned = false;
    if (found != statements_.end()) {
      *statement = found->second;
      return SQLITE_OK;
    }
    const bool keep = statements_.size() < kMaxStatements;
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                      keep ? SQLITE_PREPARE_PERSISTENT : 0, statement, nullptr);
    if (rc != SQLITE_OK) return rc;
    if (keep) {
      statements_.emplace(sql, *statement);
    } else {
      *owned = true;
    }
    return SQLITE_OK;
  }

  // Runs a statement without parameters or rows (BEGIN IMMEDIATE, COMMIT, ROLLBACK).
  int Run(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    bool owned = false;
    int rc = Prepare(sql, &statement, &owned);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_step(statement);
    if (owned) {
      sqlite3_finalize(statement);
    } else {
      sqlite3_reset(statement);
    }
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
  }

 private:
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

// Returns a statement to its cache (reset, bindings cleared) or finalizes one used once.
class StatementUse {
 public:
  StatementUse(sqlite3_stmt* statement, bool owned) : statement_(statement), owned_(owned) {}
  ~StatementUse() {
    if (owned_) {
      sqlite3_finalize(statement_);
    } else {
      sqlite3_reset(statement_);
      sqlite3_clear_bindings(statement_);
    }
  }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

 private:
  sqlite3_stmt* statement_;
  bool owned_;
};

// One SQLite connection and its prepared statements.
struct SqliteConnection {
  sqlite3* db = nullptr;
  std::unique_ptr<StatementCache> statements;
  explicit SqliteConnection(sqlite3* opened)
      : db(opened), statements(std::make_unique<StatementCache>(opened)) {}
  ~SqliteConnection() {
    statements.reset();
    sqlite3_close_v2(db);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
};

// A transaction on one connection, which it holds until the transaction ends; `release` gives
// the connection back (the writer's mutex unlocked, or a reader returned to its pool).
class SqliteTransaction : public Transaction {
 public:
  SqliteTransaction(SqliteConnection& connection, bool writes, std::function<void()> release)
      : db_(connection.db),
        statements_(*connection.statements),
        writes_(writes),
        release_(std::move(release)) {}
  ~SqliteTransaction() override {
    if (!finished_) {
      statements_.Run("ROLLBACK");
      release_();
    }
  }

  Result<std::vector<Row>> Query(const std::string& sql,
                                 const std::vector<SqlValue>& params) override {
    std::vector<Row> rows;
    TMM_RETURN_IF_ERROR(Run(sql, params, &rows));
    return rows;
  }

  Result<int64_t> Execute(const std::string& sql, const std::vector<SqlValue>& params) override {
    TMM_RETURN_IF_ERROR(Run(sql, params, nullptr));
    return static_cast<int64_t>(sqlite3_changes(db_));
  }

  Status LockExclusive() override {
    if (writes_) return Status::Ok();  // BEGIN IMMEDIATE holds it
    return Status::Error(StatusCode::kFailedPrecondition,
                         "a read transaction cannot lock the store");
  }

  Status CommitWork() override {
    if (finished_) return Status::Error(StatusCode::kFailedPrecondition, "transaction ended");
    const int rc = statements_.Run("COMMIT");
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "COMMIT");
    finished_ = true;
    release_();  // the connection serves the next transaction now
    return Status::Ok();
  }

 private:
  Status Run(const std::string& sql, const std::vector<SqlValue>& params, std::vector<Row>* rows) {
    if (finished_) return Status::Error(StatusCode::kFailedPrecondition, "transaction ended");
    sqlite3_stmt* raw = nullptr;
    bool owned = false;
    int rc = statements_.Prepare(sql, &raw, &owned);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, sql);
    StatementUse use(raw, owned);
    if (static_cast<size_t>(sqlite3_bind_parameter_count(raw)) != params.size()) {
      return Status::Error(StatusCode::kInvalidArgument, "%zu parameters for %d placeholders in: %.80s",
                           params.size(), sqlite3_bind_parameter_count(raw), sql.c_str());
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      const SqlValue& value = params[i];
      if (const auto* n = std::get_if<int64_t>(&value)) {
        rc = sqlite3_bind_int64(raw, index, *n);
      } else if (const auto* d = std::get_if<double>(&value)) {
        rc = sqlite3_bind_double(raw, index, *d);
      } else if (const auto* s = std::get_if<std::string>(&value)) {
        rc = sqlite3_bind_text(raw, index, s->data(), static_cast<int>(s->size()),
                               SQLITE_TRANSIENT);
      } else {
        rc = sqlite3_bind_null(raw, index);
      }
      if (rc != SQLITE_OK) return SqliteError(db_, rc, sql);
    }
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
      if (rows == nullptr) continue;
      const int columns = sqlite3_column_count(raw);
      std::vector<SqlValue> values;
      values.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(raw, c)) {
          case SQLITE_INTEGER: values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(raw, c))); break;
          case SQLITE_FLOAT: values.emplace_back(sqlite3_column_double(raw, c)); break;
          case SQLITE_NULL: values.emplace_back(std::monostate()); break;
          default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, c));
            values.emplace_back(std::string(text, sqlite3_column_bytes(raw, c)));
          }
        }
      }
      rows->emplace_back(std::move(values));
    }
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, sql);
    return Status::Ok();
  }

  sqlite3* db_;
  StatementCache& statements_;
  const bool writes_;
  std::function<void()> release_;
  bool finished_ = false;
};

// Opens one connection to `path` with the store's settings.
Result<std::unique_ptr<SqliteConnection>> OpenConnection(const std::string& path) {
  // SQLite's allocation statistics take one process-wide mutex at every allocation, which the
  // server's threads would contend for; nothing reads them. This must precede SQLite's
  // initialization: once it ran, sqlite3_config refuses (SQLITE_MISUSE) and changes nothing.
  static std::once_flag without_memory_statistics;
  std::call_once(without_memory_statistics, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  // NOMUTEX: a connection serves one transaction, on one thread, at a time (the store's mutex
  // or its reader pool sees to it), so SQLite's per-call connection mutex would only add a
  // lock and an unlock to every bind, step and column read.
  const int rc = sqlite3_open_v2(path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    Status status = Status::Error(StatusCode::kIoError, "cannot open the SQLite store %s: %s",
                                  path.c_str(), db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return status;
  }
  auto connection = std::make_unique<SqliteConnection>(db);
  sqlite3_busy_timeout(db, 10000);
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON",
                             "PRAGMA synchronous=NORMAL"}) {
    if (sqlite3_exec(db, pragma, nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Status::Error(StatusCode::kIoError, "cannot set up the SQLite store %s (%s): %s",
                           path.c_str(), pragma, sqlite3_errmsg(db));
    }
  }
  return connection;
}

class SqliteStore : public Store {
 public:
  SqliteStore(std::string path, std::unique_ptr<SqliteConnection> writer)
      : path_(std::move(path)), writer_(std::move(writer)) {}

  Result<std::unique_ptr<Transaction>> Begin() override {
    writer_mutex_.lock();
    const int rc = writer_->statements->Run("BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) {
      Status status = SqliteError(writer_->db, rc, "BEGIN IMMEDIATE");
      writer_mutex_.unlock();
      return status;
    }
    return std::unique_ptr<Transaction>(
        new SqliteTransaction(*writer_, true, [this] { writer_mutex_.unlock(); }));
  }

  Result<std::unique_ptr<Transaction>> BeginRead() override {
    TMM_ASSIGN_OR_RETURN(SqliteConnection * reader, AcquireReader());
    const int rc = reader->statements->Run("BEGIN DEFERRED");
    if (rc != SQLITE_OK) {
      Status status = SqliteError(reader->db, rc, "BEGIN DEFERRED");
      ReleaseReader(reader);
      return status;
    }
    return std::unique_ptr<Transaction>(
        new SqliteTransaction(*reader, false, [this, reader] { ReleaseReader(reader); }));
  }

  const char* backend() const override { return "sqlite"; }

 private:
  // An idle reader connection, or a new one (query_only: a write in it fails) when every
  // reader is in use: the pool grows to the number of reads that ran at once.
  Result<SqliteConnection*> AcquireReader() {
    {
      std::lock_guard<std::mutex> lock(readers_mutex_);
      if (!idle_readers_.empty()) {
        SqliteConnection* reader = idle_readers_.back();
        idle_readers_.pop_back();
        return reader;
      }
    }
    TMM_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> opened, OpenConnection(path_));
    if (sqlite3_exec(opened->db, "PRAGMA query_only=ON", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Status::Error(StatusCode::kIoError,
                           "cannot set up a reader of the SQLite store %s: %s", path_.c_str(),
                           sqlite3_errmsg(opened->db));
    }
    std::lock_guard<std::mutex> lock(readers_mutex_);
    readers_.push_back(std::move(opened));
    return readers_.back().get();
  }

  void ReleaseReader(SqliteConnection* reader) {
    std::lock_guard<std::mutex> lock(readers_mutex_);
    idle_readers_.push_back(reader);
  }

  const std::string path_;
  std::unique_ptr<SqliteConnection> writer_;
  std::mutex writer_mutex_;  // held by the open write transaction
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<SqliteConnection>> readers_;
  std::vector<SqliteConnection*> idle_readers_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) {
    // Every reader connection opens `path` again, which must therefore name one file.
    return Status::Error(StatusCode::kInvalidArgument,
                         "the SQLite store must be a file path, not '%s': give a path such as "
                         "DATA/store.sqlite, or a postgresql:// URL",
                         path.c_str());
  }
  TMM_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> writer, OpenConnection(path));
  return std::unique_ptr<Store>(new SqliteStore(path, std::move(writer)));
}

}  // namespace tinymlops::server
