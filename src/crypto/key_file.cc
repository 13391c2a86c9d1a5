#include "crypto/key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tinymlops::crypto {
namespace {

constexpr char kSecretPrefix[] = "tinymlops-ed25519-secret ";
constexpr char kPublicPrefix[] = "tinymlops-ed25519-public ";
constexpr size_t kPrefixBytes = sizeof(kSecretPrefix) - 1;
static_assert(sizeof(kSecretPrefix) == sizeof(kPublicPrefix), "prefixes of one length");
constexpr size_t kHexBytes = 64;
constexpr size_t kLineBytes = kPrefixBytes + kHexBytes + 1;  // with '\n'

// Writes `line` to a new file `path` with `mode`; never replaces an existing file.
Status WriteNewFile(const std::string& path, const uint8_t* line, size_t size, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST)
      return Status::Error(StatusCode::kFailedPrecondition,
                           "'%s' already exists; keys are never overwritten: move it away or "
                           "choose another name",
                           path.c_str());
    return Status::Error(StatusCode::kIoError, "cannot create '%s': %s", path.c_str(),
                         std::strerror(errno));
  }
  // The mode passed to open is filtered by the umask; set it exactly.
  bool ok = ::fchmod(fd, mode) == 0;
  size_t written = 0;
  while (ok && written < size) {
    const ssize_t n = ::write(fd, line + written, size - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Status::Error(StatusCode::kIoError, "cannot write '%s': %s", path.c_str(),
                         std::strerror(saved_errno));
  }
  return Status::Ok();
}

// Formats prefix + hex(bytes) + '\n' into locked memory and writes it.
Status WriteKeyLine(const std::string& path, const char* prefix, const uint8_t* bytes,
                    mode_t mode) {
  TMM_ASSIGN_OR_RETURN(SecureBuffer line, SecureBuffer::Allocate(kLineBytes + 1));
  std::memcpy(line.data(), prefix, kPrefixBytes);
  sodium_bin2hex(reinterpret_cast<char*>(line.data() + kPrefixBytes), kHexBytes + 1, bytes,
                 kHexBytes / 2);
  line.data()[kLineBytes - 1] = '\n';
  return WriteNewFile(path, line.data(), kLineBytes, mode);
}

// Reads the key file `path` into locked memory and decodes its 32 bytes into `out` (32 bytes).
Status ReadKeyLine(const std::string& path, const char* prefix, bool secret, uint8_t* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Status::Error(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                         "cannot open key file '%s': %s", path.c_str(), std::strerror(errno));
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return Status::Error(StatusCode::kInvalidArgument, "key file '%s' is not a regular file",
                         path.c_str());
  }
  if (secret && (info.st_mode & 077) != 0) {
    ::close(fd);
    return Status::Error(StatusCode::kFailedPrecondition,
                         "secret key file '%s' may be read by other users (mode %04o); run "
                         "'chmod 600 %s'",
                         path.c_str(), static_cast<unsigned>(info.st_mode & 07777), path.c_str());
  }
  auto line = SecureBuffer::Allocate(kLineBytes + 1);
  if (!line.ok()) {
    ::close(fd);
    return line.status();
  }
  size_t size = 0;
  while (size <= kLineBytes) {
    const ssize_t n = ::read(fd, line->data() + size, kLineBytes + 1 - size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  const uint8_t* text = line->data();
  const bool well_formed = size >= kPrefixBytes + kHexBytes && size <= kLineBytes &&
                           std::memcmp(text, prefix, kPrefixBytes) == 0 &&
                           (size == kPrefixBytes + kHexBytes || text[size - 1] == '\n');
  size_t decoded = 0;
  if (!well_formed ||
      sodium_hex2bin(out, kHexBytes / 2, reinterpret_cast<const char*>(text + kPrefixBytes),
                     kHexBytes, nullptr, &decoded, nullptr) != 0 ||
      decoded != kHexBytes / 2)
    return Status::Error(StatusCode::kInvalidArgument,
                         "'%s' is not a tinymlops %s key file (one line '%s<64 hex digits>')",
                         path.c_str(), secret ? "secret" : "public", prefix);
  return Status::Ok();
}

}  // namespace

Status WriteSecretKeyFile(const std::string& path, const SigningKeyPair& key) {
  // libsodium's secret key starts with the seed.
  return WriteKeyLine(path, kSecretPrefix, key.secret_key().data(), 0600);
}

Status WritePublicKeyFile(const std::string& path, const SigningPublicKey& key) {
  return WriteKeyLine(path, kPublicPrefix, key.bytes().data(), 0644);
}

Result<SigningKeyPair> ReadSecretKeyFile(const std::string& path) {
  TMM_ASSIGN_OR_RETURN(SecureBuffer seed, SecureBuffer::Allocate(kSigningSeedBytes));
  TMM_RETURN_IF_ERROR(ReadKeyLine(path, kSecretPrefix, true, seed.data()));
  return SigningKeyPair::FromSeed(seed.data(), seed.size());
}

Result<SigningPublicKey> ReadPublicKeyFile(const std::string& path) {
  uint8_t bytes[kSigningPublicKeyBytes];
  TMM_RETURN_IF_ERROR(ReadKeyLine(path, kPublicPrefix, false, bytes));
  auto key = SigningPublicKey::FromBytes(bytes, sizeof(bytes));
  if (!key.ok())
    return Status::Error(key.status().code(), "'%s': %s", path.c_str(), key.status().message());
  return key;
}

}  // namespace tinymlops::crypto
