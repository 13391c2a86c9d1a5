#include "agent/package_download.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "agent/artifact_hash.h"
#include "agent/durable_file.h"

namespace tinymlops::agent {
namespace {

constexpr uint64_t kProgressEveryBytes = 1 << 20;

Status IoError(const char* what, const std::string& path) {
  return Status::Error(StatusCode::kIoError, "cannot %s '%s': %s", what, path.c_str(),
                       std::strerror(errno));
}

// The recorded length of the part file (0 when none or unreadable).
uint64_t RecordedProgress(const std::string& progress_path) {
  auto text = ReadFile(progress_path);
  if (!text.ok() || text->empty()) return 0;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text->c_str(), &end, 10);
  return end != nullptr && *end == '\0' ? value : 0;
}

// The part file, open for writing, with its durable progress record.
class PartFile {
 public:
  PartFile(std::string path, uint64_t limit)
      : path_(std::move(path)), progress_path_(path_ + ".progress"), limit_(limit) {}
  ~PartFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  // Opens DEST.part and cuts it back to what its progress record vouches for.
  Result<uint64_t> OpenForResume() {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) return IoError("open", path_);
    struct stat info;
    if (::fstat(fd_, &info) != 0) return IoError("stat", path_);
    length_ =
        std::min<uint64_t>(RecordedProgress(progress_path_), static_cast<uint64_t>(info.st_size));
    if (length_ > limit_) length_ = 0;
    if (::ftruncate(fd_, static_cast<off_t>(length_)) != 0) return IoError("truncate", path_);
    synced_ = length_;
    return length_;
  }

  Status Restart() {
    if (::ftruncate(fd_, 0) != 0) return IoError("truncate", path_);
    length_ = synced_ = 0;
    return Record();
  }

  Status Append(const uint8_t* data, size_t size) {
    if (length_ + size > limit_)
      return Status::Error(StatusCode::kInvalidArgument,
                           "the server sent more than the %llu bytes it announced for '%s'",
                           static_cast<unsigned long long>(limit_), path_.c_str());
    size_t done = 0;
    while (done < size) {
      const ssize_t n = ::pwrite(fd_, data + done, size - done, static_cast<off_t>(length_ + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return IoError("write", path_);
      done += static_cast<size_t>(n);
    }
    length_ += size;
    if (length_ - synced_ >= kProgressEveryBytes) return Record();
    return Status::Ok();
  }

  // fsync the bytes, then record their length.
  Status Record() {
    if (::fsync(fd_) != 0) return IoError("fsync", path_);
    synced_ = length_;
    return WriteFileDurably(progress_path_, std::to_string(length_));
  }

  Status Discard() {
    TMM_RETURN_IF_ERROR(RemoveDurably(progress_path_));
    return RemoveDurably(path_);
  }

  uint64_t length() const { return length_; }
  const std::string& progress_path() const { return progress_path_; }

 private:
  std::string path_, progress_path_;
  uint64_t limit_;
  int fd_ = -1;
  uint64_t length_ = 0, synced_ = 0;
};

}  // namespace

Result<DownloadReport> DownloadPackage(const DeviceClient& client, const DeviceIdentity& identity,
                                       const PackageRequest& request, int64_t now_unix) {
  DownloadReport report;
  auto present = ArtifactHashOfFile(request.destination);
  if (present.ok() && *present == request.artifact_hash) {
    report.already_present = true;
    return report;
  }
  if (present.ok()) TMM_RETURN_IF_ERROR(RemoveDurably(request.destination));

  PartFile part(request.destination + ".part", request.artifact_bytes);
  TMM_ASSIGN_OR_RETURN(report.resumed_from, part.OpenForResume());
  if (part.length() < request.artifact_bytes) {
    Status fetched = client.Fetch(
        identity, request.target, part.length(), now_unix,
        [&](const FetchHead& head) {
          if (head.status == 200) return part.Restart();
          if (head.first_byte != part.length())
            return Status::Error(
                StatusCode::kIoError, "the server resumed %s at byte %llu, not at %llu",
                request.target.c_str(), static_cast<unsigned long long>(head.first_byte),
                static_cast<unsigned long long>(part.length()));
          return Status::Ok();
        },
        [&](const uint8_t* data, size_t size) {
          report.bytes_received += size;
          return part.Append(data, size);
        });
    TMM_RETURN_IF_ERROR(part.Record());
    if (!fetched.ok()) {
      if (fetched.code() == StatusCode::kInvalidArgument) {
        TMM_RETURN_IF_ERROR(part.Discard());
        return fetched;
      }
      return Status::Error(fetched.code(), "%s (%llu of %llu bytes kept; the next try resumes)",
                           fetched.message(), static_cast<unsigned long long>(part.length()),
                           static_cast<unsigned long long>(request.artifact_bytes));
    }
  }
  if (part.length() != request.artifact_bytes)
    return Status::Error(StatusCode::kIoError,
                         "the download of %s ended at %llu of %llu bytes; the next try resumes",
                         request.target.c_str(), static_cast<unsigned long long>(part.length()),
                         static_cast<unsigned long long>(request.artifact_bytes));
  TMM_ASSIGN_OR_RETURN(const std::string hash, ArtifactHashOfFile(request.destination + ".part"));
  if (hash != request.artifact_hash) {
    TMM_RETURN_IF_ERROR(part.Discard());
    return Status::Error(StatusCode::kInvalidArgument,
                         "the package downloaded from %s has BLAKE2b-256 %.16s..., not the "
                         "announced %.16s...; it was discarded",
                         request.target.c_str(), hash.c_str(), request.artifact_hash.c_str());
  }
  TMM_RETURN_IF_ERROR(RenameDurably(request.destination + ".part", request.destination));
  TMM_RETURN_IF_ERROR(RemoveDurably(part.progress_path()));
  return report;
}

}  // namespace tinymlops::agent
