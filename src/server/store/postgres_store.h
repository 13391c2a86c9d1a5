// PostgresStore: the scale-out backend of Store (server/store/store.h), over libpq. Several
// server processes may share one database: state lives only in it. A small pool of connections
// (opened on demand, at most `max_connections`) serves the threads; a Transaction holds one
// connection until it ends. `?` placeholders become $1, $2, ...; parameters travel as text and
// PostgreSQL infers their types from the statement. LockExclusive takes a transaction-scoped
// advisory lock (pg_advisory_xact_lock), which serializes schema migrations across processes.
// Errors: kIoError when the server cannot be reached (the message names the URL without its
// password); SQLSTATE 23505 (unique violation) is kFailedPrecondition "already exists".
// Thread-safety: Begin() from any thread; it waits while all connections are in use.
#ifndef TINYMLOPS_SERVER_STORE_POSTGRES_STORE_H_
#define TINYMLOPS_SERVER_STORE_POSTGRES_STORE_H_

#include <memory>
#include <string>

#include "server/store/store.h"

namespace tinymlops::server {

// Connects to `url` (postgresql://user[:password]@host[:port]/database[?...]) without
// migrating the schema.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, int max_connections = 8);

// `sql` with each `?` outside a quoted string replaced by $1, $2, ... (exposed for tests).
std::string NumberPlaceholders(const std::string& sql);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_STORE_POSTGRES_STORE_H_
