// ByteSource: where a package's bytes come from, read front to back in pieces, so a package is
// opened without holding it whole in memory. FileByteSource reads a file; MemoryByteSource
// reads bytes the caller keeps alive (fuzzers, tests, a package received over the network).
// ReadExactly fills a buffer or fails with "the package is truncated" naming `what`.
// Errors: kNotFound / kIoError from the OS (the message names the path).
// Thread-safety: one reader at a time per source.
#ifndef TINYMLOPS_FORMAT_BYTE_SOURCE_H_
#define TINYMLOPS_FORMAT_BYTE_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "runtime/status.h"

namespace tinymlops::format {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes into `out`; returns how many (0 only at the end).
  virtual Result<size_t> Read(uint8_t* out, size_t size) = 0;
};

class FileByteSource : public ByteSource {
 public:
  static Result<std::unique_ptr<FileByteSource>> Open(const std::string& path);
  ~FileByteSource() override;
  Result<size_t> Read(uint8_t* out, size_t size) override;

 private:
  explicit FileByteSource(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

class MemoryByteSource : public ByteSource {
 public:
  MemoryByteSource(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  Result<size_t> Read(uint8_t* out, size_t size) override;

 private:
  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
};

Status ReadExactly(ByteSource& source, uint8_t* out, size_t size, const char* what);

}  // namespace tinymlops::format

#endif  // TINYMLOPS_FORMAT_BYTE_SOURCE_H_
