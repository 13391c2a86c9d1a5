// SqliteStore: the embedded backend of Store (server/store/store.h), one SQLite file. Opened in
// WAL mode with foreign keys on and a busy timeout, so several processes may open one file;
// within a process one connection serves every thread, and a Transaction holds it (BEGIN
// IMMEDIATE: one writer at a time) until it ends; the connection is opened without SQLite's
// own mutex, as only the holder of the store's mutex ever touches it.
// Errors: kIoError when the file cannot be opened or written; see store.h for the rest.
// Thread-safety: Begin() from any thread; it waits while another transaction is open.
#ifndef TINYMLOPS_SERVER_STORE_SQLITE_STORE_H_
#define TINYMLOPS_SERVER_STORE_SQLITE_STORE_H_

#include <memory>
#include <string>

#include "server/store/store.h"

namespace tinymlops::server {

// Opens (creating if missing) the SQLite database at `path`, without migrating it.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_STORE_SQLITE_STORE_H_
