#include "agent/slot_store.h"

#include <dirent.h>

#include <nlohmann/json.hpp>

#include "agent/durable_file.h"
#include "agent/json_fields.h"

namespace tinymlops::agent {

bool SlotDelta::operator==(const SlotDelta& other) const {
  return package == other.package && artifact_hash == other.artifact_hash &&
         artifact_bytes == other.artifact_bytes && base_version == other.base_version &&
         base_artifact_hash == other.base_artifact_hash;
}

bool SlotVariant::operator==(const SlotVariant& other) const {
  return name == other.name && id == other.id && artifact_hash == other.artifact_hash &&
         artifact_bytes == other.artifact_bytes && release == other.release;
}

bool SlotManifest::SameRelease(const SlotManifest& other) const {
  return model == other.model && version == other.version && deployment == other.deployment &&
         variants == other.variants;
}

const SlotVariant* SlotManifest::Find(const std::string& variant) const {
  for (const SlotVariant& v : variants)
    if (v.name == variant) return &v;
  return nullptr;
}

std::string OtherSlot(const std::string& slot) { return slot == "a" ? "b" : "a"; }
bool IsSlotName(const std::string& slot) { return slot == "a" || slot == "b"; }

Status CheckVariantName(const std::string& name) {
  bool safe = !name.empty() && name.size() <= 64 && name[0] != '.';
  for (char c : name)
    safe = safe && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-');
  if (!safe)
    return Status::Error(StatusCode::kInvalidArgument,
                         "variant name '%.64s' is not 1-64 characters of [A-Za-z0-9._-]; rename "
                         "the variant on the server",
                         name.c_str());
  return Status::Ok();
}

namespace {

SlotDelta ParseSlotDelta(const nlohmann::json& delta) {
  SlotDelta d;
  d.package = delta.at("package").get<std::string>();
  d.artifact_hash = delta.at("artifact_hash").get<std::string>();
  d.artifact_bytes = UnsignedField(delta, "artifact_bytes");
  d.base_version = delta.at("base_version").get<std::string>();
  d.base_artifact_hash = delta.at("base_artifact_hash").get<std::string>();
  return d;
}

// The variant's chain: "deltas" (a list), or "delta" (one object) as slots written before
// chains hold it; not both.
std::vector<SlotDelta> ParseSlotDeltas(const nlohmann::json& variant) {
  std::vector<SlotDelta> deltas;
  const auto one = variant.find("delta");
  const auto chain = variant.find("deltas");
  if (one != variant.end() && chain != variant.end())
    throw std::invalid_argument("a variant has both 'delta' and 'deltas'");
  if (one != variant.end()) deltas.push_back(ParseSlotDelta(*one));
  if (chain != variant.end()) {
    if (!chain->is_array() || chain->empty() || chain->size() > kMaxDeltaChain)
      throw std::invalid_argument("'deltas' must be a list of 1 to " +
                                  std::to_string(kMaxDeltaChain) + " deltas");
    for (const auto& delta : *chain) deltas.push_back(ParseSlotDelta(delta));
  }
  return deltas;
}

}  // namespace

std::string SlotManifestJson(const SlotManifest& m) {
  nlohmann::json variants = nlohmann::json::array();
  for (const SlotVariant& v : m.variants) {
    nlohmann::json variant = {{"name", v.name},
                              {"id", v.id},
                              {"artifact_hash", v.artifact_hash},
                              {"artifact_bytes", v.artifact_bytes},
                              {"release", v.release},
                              {"package", v.package}};
    if (!v.deltas.empty()) {
      nlohmann::json deltas = nlohmann::json::array();
      for (const SlotDelta& d : v.deltas)
        deltas.push_back({{"package", d.package},
                          {"artifact_hash", d.artifact_hash},
                          {"artifact_bytes", d.artifact_bytes},
                          {"base_version", d.base_version},
                          {"base_artifact_hash", d.base_artifact_hash}});
      variant["deltas"] = std::move(deltas);
    }
    variants.push_back(std::move(variant));
  }
  return nlohmann::json{{"model", m.model},           {"version", m.version},
                        {"deployment", m.deployment}, {"default_variant", m.default_variant},
                        {"policy", m.policy_json},    {"variants", variants}}
      .dump();
}

Result<SlotManifest> ParseSlotManifest(const std::string& json) {
  const nlohmann::json parsed = nlohmann::json::parse(json, nullptr, false);
  SlotManifest m;
  try {
    if (!parsed.is_object()) throw std::runtime_error("not a JSON object");
    m.model = parsed.at("model").get<std::string>();
    m.version = parsed.at("version").get<std::string>();
    m.deployment = parsed.at("deployment").get<std::string>();
    m.default_variant = parsed.at("default_variant").get<std::string>();
    m.policy_json = parsed.at("policy").get<std::string>();
    for (const auto& v : parsed.at("variants")) {
      SlotVariant variant;
      variant.name = v.at("name").get<std::string>();
      variant.id = v.at("id").get<std::string>();
      variant.artifact_hash = v.at("artifact_hash").get<std::string>();
      variant.artifact_bytes = UnsignedField(v, "artifact_bytes");
      variant.release = UnsignedField(v, "release");
      variant.package = v.at("package").get<std::string>();
      variant.deltas = ParseSlotDeltas(v);
      TMM_RETURN_IF_ERROR(CheckVariantName(variant.name));
      m.variants.push_back(std::move(variant));
    }
  } catch (const std::exception& error) {
    return Status::Error(StatusCode::kInvalidArgument, "malformed slot manifest: %s", error.what());
  }
  if (m.variants.empty() || m.Find(m.default_variant) == nullptr)
    return Status::Error(StatusCode::kInvalidArgument,
                         "malformed slot manifest: no variants, or the default variant is not "
                         "one of them");
  return m;
}

SlotStore::SlotStore(std::string data_folder) : root_(std::move(data_folder) + "/slots") {}

std::string SlotStore::SlotFolder(const std::string& slot) const { return root_ + "/" + slot; }
std::string SlotStore::ManifestPath(const std::string& slot) const {
  return SlotFolder(slot) + "/slot.json";
}
std::string SlotStore::PackagePath(const std::string& slot, const std::string& variant) const {
  return SlotFolder(slot) + "/" + variant + ".tpkg";
}
// Never a variant's package name: those end in ".tpkg".
std::string SlotStore::BasePath(const std::string& slot, const std::string& variant) const {
  return PackagePath(slot, variant) + ".base";
}
std::string SlotStore::DeltaPath(const std::string& slot, const std::string& variant,
                                 size_t link) const {
  return PackagePath(slot, variant) + ".delta" + (link == 0 ? "" : std::to_string(link + 1));
}

Status SlotStore::Create() const {
  TMM_RETURN_IF_ERROR(MakeFolder(SlotFolder("a")));
  return MakeFolder(SlotFolder("b"));
}

Result<SlotManifest> SlotStore::ReadManifest(const std::string& slot) const {
  if (!IsSlotName(slot))
    return Status::Error(StatusCode::kInvalidArgument, "'%s' is not a slot (a or b)", slot.c_str());
  TMM_ASSIGN_OR_RETURN(const std::string json, ReadFile(ManifestPath(slot)));
  auto manifest = ParseSlotManifest(json);
  if (!manifest.ok())
    return Status::Error(StatusCode::kInvalidArgument, "slot %s: %s", slot.c_str(),
                         manifest.status().message());
  return manifest;
}

Status SlotStore::Clear(const std::string& slot) const {
  // The manifest goes first: a cut in the middle leaves a slot without one, which is empty.
  TMM_RETURN_IF_ERROR(RemoveDurably(ManifestPath(slot)));
  DIR* dir = ::opendir(SlotFolder(slot).c_str());
  if (dir == nullptr)
    return Status::Error(StatusCode::kIoError, "cannot list slot folder '%s'",
                         SlotFolder(slot).c_str());
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  for (const std::string& name : names)
    TMM_RETURN_IF_ERROR(RemoveDurably(SlotFolder(slot) + "/" + name));
  return Status::Ok();
}

Status SlotStore::Prepare(const std::string& slot, const SlotManifest& manifest) const {
  for (const SlotVariant& v : manifest.variants) TMM_RETURN_IF_ERROR(CheckVariantName(v.name));
  auto current = ReadManifest(slot);
  if (current.ok() && current->SameRelease(manifest)) {
    if (current->default_variant == manifest.default_variant &&
        current->policy_json == manifest.policy_json)
      return Status::Ok();
    SlotManifest next = manifest;
    next.variants = current->variants;  // the forms the files are in
    return WriteFileDurably(ManifestPath(slot), SlotManifestJson(next));
  }
  TMM_RETURN_IF_ERROR(Clear(slot));
  return WriteFileDurably(ManifestPath(slot), SlotManifestJson(manifest));
}

Status SlotStore::DropDeltas(const std::string& slot, const std::string& variant) const {
  TMM_ASSIGN_OR_RETURN(SlotManifest manifest, ReadManifest(slot));
  for (SlotVariant& v : manifest.variants)
    if (v.name == variant) v.deltas.clear();
  TMM_RETURN_IF_ERROR(WriteFileDurably(ManifestPath(slot), SlotManifestJson(manifest)));
  std::vector<std::string> paths = {BasePath(slot, variant), BasePath(slot, variant) + ".tmp"};
  for (size_t link = 0; link < kMaxDeltaChain; ++link)
    for (const char* suffix : {"", ".tmp", ".part", ".part.progress"})
      paths.push_back(DeltaPath(slot, variant, link) + suffix);
  for (const std::string& path : paths) TMM_RETURN_IF_ERROR(RemoveDurably(path));
  return Status::Ok();
}

}  // namespace tinymlops::agent
