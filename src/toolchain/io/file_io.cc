#include "toolchain/io/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tinymlops::toolchain {
namespace {

// Closes a file descriptor when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error close() may deliver for delayed writes.
  int Close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

Status IoError(const char* what, const std::string& path, int error) {
  return Status::Error(error == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                       "cannot %s '%s': %s", what, path.c_str(), std::strerror(error));
}

std::string ParentFolder(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteAll(int fd, const void* data, size_t size, const std::string& path) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t written = ::write(fd, bytes, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path, errno);
    }
    bytes += written;
    size -= static_cast<size_t>(written);
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> ReadFile(const std::string& path) {
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) return IoError("open", path, errno);
  struct stat info;
  if (::fstat(file.get(), &info) != 0) return IoError("stat", path, errno);
  if (S_ISDIR(info.st_mode))
    return Status::Error(StatusCode::kInvalidArgument, "'%s' is a folder, not a file",
                         path.c_str());
  std::string bytes;
  if (S_ISREG(info.st_mode)) bytes.reserve(static_cast<size_t>(info.st_size));
  char chunk[1 << 16];
  while (true) {
    const ssize_t got = ::read(file.get(), chunk, sizeof(chunk));
    if (got < 0) {
      if (errno == EINTR) continue;
      return IoError("read", path, errno);
    }
    if (got == 0) break;
    bytes.append(chunk, static_cast<size_t>(got));
  }
  return bytes;
}

Status WriteFileAtomically(const std::string& path, const void* data, size_t size) {
  std::string temporary = path + ".tmp-XXXXXX";
  FileDescriptor file(::mkstemp(temporary.data()));
  if (file.get() < 0) return IoError("create a temporary file beside", path, errno);
  Status status = WriteAll(file.get(), data, size, temporary);
  if (status.ok() && ::fchmod(file.get(), 0644) != 0) status = IoError("chmod", temporary, errno);
  if (status.ok() && ::fsync(file.get()) != 0) status = IoError("fsync", temporary, errno);
  if (file.Close() != 0 && status.ok()) status = IoError("close", temporary, errno);
  if (status.ok() && ::rename(temporary.c_str(), path.c_str()) != 0)
    status = IoError("rename a temporary file to", path, errno);
  if (!status.ok()) {
    ::unlink(temporary.c_str());
    return status;
  }
  // Make the rename itself durable.
  FileDescriptor folder(::open(ParentFolder(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (folder.get() >= 0) ::fsync(folder.get());
  return Status::Ok();
}

}  // namespace tinymlops::toolchain
