// Semantic versions "MAJOR.MINOR.PATCH" (digits only; a "-prerelease" or "+build" suffix is
// accepted and ignored for ordering), as written in package manifests.
// Errors: kInvalidArgument for text that is not such a version.
// Thread-safety: pure functions.
#ifndef TINYMLOPS_FORMAT_SEMANTIC_VERSION_H_
#define TINYMLOPS_FORMAT_SEMANTIC_VERSION_H_

#include <cstdint>
#include <string>

#include "runtime/status.h"

namespace tinymlops::format {

struct SemanticVersion {
  uint32_t major = 0, minor = 0, patch = 0;

  bool operator<(const SemanticVersion& other) const {
    if (major != other.major) return major < other.major;
    if (minor != other.minor) return minor < other.minor;
    return patch < other.patch;
  }
};

Result<SemanticVersion> ParseSemanticVersion(const std::string& text);

}  // namespace tinymlops::format

#endif  // TINYMLOPS_FORMAT_SEMANTIC_VERSION_H_
