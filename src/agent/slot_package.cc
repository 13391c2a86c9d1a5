#include "agent/slot_package.h"

#include "agent/artifact_hash.h"

namespace tinymlops::agent {
namespace {

Status CheckFile(const std::string& path, const std::string& expected) {
  TMM_ASSIGN_OR_RETURN(const std::string hash, ArtifactHashOfFile(path));
  if (hash != expected)
    return Status::Error(StatusCode::kInvalidArgument,
                         "package '%s' has BLAKE2b-256 %.16s..., not the recorded %.16s... "
                         "(altered or damaged on disk)",
                         path.c_str(), hash.c_str(), expected.c_str());
  return Status::Ok();
}

}  // namespace

Status CheckSlotPackage(const SlotStore& slots, const std::string& slot,
                        const SlotVariant& variant) {
  if (variant.deltas.empty())
    return CheckFile(slots.PackagePath(slot, variant.name), variant.artifact_hash);
  TMM_RETURN_IF_ERROR(
      CheckFile(slots.BasePath(slot, variant.name), variant.deltas.front().base_artifact_hash));
  for (size_t link = 0; link < variant.deltas.size(); ++link)
    TMM_RETURN_IF_ERROR(CheckFile(slots.DeltaPath(slot, variant.name, link),
                                  variant.deltas[link].artifact_hash));
  return Status::Ok();
}

Status LoadSlotPackage(device::PackageLoader& loader, const SlotStore& slots,
                       const std::string& slot, const SlotVariant& variant) {
  if (variant.deltas.empty()) return loader.Load(slots.PackagePath(slot, variant.name));
  std::vector<std::string> chain;
  for (size_t link = 0; link < variant.deltas.size(); ++link)
    chain.push_back(slots.DeltaPath(slot, variant.name, link));
  return loader.LoadDeltaChain(slots.BasePath(slot, variant.name), chain);
}

}  // namespace tinymlops::agent
