#include "device/file_release_counter_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "crypto/key_id.h"

namespace tinymlops::device {

std::string FileReleaseCounterStore::PathFor(const std::string& model_id) const {
  return folder_ + "/" +
         crypto::KeyIdOf(reinterpret_cast<const uint8_t*>(model_id.data()), model_id.size()) +
         ".release";
}

Result<uint64_t> FileReleaseCounterStore::Installed(const std::string& model_id) {
  const std::string path = PathFor(model_id);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return uint64_t{0};
    return Status::Error(StatusCode::kIoError, "cannot read release counter '%s': %s", path.c_str(),
                         std::strerror(errno));
  }
  char text[32] = {};
  const ssize_t n = ::read(fd, text, sizeof(text) - 1);
  ::close(fd);
  unsigned long long release = 0;
  if (n <= 0 || std::sscanf(text, "%llu", &release) != 1)
    return Status::Error(StatusCode::kIoError,
                         "release counter '%s' is unreadable; restore it from a backup",
                         path.c_str());
  return static_cast<uint64_t>(release);
}

Status FileReleaseCounterStore::Record(const std::string& model_id, uint64_t release) {
  TMM_ASSIGN_OR_RETURN(const uint64_t installed, Installed(model_id));
  if (release <= installed) return Status::Ok();
  if (::mkdir(folder_.c_str(), 0700) != 0 && errno != EEXIST)
    return Status::Error(StatusCode::kIoError, "cannot create release counter folder '%s': %s",
                         folder_.c_str(), std::strerror(errno));
  const std::string path = PathFor(model_id), temporary = path + ".tmp";
  char text[32];
  const int size =
      std::snprintf(text, sizeof(text), "%llu\n", static_cast<unsigned long long>(release));
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && ::write(fd, text, static_cast<size_t>(size)) == size && ::fsync(fd) == 0;
  const int saved_errno = errno;
  if (fd >= 0) ::close(fd);
  ok = ok && ::rename(temporary.c_str(), path.c_str()) == 0;
  if (!ok)
    return Status::Error(StatusCode::kIoError, "cannot write release counter '%s': %s",
                         path.c_str(), std::strerror(saved_errno ? saved_errno : errno));
  return Status::Ok();
}

}  // namespace tinymlops::device
