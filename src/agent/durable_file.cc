#include "agent/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tinymlops::agent {
namespace {

Status IoError(const char* what, const std::string& path) {
  return Status::Error(StatusCode::kIoError, "cannot %s '%s': %s", what, path.c_str(),
                       std::strerror(errno));
}

Status WriteAll(int fd, const std::string& contents, const std::string& path) {
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError("write", path);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

std::string FolderOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status SyncPath(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("open", path);
  const int synced = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  errno = saved;
  if (synced != 0) return IoError("fsync", path);
  return Status::Ok();
}

Status WriteFileDurably(const std::string& path, const std::string& contents) {
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("create", temporary);
  Status written = WriteAll(fd, contents, temporary);
  if (written.ok() && ::fsync(fd) != 0) written = IoError("fsync", temporary);
  ::close(fd);
  if (!written.ok()) {
    ::unlink(temporary.c_str());
    return written;
  }
  return RenameDurably(temporary, path);
}

Result<std::string> ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return Status::Error(StatusCode::kNotFound, "'%s' does not exist", path.c_str());
    return IoError("open", path);
  }
  std::string contents;
  char buffer[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status error = IoError("read", path);
      ::close(fd);
      return error;
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return contents;
}

Status MakeFolder(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode)) return Status::Ok();
    return Status::Error(StatusCode::kIoError, "'%s' exists and is not a folder", path.c_str());
  }
  const std::string parent = FolderOf(path);
  if (parent != path && parent != "." && parent != "/") TMM_RETURN_IF_ERROR(MakeFolder(parent));
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
    return IoError("create the folder", path);
  return SyncPath(parent);
}

Status RenameDurably(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return IoError("rename onto", to);
  return SyncPath(FolderOf(to));
}

Status RemoveDurably(const std::string& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return IoError("remove", path);
  }
  return SyncPath(FolderOf(path));
}

}  // namespace tinymlops::agent
