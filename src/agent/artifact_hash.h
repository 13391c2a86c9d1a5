// ArtifactHashOfFile: the hex BLAKE2b-256 of a whole file (libsodium crypto_generichash,
// streamed 64 KiB at a time), the `artifact_hash` the server gives for each variant's package.
// Errors: kNotFound / kIoError naming the file.
// Thread-safety: a pure function.
#ifndef TINYMLOPS_AGENT_ARTIFACT_HASH_H_
#define TINYMLOPS_AGENT_ARTIFACT_HASH_H_

#include <string>

#include "runtime/status.h"

namespace tinymlops::agent {

Result<std::string> ArtifactHashOfFile(const std::string& path);

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_ARTIFACT_HASH_H_
