#include "server/store/postgres_store.h"

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace tinymlops::server {
namespace {

// The URL with any password replaced by "***", for messages.
std::string Redacted(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return url;
  const size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

// Backend-independent type OIDs of pg_type that hold integers and numbers.
constexpr Oid kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701;

// The statements prepared on one connection (server-side, named "tmo_N"), by SQL text, so
// that PostgreSQL parses and plans each of the server's statements once per connection rather
// than at every request. Used only by the transaction holding the connection.
using PreparedStatements = std::unordered_map<std::string, std::string>;
constexpr size_t kMaxPreparedStatements = 256;

class ConnectionPool {
 public:
  ConnectionPool(std::string url, int max) : url_(std::move(url)), max_(max) {}
  ~ConnectionPool() {
    for (PGconn* c : idle_) PQfinish(c);
  }

  // The prepared statements of a connection this pool opened.
  PreparedStatements& Prepared(PGconn* c) {
    std::lock_guard<std::mutex> lock(mutex_);
    return prepared_[c];
  }

  Result<PGconn*> Acquire() {
    std::unique_lock<std::mutex> lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      PGconn* c = idle_.back();
      idle_.pop_back();
      return c;
    }
    ++open_;
    lock.unlock();
    PGconn* c = PQconnectdb(url_.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      Status status = Status::Error(StatusCode::kIoError, "cannot connect to PostgreSQL at %s: %s",
                                    Redacted(url_).c_str(), PQerrorMessage(c));
      PQfinish(c);
      Release(nullptr);
      return status;
    }
    PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
    return c;
  }

  // Returns a connection (nullptr or a broken one: it is closed and its slot freed).
  void Release(PGconn* c) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (c != nullptr && PQstatus(c) == CONNECTION_OK &&
        PQtransactionStatus(c) == PQTRANS_IDLE) {
      idle_.push_back(c);
    } else {
      if (c != nullptr) {
        prepared_.erase(c);
        PQfinish(c);
      }
      --open_;
    }
    available_.notify_one();
  }

 private:
  std::string url_;
  int max_;
  int open_ = 0;
  std::vector<PGconn*> idle_;
  std::unordered_map<PGconn*, PreparedStatements> prepared_;
  std::mutex mutex_;
  std::condition_variable available_;
};

Status PostgresError(PGconn* c, PGresult* result, const std::string& sql) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  std::string detail = result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(c);
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
  if (sqlstate == "23505") {
    return Status::Error(StatusCode::kFailedPrecondition, "already exists (%s)", detail.c_str());
  }
  const StatusCode code = sqlstate.rfind("23", 0) == 0 ? StatusCode::kFailedPrecondition
                          : sqlstate.rfind("42", 0) == 0 || sqlstate.rfind("22", 0) == 0
                              ? StatusCode::kInvalidArgument
                              : StatusCode::kIoError;
  return Status::Error(code, "postgresql: %s (in: %.80s)", detail.c_str(), sql.c_str());
}

class PostgresTransaction : public Transaction {
 public:
  PostgresTransaction(ConnectionPool& pool, PGconn* c)
      : pool_(pool), c_(c), prepared_(pool.Prepared(c)) {}
  ~PostgresTransaction() override {
    if (!finished_) PQclear(PQexec(c_, "ROLLBACK"));
    pool_.Release(c_);
  }

  Result<std::vector<Row>> Query(const std::string& sql,
                                 const std::vector<SqlValue>& params) override {
    std::vector<Row> rows;
    TMM_RETURN_IF_ERROR(Run(sql, params, &rows, nullptr));
    return rows;
  }

  Result<int64_t> Execute(const std::string& sql, const std::vector<SqlValue>& params) override {
    int64_t changed = 0;
    TMM_RETURN_IF_ERROR(Run(sql, params, nullptr, &changed));
    return changed;
  }

  Status LockExclusive() override {
    return Run("SELECT pg_advisory_xact_lock(7262746)", {}, nullptr, nullptr);
  }

  Status CommitWork() override {
    TMM_RETURN_IF_ERROR(Run("COMMIT", {}, nullptr, nullptr));
    finished_ = true;
    return Status::Ok();
  }

 private:
  Status Run(const std::string& sql, const std::vector<SqlValue>& params, std::vector<Row>* rows,
             int64_t* changed) {
    if (finished_) return Status::Error(StatusCode::kFailedPrecondition, "transaction ended");
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlValue& p = params[i];
      if (std::holds_alternative<std::monostate>(p)) continue;
      text[i] = Row({p}).Text(0);
      values[i] = text[i].c_str();
    }
    TMM_ASSIGN_OR_RETURN(const std::string* name, Prepare(sql, params.size()));
    PGresult* result =
        name != nullptr
            ? PQexecPrepared(c_, name->c_str(), static_cast<int>(params.size()), values.data(),
                             nullptr, nullptr, 0)
            : PQexecParams(c_, NumberPlaceholders(sql).c_str(), static_cast<int>(params.size()),
                           nullptr, values.data(), nullptr, nullptr, 0);
    std::unique_ptr<PGresult, void (*)(PGresult*)> owned(result, PQclear);
    const ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return PostgresError(c_, result, sql);
    }
    if (changed != nullptr) *changed = std::strtoll(PQcmdTuples(result), nullptr, 10);
    if (rows == nullptr) return Status::Ok();
    const int columns = PQnfields(result);
    for (int r = 0; r < PQntuples(result); ++r) {
      std::vector<SqlValue> row;
      row.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(result, r, c)) {
          row.emplace_back(std::monostate());
          continue;
        }
        const char* v = PQgetvalue(result, r, c);
        const Oid type = PQftype(result, c);
        if (type == kInt8 || type == kInt4 || type == kInt2) {
          row.emplace_back(static_cast<int64_t>(std::strtoll(v, nullptr, 10)));
        } else if (type == kFloat8 || type == kFloat4) {
          row.emplace_back(std::strtod(v, nullptr));
        } else {
          row.emplace_back(std::string(v, PQgetlength(result, r, c)));
        }
      }
      rows->emplace_back(std::move(row));
    }
    return Status::Ok();
  }

  // The name of `sql` prepared on this connection (preparing it the first time), or null for
  // a statement run unprepared: transaction control, or beyond kMaxPreparedStatements texts.
  Result<const std::string*> Prepare(const std::string& sql, size_t parameters) {
    auto found = prepared_.find(sql);
    if (found != prepared_.end()) return &found->second;
    const bool preparable = sql.rfind("SELECT", 0) == 0 || sql.rfind("INSERT", 0) == 0 ||
                            sql.rfind("UPDATE", 0) == 0 || sql.rfind("DELETE", 0) == 0;
    if (!preparable || prepared_.size() >= kMaxPreparedStatements) {
      return static_cast<const std::string*>(nullptr);
    }
    std::string name = "tmo_" + std::to_string(prepared_.size());
    PGresult* result = PQprepare(c_, name.c_str(), NumberPlaceholders(sql).c_str(),
                                 static_cast<int>(parameters), nullptr);
    std::unique_ptr<PGresult, void (*)(PGresult*)> owned(result, PQclear);
    if (result == nullptr || PQresultStatus(result) != PGRES_COMMAND_OK) {
      return PostgresError(c_, result, sql);
    }
    return &prepared_.emplace(sql, std::move(name)).first->second;
  }

  ConnectionPool& pool_;
  PGconn* c_;
  PreparedStatements& prepared_;
  bool finished_ = false;
};

class PostgresStore : public Store {
 public:
  PostgresStore(std::string url, int max) : pool_(std::move(url), max) {}

  Result<std::unique_ptr<Transaction>> Begin() override { return BeginWith("BEGIN"); }
  Result<std::unique_ptr<Transaction>> BeginRead() override {
    return BeginWith("BEGIN READ ONLY");
  }
  const char* backend() const override { return "postgresql"; }

 private:
  Result<std::unique_ptr<Transaction>> BeginWith(const char* begin) {
    TMM_ASSIGN_OR_RETURN(PGconn * c, pool_.Acquire());
    std::unique_ptr<Transaction> tx(new PostgresTransaction(pool_, c));
    PGresult* begun = PQexec(c, begin);
    const bool ok = PQresultStatus(begun) == PGRES_COMMAND_OK;
    Status status = ok ? Status::Ok() : PostgresError(c, begun, begin);
    PQclear(begun);
    if (!ok) return status;
    return tx;
  }

  ConnectionPool pool_;
};

}  // namespace

std::string NumberPlaceholders(const std::string& sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 1;
  char quote = 0;
  for (char ch : sql) {
    if (quote != 0) {
      if (ch == quote) quote = 0;
      out += ch;
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
      out += ch;
    } else if (ch == '?') {
      out += '$' + std::to_string(next++);
    } else {
      out += ch;
    }
  }
  return out;
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, int max_connections) {
  auto store = std::make_unique<PostgresStore>(url, max_connections < 1 ? 1 : max_connections);
  // Connect once now, so a wrong URL is reported at start rather than at the first request.
  TMM_ASSIGN_OR_RETURN(auto tx, store->Begin());
  tx.reset();
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace tinymlops::server
