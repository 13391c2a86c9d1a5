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
      {2,
       "deployments and rollouts",
       {
           // The oldest runtime that may load a variant, from its package manifest.
           "ALTER TABLE variants ADD COLUMN min_runtime_version TEXT NOT NULL DEFAULT ''",
           // A deployment of one model version to the devices of a project (server/rollout/).
           // active_model is the model's name while the rollout is rolling_out or paused and
           // NULL afterwards: the UNIQUE index allows one active deployment per model. current
           // is 1 for the newest deployment of its model (the one devices follow). Every state
           // change is a conditional UPDATE on revision, recorded in deployment_history.
           "CREATE TABLE deployments (id TEXT PRIMARY KEY, "
           "project_id TEXT NOT NULL REFERENCES projects(id), name TEXT NOT NULL, "
           "model TEXT NOT NULL, version TEXT NOT NULL, variants TEXT NOT NULL, "
           "policy TEXT NOT NULL, target_tags TEXT NOT NULL, strategy TEXT NOT NULL, "
           "split_version TEXT NOT NULL, split_percent BIGINT NOT NULL, gates TEXT NOT NULL, "
           "state TEXT NOT NULL, stage BIGINT NOT NULL, revision BIGINT NOT NULL, "
           "active_model TEXT, current BIGINT NOT NULL, previous_id TEXT NOT NULL, "
           "rollback_reason TEXT NOT NULL, created_unix BIGINT NOT NULL, "
           "updated_unix BIGINT NOT NULL)",
           "CREATE UNIQUE INDEX deployments_one_active ON deployments (project_id, active_model)",
           "CREATE INDEX deployments_current ON deployments (project_id, current)",
           "CREATE TABLE deployment_history (deployment_id TEXT NOT NULL REFERENCES "
           "deployments(id), revision BIGINT NOT NULL, unix BIGINT NOT NULL, "
           "from_state TEXT NOT NULL, to_state TEXT NOT NULL, stage BIGINT NOT NULL, "
           "reason TEXT NOT NULL, actor TEXT NOT NULL, PRIMARY KEY (deployment_id, revision))",
           // One row per targeted device: its stage (by a stable hash of its id), the version
           // it is assigned (the deployment's or the A/B split's), its status from its outcomes,
           // and the p95 latencies it reported for the version it ran before and for this one.
           "CREATE TABLE deployment_devices (deployment_id TEXT NOT NULL REFERENCES "
           "deployments(id), device_id TEXT NOT NULL, stage BIGINT NOT NULL, "
           "version TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, "
           "device_class TEXT NOT NULL, crashed BIGINT NOT NULL, "
           "previous_p95_us DOUBLE PRECISION, p95_us DOUBLE PRECISION, "
           "updated_unix BIGINT NOT NULL, PRIMARY KEY (deployment_id, device_id))",
           "CREATE INDEX deployment_devices_by_status ON deployment_devices "
           "(deployment_id, status)",
           // Counters per deployment and stage, changed in the transaction that changes a
           // device's row, so that gates and progress never scan the deployment's devices:
           // devices by status (and "crashed"), and the latency sums of the devices that
           // reported a p95 on both the previous and the new version, by device class.
           "CREATE TABLE deployment_counts (deployment_id TEXT NOT NULL, stage BIGINT NOT NULL, "
           "status TEXT NOT NULL, devices BIGINT NOT NULL, "
           "PRIMARY KEY (deployment_id, stage, status))",
           "CREATE TABLE deployment_latency (deployment_id TEXT NOT NULL, "
           "stage BIGINT NOT NULL, device_class TEXT NOT NULL, devices BIGINT NOT NULL, "
           "p95_us_sum DOUBLE PRECISION NOT NULL, previous_p95_us_sum DOUBLE PRECISION NOT NULL, "
           "PRIMARY KEY (deployment_id, stage, device_class))",
           // Outcomes as devices sent them, once per (device, sequence).
           "CREATE TABLE device_outcomes (device_id TEXT NOT NULL, sequence BIGINT NOT NULL, "
           "deployment_id TEXT NOT NULL, version TEXT NOT NULL, event TEXT NOT NULL, "
           "detail TEXT NOT NULL, unix BIGINT NOT NULL, received_unix BIGINT NOT NULL, "
           "PRIMARY KEY (device_id, sequence))",
       }},
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
      {4,
       "delta updates",
       {
           // Hex BLAKE2b-256 of a variant's model, read by the server from a clear package at
           // upload, or from an encrypted one's signed manifest (model_hash); '' when neither
           // (an encrypted package built before that field, or uploaded before this migration).
           "ALTER TABLE variants ADD COLUMN model_hash TEXT NOT NULL DEFAULT ''",
           // A delta package (server/registry/variant_delta.h) of a variant against the same
           // variant of an older version: at most one per (variant, base version).
           "CREATE TABLE variant_deltas (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, "
           "variant_id TEXT NOT NULL REFERENCES variants(id), "
           "base_variant_id TEXT NOT NULL REFERENCES variants(id), base_version TEXT NOT NULL, "
           "signer_key_id TEXT NOT NULL, artifact TEXT NOT NULL, artifact_bytes BIGINT NOT NULL, "
           "artifact_hash TEXT NOT NULL, created_unix BIGINT NOT NULL, "
           "UNIQUE (variant_id, base_version))",
       }},
      {5,
       "check-in answer revisions; sessions held by their process",
       {
           // Bumped by every write a device's check-in answer is computed from
           // (server/fleet/answer_revisions.h), so that processes may cache answers.
           "ALTER TABLE projects ADD COLUMN answer_revision BIGINT NOT NULL DEFAULT 0",
           "ALTER TABLE devices ADD COLUMN answer_revision BIGINT NOT NULL DEFAULT 0",
           // Sessions belong to the process that opened them (server/auth/device_session.h):
           // their secret and counters live in its memory, no longer in the store.
           "DROP TABLE server_secrets",
           "ALTER TABLE devices DROP COLUMN request_counter",
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
