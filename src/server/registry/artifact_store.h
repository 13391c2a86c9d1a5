// ArtifactStore: package bytes on a filesystem, content-addressed: an artifact is named by the
// BLAKE2b-256 of its bytes ("<hash>.tpkg" under the root), written to a temporary file and
// renamed into place, so a reader never sees a partial artifact and several server processes
// sharing one folder agree. The store records only the name.
// Errors: kIoError naming the path. Thread-safety: safe from any thread and process.
#ifndef TINYMLOPS_SERVER_REGISTRY_ARTIFACT_STORE_H_
#define TINYMLOPS_SERVER_REGISTRY_ARTIFACT_STORE_H_

#include <cstdint>
#include <string>

#include "runtime/status.h"

namespace tinymlops::server {

struct ArtifactRef {
  std::string name;  // "<hash>.tpkg"
  std::string hash;  // BLAKE2b-256, hex
  uint64_t bytes = 0;
};

class ArtifactStore {
 public:
  explicit ArtifactStore(std::string root) : root_(std::move(root)) {}
  Result<ArtifactRef> Put(const std::string& bytes) const;
  // The file of a stored artifact (names are checked: no path separators).
  std::string PathOf(const std::string& name) const;
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_REGISTRY_ARTIFACT_STORE_H_
