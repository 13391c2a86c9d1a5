#include "server/store/migrations.h"

#include <ctime>

namespace tinymlops::server {

const std::vector<Migration>& SchemaMigrations() {
  static const std::vector<Migration> migrations = {
      {1,
       "tenancy, auth, registry, fleet",
       {
           "CREATE TABLE projects (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
           "created_unix BIGINT NOT NULL)",
           // Operator API tokens, stored as BLAKE2b-256 of the token. project_id NULL: a token
           // of the whole server (the bootstrap admin).
           "CREATE TABLE api_tokens (id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, "
           "project_id TEXT REFERENCES projects(id), role TEXT NOT NULL, name TEXT NOT NULL, "
           "created_unix BIGINT NOT NULL, revoked BIGINT NOT NULL DEFAULT 0)",
           // One row: who bootstrapped the server (so only one process prints an admin token).
           "CREATE TABLE bootstrap (id BIGINT PRIMARY KEY, token_id TEXT NOT NULL, "
           "created_unix BIGINT NOT NULL)",
           "CREATE TABLE enrollment_tokens (token_hash TEXT PRIMARY KEY, "
           "project_id TEXT NOT NULL REFERENCES projects(id), created_unix BIGINT NOT NULL, "
           "expires_unix BIGINT NOT NULL, used_unix BIGINT, device_id TEXT)",
           "CREATE TABLE devices (id TEXT PRIMARY KEY, "
           "project_id TEXT NOT NULL REFERENCES projects(id), public_key TEXT NOT NULL UNIQUE, "
           "key_id TEXT NOT NULL, name TEXT NOT NULL, tags TEXT NOT NULL DEFAULT '[]', "
           "profile TEXT NOT NULL DEFAULT '{}', context TEXT NOT NULL DEFAULT '{}', "
           "health TEXT NOT NULL DEFAULT '{}', installed TEXT NOT NULL DEFAULT '{}', "
           "enrolled_unix BIGINT NOT NULL, last_seen_unix BIGINT NOT NULL)",
           "CREATE INDEX devices_by_project ON devices (project_id)",
           // Nonces of signed device requests, kept for the timestamp window: a replay is
           // refused by the primary key, whichever server process sees it.
           "CREATE TABLE device_nonces (device_id TEXT NOT NULL, nonce TEXT NOT NULL, "
           "seen_unix BIGINT NOT NULL, PRIMARY KEY (device_id, nonce))",
           "CREATE INDEX device_nonces_by_age ON device_nonces (seen_unix)",
           // Vendor keys a project trusts to sign its packages.
           "CREATE TABLE trusted_keys (project_id TEXT NOT NULL REFERENCES projects(id), "
           "key_id TEXT NOT NULL, public_key TEXT NOT NULL, name TEXT NOT NULL, "
           "created_unix BIGINT NOT NULL, PRIMARY KEY (project_id, key_id))",
           "CREATE TABLE models (id TEXT PRIMARY KEY, "
           "project_id TEXT NOT NULL REFERENCES projects(id), name TEXT NOT NULL, "
           "description TEXT NOT NULL, created_unix BIGINT NOT NULL, UNIQUE (project_id, name))",
           "CREATE TABLE model_versions (id TEXT PRIMARY KEY, "
           "model_id TEXT NOT NULL REFERENCES models(id), project_id TEXT NOT NULL, "
           "version TEXT NOT NULL, created_unix BIGINT NOT NULL, UNIQUE (model_id, version))",
           "CREATE TABLE variants (id TEXT PRIMARY KEY, "
           "version_id TEXT NOT NULL REFERENCES model_versions(id), project_id TEXT NOT NULL, "
           "name TEXT NOT NULL, target TEXT NOT NULL, dtype TEXT NOT NULL, "
           "size_bytes BIGINT NOT NULL, arena_bytes BIGINT NOT NULL, ops TEXT NOT NULL, "
           "accuracy DOUBLE PRECISION, release_counter BIGINT NOT NULL, "
           "signer_key_id TEXT NOT NULL, artifact TEXT NOT NULL, artifact_bytes BIGINT NOT NULL, "
           "artifact_hash TEXT NOT NULL, created_unix BIGINT NOT NULL, "
           "UNIQUE (version_id, name))",
       }},
      // Version 2 is the deployments' (rollouts); this step does not depend on it.
      {3,
       "device sessions",
       {
           // Server-wide secrets shared by every process: "device_session" keys the device
           // sessions (server/auth/device_session.h). Hex; never logged.
           "CREATE TABLE server_secrets (name TEXT PRIMARY KEY, secret TEXT NOT NULL, "
           "created_unix BIGINT NOT NULL)",
           // The last counter of a device's session requests: the next must be larger.
           "ALTER TABLE devices ADD COLUMN request_counter BIGINT NOT NULL DEFAULT 0",
       }},
  };
  return migrations;
}

int64_t LatestSchemaVersion() { return SchemaMigrations().back().version; }

Status ApplyMigrations(Store& store) {
  {
    TMM_ASSIGN_OR_RETURN(auto tx, store.Begin());
    TMM_RETURN_IF_ERROR(tx->LockExclusive());
    TMM_RETURN_IF_ERROR(
        tx->Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                    "name TEXT NOT NULL, applied_unix BIGINT NOT NULL)")
            .status());
    TMM_RETURN_IF_ERROR(tx->Commit());
  }
  for (const Migration& migration : SchemaMigrations()) {
    TMM_ASSIGN_OR_RETURN(auto tx, store.Begin());
    TMM_RETURN_IF_ERROR(tx->LockExclusive());
    TMM_ASSIGN_OR_RETURN(auto newest, tx->Query("SELECT MAX(version) FROM schema_migrations"));
    const int64_t applied = newest.empty() ? 0 : newest[0].Int(0);
    if (applied > LatestSchemaVersion()) {
      return Status::Error(StatusCode::kFailedPrecondition,
                           "the %s database has schema version %lld, newer than this server's "
                           "%lld: run a newer tinymlops-server",
                           store.backend(), static_cast<long long>(applied),
                           static_cast<long long>(LatestSchemaVersion()));
    }
    if (migration.version <= applied) continue;
    for (const char* statement : migration.statements) {
      auto done = tx->Execute(statement);
      if (!done.ok()) {
        return Status::Error(done.status().code(), "schema migration %lld (%s) failed: %s",
                             static_cast<long long>(migration.version), migration.name,
                             done.status().message());
      }
    }
    TMM_RETURN_IF_ERROR(tx->Execute("INSERT INTO schema_migrations (version, name, applied_unix) "
                                    "VALUES (?, ?, ?)",
                                    {migration.version, std::string(migration.name),
                                     static_cast<int64_t>(std::time(nullptr))})
                            .status());
    TMM_RETURN_IF_ERROR(tx->Commit());
  }
  return Status::Ok();
}

}  // namespace tinymlops::server
