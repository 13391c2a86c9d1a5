// TestDatabase: a fresh, empty database for one test, of either store backend.
//   "sqlite":     a file in a new temporary folder (deleted afterwards).
//   "postgresql": a new database on the cluster at TINYMLOPS_TEST_POSTGRES_URL (scripts/test
//                 starts one), dropped afterwards. Without the variable, Create() returns null
//                 and says why in `skip_reason`, for GTEST_SKIP.
// location() is what OpenStore / tinymlops-server --store take.
#ifndef TINYMLOPS_TESTS_SUPPORT_TEST_DATABASES_H_
#define TINYMLOPS_TESTS_SUPPORT_TEST_DATABASES_H_

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

namespace tinymlops::test_support {

class TestDatabase {
 public:
  static std::unique_ptr<TestDatabase> Create(const std::string& backend,
                                              std::string* skip_reason) {
    static std::atomic<int> counter{0};
    std::random_device random;
    const std::string unique = std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
                               std::to_string(random() % 1000000);
    std::unique_ptr<TestDatabase> db(new TestDatabase);
    if (backend == "sqlite") {
      db->folder_ = std::filesystem::temp_directory_path() / ("tinymlops_store_" + unique);
      std::filesystem::create_directories(db->folder_);
      db->location_ = (db->folder_ / "store.sqlite").string();
      return db;
    }
    const char* admin = std::getenv("TINYMLOPS_TEST_POSTGRES_URL");
    if (admin == nullptr || *admin == '\0') {
      *skip_reason = "TINYMLOPS_TEST_POSTGRES_URL is not set (scripts/test sets it): "
                     "PostgreSQL store tests skipped";
      return nullptr;
    }
    db->admin_url_ = admin;
    db->name_ = "tinymlops_test_" + unique;
    if (!db->AdminCommand("CREATE DATABASE " + db->name_)) {
      *skip_reason = "cannot create a database on " + db->admin_url_;
      db->name_.clear();
      return nullptr;
    }
    const size_t query = db->admin_url_.find('?');
    const std::string base = db->admin_url_.substr(0, query);
    db->location_ = base.substr(0, base.rfind('/') + 1) + db->name_ +
                    (query == std::string::npos ? "" : db->admin_url_.substr(query));
    return db;
  }

  ~TestDatabase() {
    if (!name_.empty()) AdminCommand("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    if (!folder_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(folder_, ignored);
    }
  }

  const std::string& location() const { return location_; }

 private:
  TestDatabase() = default;

  bool AdminCommand(const std::string& sql) const {
    PGconn* c = PQconnectdb(admin_url_.c_str());
    bool ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
      PGresult* result = PQexec(c, sql.c_str());
      ok = PQresultStatus(result) == PGRES_COMMAND_OK;
      PQclear(result);
    }
    PQfinish(c);
    return ok;
  }

  std::string location_;
  std::string admin_url_;
  std::string name_;
  std::filesystem::path folder_;
};

}  // namespace tinymlops::test_support

#endif  // TINYMLOPS_TESTS_SUPPORT_TEST_DATABASES_H_
