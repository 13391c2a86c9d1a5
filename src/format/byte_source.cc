#include "format/byte_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tinymlops::format {

Result<std::unique_ptr<FileByteSource>> FileByteSource::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Status::Error(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                         "cannot open '%s': %s", path.c_str(), std::strerror(errno));
  return std::unique_ptr<FileByteSource>(new FileByteSource(fd, path));
}

FileByteSource::~FileByteSource() { ::close(fd_); }

Result<size_t> FileByteSource::Read(uint8_t* out, size_t size) {
  while (true) {
    const ssize_t n = ::read(fd_, out, size);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR)
      return Status::Error(StatusCode::kIoError, "cannot read '%s': %s", path_.c_str(),
                           std::strerror(errno));
  }
}

Result<size_t> MemoryByteSource::Read(uint8_t* out, size_t size) {
  const size_t n = size < size_ - position_ ? size : size_ - position_;
  if (n > 0) std::memcpy(out, data_ + position_, n);
  position_ += n;
  return n;
}

Status ReadExactly(ByteSource& source, uint8_t* out, size_t size, const char* what) {
  size_t done = 0;
  while (done < size) {
    TMM_ASSIGN_OR_RETURN(const size_t n, source.Read(out + done, size - done));
    if (n == 0)
      return Status::Error(StatusCode::kInvalidArgument,
                           "the package is truncated: %s ends after %zu of %zu bytes; download "
                           "it again",
                           what, done, size);
    done += n;
  }
  return Status::Ok();
}

}  // namespace tinymlops::format
