#include "agent/artifact_hash.h"

#include <sodium.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "crypto/sodium_init.h"

namespace tinymlops::agent {

Result<std::string> ArtifactHashOfFile(const std::string& path) {
  TMM_RETURN_IF_ERROR(crypto::InitializeSodium());
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr)
    return Status::Error(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                         "cannot open '%s': %s", path.c_str(), std::strerror(errno));
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES);
  static constexpr size_t kChunk = 64 * 1024;
  unsigned char buffer[kChunk];
  size_t n;
  while ((n = std::fread(buffer, 1, kChunk, file)) > 0)
    crypto_generichash_update(&state, buffer, n);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) return Status::Error(StatusCode::kIoError, "cannot read '%s'", path.c_str());
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash_final(&state, digest, sizeof(digest));
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 15]);
  }
  return hex;
}

}  // namespace tinymlops::agent
