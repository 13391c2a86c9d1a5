#include "server/registry/artifact_store.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "server/auth/opaque_token.h"

namespace tinymlops::server {

Result<ArtifactRef> ArtifactStore::Put(const std::string& bytes) const {
  ArtifactRef ref;
  ref.hash = Blake2bHex(bytes.data(), bytes.size());
  ref.name = ref.hash + ".tpkg";
  ref.bytes = bytes.size();
  std::error_code ec;
  std::filesystem::create_directories(root_, ec);
  const std::string path = PathOf(ref.name);
  if (std::filesystem::exists(path, ec)) return ref;
  const std::string temporary = path + ".tmp-" + NewRecordId("");
  {
    std::ofstream out(temporary, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::filesystem::remove(temporary, ec);
      return Status::Error(StatusCode::kIoError, "cannot write the artifact %s", temporary.c_str());
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::filesystem::remove(temporary, ec);
    return Status::Error(StatusCode::kIoError, "cannot move the artifact into %s", path.c_str());
  }
  return ref;
}

std::string ArtifactStore::PathOf(const std::string& name) const {
  if (name.empty() || name.find('/') != std::string::npos || name.find("..") != std::string::npos) {
    return root_ + "/invalid-artifact-name";
  }
  return root_ + "/" + name;
}

}  // namespace tinymlops::server
