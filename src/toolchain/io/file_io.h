// Whole-file reading and crash-safe writing for the toolchain and the CLI.
//
// ReadFile returns a file's bytes. WriteFileAtomically writes to a temporary file beside the
// target, fsyncs it, renames it over the target and fsyncs the folder, so a reader sees either
// the old file or the complete new one, never a torn write.
// Errors (kNotFound, kIoError, kInvalidArgument for a folder): one line naming the path and the
// operating system's reason. Thread-safety: pure functions; concurrent writers of one path race
// on which complete file wins.
#ifndef TINYMLOPS_TOOLCHAIN_IO_FILE_IO_H_
#define TINYMLOPS_TOOLCHAIN_IO_FILE_IO_H_

#include <cstddef>
#include <string>

#include "runtime/status.h"

namespace tinymlops::toolchain {

Result<std::string> ReadFile(const std::string& path);
Status WriteFileAtomically(const std::string& path, const void* data, size_t size);

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_IO_FILE_IO_H_
