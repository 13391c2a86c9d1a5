// Durable files of the agent's data folder: a file is replaced whole (write a temporary file
// beside it, fsync it, rename it over the old one, fsync the folder), so after a power cut a
// reader finds either the old or the new contents, never a mix; and small helpers every
// on-disk structure of the agent uses (read a whole file, fsync a file or a folder).
// Errors: kIoError naming the file and the operating system's reason; kNotFound from ReadFile
// when the file does not exist.
// Thread-safety: pure functions; one writer per path.
#ifndef TINYMLOPS_AGENT_DURABLE_FILE_H_
#define TINYMLOPS_AGENT_DURABLE_FILE_H_

#include <string>

#include "runtime/status.h"

namespace tinymlops::agent {

// Replaces `path` with `contents` (mode 0600) as described above.
Status WriteFileDurably(const std::string& path, const std::string& contents);
// The whole file.
Result<std::string> ReadFile(const std::string& path);
// fsync of an existing file or folder.
Status SyncPath(const std::string& path);
// Creates `path` (mode 0700) and its missing parents, then fsyncs its parent.
Status MakeFolder(const std::string& path);
// Renames `from` to `to` (replacing it) and fsyncs the folder of `to`.
Status RenameDurably(const std::string& from, const std::string& to);
// Removes a file if it exists (no error when it does not) and fsyncs its folder.
Status RemoveDurably(const std::string& path);
// The folder part of `path` ("." when there is none).
std::string FolderOf(const std::string& path);

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_DURABLE_FILE_H_
