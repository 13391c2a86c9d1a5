// SqliteStore: the embedded backend of Store (server/store/store.h), one SQLite file. Opened in
// WAL mode with foreign keys on and a busy timeout, so several processes may open one file.
// Within a process one writer connection serves every write transaction, which holds it
// (BEGIN IMMEDIATE: one writer at a time) until it ends; read transactions (BeginRead) each
// take a reader connection of a pool that grows to the number of reads open at once, and in WAL
// mode run beside the writer on the last committed state. Every connection is opened without
// SQLite's own mutex, as one transaction on one thread holds it at a time.
// Errors: kIoError when the file cannot be opened or written; see store.h for the rest.
// Thread-safety: Begin() and BeginRead() from any thread; Begin() waits while another write
// transaction of the process is open, BeginRead() waits for none.
#ifndef TINYMLOPS_SERVER_STORE_SQLITE_STORE_H_
#define TINYMLOPS_SERVER_STORE_SQLITE_STORE_H_

#include <memory>
#include <string>

#include "server/store/store.h"

namespace tinymlops::server {

// Opens (creating if missing) the SQLite database at `path`, without migrating it. `path` is a
// file's path (kInvalidArgument for "", ":memory:" or a "file:" URI).
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_STORE_SQLITE_STORE_H_
