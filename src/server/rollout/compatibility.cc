#include "server/rollout/compatibility.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "format/semantic_version.h"

namespace tinymlops::server {

DeviceProfile ParseDeviceProfile(const std::string& profile_json) {
  DeviceProfile profile;
  profile.device_class = "unknown";
  const nlohmann::json parsed = nlohmann::json::parse(profile_json, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return profile;
  for (const char* field : {"device_class", "architecture"}) {
    auto it = parsed.find(field);
    if (it != parsed.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
      profile.device_class = it->get<std::string>();
      break;
    }
  }
  if (auto it = parsed.find("ram_bytes"); it != parsed.end() && it->is_number_integer()) {
    profile.ram_bytes = it->get<int64_t>();
  }
  if (auto it = parsed.find("ops"); it != parsed.end() && it->is_array()) {
    std::vector<std::string> ops;
    for (const auto& op : *it) {
      if (op.is_string()) ops.push_back(op.get<std::string>());
    }
    profile.ops = std::move(ops);
  }
  if (auto it = parsed.find("runtime_version"); it != parsed.end() && it->is_string()) {
    profile.runtime_version = it->get<std::string>();
  }
  return profile;
}

std::optional<std::string> IncompatibilityReason(const std::string& device_id,
                                                 const DeviceProfile& profile,
                                                 const VariantRecord& variant) {
  const std::string what = variant.model + " " + variant.version + " " + variant.name;
  if (profile.ops) {
    const nlohmann::json needed = nlohmann::json::parse(variant.ops_json, nullptr, false);
    if (needed.is_array()) {
      for (const auto& op : needed) {
        if (!op.is_string()) continue;
        const std::string& name = op.get_ref<const std::string&>();
        if (std::find(profile.ops->begin(), profile.ops->end(), name) == profile.ops->end()) {
          return "device " + device_id + " lacks op " + name + " needed by " + what;
        }
      }
    }
  }
  const int64_t needed_ram = variant.arena_bytes + variant.size_bytes;
  if (profile.ram_bytes && *profile.ram_bytes < needed_ram) {
    return "device " + device_id + " has " + std::to_string(*profile.ram_bytes) +
           " bytes of RAM; " + what + " needs " + std::to_string(needed_ram) + " (arena " +
           std::to_string(variant.arena_bytes) + " + model " + std::to_string(variant.size_bytes) +
           ")";
  }
  if (!profile.runtime_version.empty() && !variant.min_runtime_version.empty()) {
    auto has = format::ParseSemanticVersion(profile.runtime_version);
    auto needs = format::ParseSemanticVersion(variant.min_runtime_version);
    if (!has.ok() || (needs.ok() && *has < *needs)) {
      return "device " + device_id + " runs runtime " + profile.runtime_version + "; " + what +
             " needs runtime " + variant.min_runtime_version + " or newer";
    }
  }
  return std::nullopt;
}

}  // namespace tinymlops::server
