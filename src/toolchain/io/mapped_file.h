// MappedFile: a whole file mapped read-only into memory (mmap), for loading .tmm models
// zero-copy. The mapping starts on a page boundary, so data() is 16-byte aligned as the runtime
// requires. The bytes stay valid and unchanged for the object's life (MAP_PRIVATE; a writer of
// the file should replace it by rename, as WriteFileAtomically does). An empty file maps to
// data() == nullptr and size() == 0.
// Errors: the file cannot be opened, is a folder, or cannot be mapped; the message names the
// path. Thread-safety: immutable after Open; share freely.
#ifndef TINYMLOPS_TOOLCHAIN_IO_MAPPED_FILE_H_
#define TINYMLOPS_TOOLCHAIN_IO_MAPPED_FILE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "runtime/status.h"

namespace tinymlops::toolchain {

class MappedFile {
 public:
  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  MappedFile() = default;

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  std::string path_;
};

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_IO_MAPPED_FILE_H_
