// Schema migrations: the store's schema as an ordered list of versioned steps, applied at start
// by OpenStore. Each applied step is recorded in schema_migrations (version, name, applied_unix);
// ApplyMigrations runs the missing ones in order, each in its own transaction together with its
// record, under the store's exclusive lock, so several server processes starting at once on one
// PostgreSQL database apply each step exactly once. A database whose schema is newer than this
// build (a version it does not know) is refused rather than touched.
// Steps are only ever appended; a released step is never edited.
// Errors: those of the store; kFailedPrecondition for a database newer than this build.
// Thread-safety: call once per process at start, before serving.
#ifndef TINYMLOPS_SERVER_STORE_MIGRATIONS_H_
#define TINYMLOPS_SERVER_STORE_MIGRATIONS_H_

#include <cstdint>
#include <vector>

#include "runtime/status.h"
#include "server/store/store.h"

namespace tinymlops::server {

struct Migration {
  int64_t version;
  const char* name;
  std::vector<const char*> statements;
};

const std::vector<Migration>& SchemaMigrations();
// The latest schema version this build knows.
int64_t LatestSchemaVersion();
Status ApplyMigrations(Store& store);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_STORE_MIGRATIONS_H_
