#include "agent/checkin_message.h"

#include <nlohmann/json.hpp>

namespace tinymlops::agent {
namespace {

using nlohmann::json;

bool IsHexDigest(const std::string& text) {
  if (text.size() != 64) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// The field `name` of `object` as a string; kInvalidArgument when absent or of another type.
Result<std::string> Text(const json& object, const char* name, const char* where) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string())
    return Status::Error(StatusCode::kInvalidArgument,
                         "the server's check-in answer has no string '%s' in %s", name, where);
  return it->get<std::string>();
}

Result<uint64_t> Count(const json& object, const char* name, const char* where) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_number_unsigned())
    return Status::Error(StatusCode::kInvalidArgument,
                         "the server's check-in answer has no non-negative integer '%s' in %s",
                         name, where);
  return it->get<uint64_t>();
}

// A variant's delta offer, when it is well formed; a malformed one is dropped rather than
// refused: the full package is always there to install instead.
std::optional<SlotDelta> ParseDelta(const json& variant) {
  const auto delta = variant.find("delta");
  if (delta == variant.end() || !delta->is_object()) return std::nullopt;
  auto package = Text(*delta, "package", "a delta");
  auto hash = Text(*delta, "artifact_hash", "a delta");
  auto bytes = Count(*delta, "artifact_bytes", "a delta");
  auto base_version = Text(*delta, "base_version", "a delta");
  auto base_hash = Text(*delta, "base_artifact_hash", "a delta");
  if (!package.ok() || !hash.ok() || !bytes.ok() || !base_version.ok() || !base_hash.ok() ||
      package->rfind("/v1/", 0) != 0 || !IsHexDigest(*hash) || !IsHexDigest(*base_hash) ||
      base_version->empty() || base_version->size() > 64)
    return std::nullopt;
  return SlotDelta{std::move(*package), std::move(*hash), *bytes, std::move(*base_version),
                   std::move(*base_hash)};
}

Result<SlotManifest> ParseDesired(const json& desired) {
  SlotManifest release;
  TMM_ASSIGN_OR_RETURN(release.deployment, Text(desired, "deployment", "desired"));
  TMM_ASSIGN_OR_RETURN(release.model, Text(desired, "model", "desired"));
  TMM_ASSIGN_OR_RETURN(release.version, Text(desired, "version", "desired"));
  const auto variants = desired.find("variants");
  if (variants == desired.end() || !variants->is_array())
    return Status::Error(StatusCode::kInvalidArgument,
                         "the server's check-in answer has no 'variants' list in desired");
  for (const json& v : *variants) {
    if (!v.is_object())
      return Status::Error(StatusCode::kInvalidArgument,
                           "the server's check-in answer has a variant that is not an object");
    SlotVariant variant;
    TMM_ASSIGN_OR_RETURN(variant.id, Text(v, "id", "a variant"));
    TMM_ASSIGN_OR_RETURN(variant.name, Text(v, "name", "a variant"));
    TMM_ASSIGN_OR_RETURN(variant.artifact_hash, Text(v, "artifact_hash", "a variant"));
    TMM_ASSIGN_OR_RETURN(variant.artifact_bytes, Count(v, "artifact_bytes", "a variant"));
    TMM_ASSIGN_OR_RETURN(variant.release, Count(v, "release", "a variant"));
    TMM_ASSIGN_OR_RETURN(variant.package, Text(v, "package", "a variant"));
    TMM_RETURN_IF_ERROR(CheckVariantName(variant.name));
    if (!IsHexDigest(variant.artifact_hash))
      return Status::Error(StatusCode::kInvalidArgument,
                           "variant '%s' has an artifact_hash that is not 64 lowercase hex digits",
                           variant.name.c_str());
    if (variant.package.rfind("/v1/", 0) != 0)
      return Status::Error(StatusCode::kInvalidArgument,
                           "variant '%s' has a package path outside /v1/", variant.name.c_str());
    if (release.Find(variant.name) != nullptr)
      return Status::Error(StatusCode::kInvalidArgument, "variant '%s' is listed twice",
                           variant.name.c_str());
    if (auto offer = ParseDelta(v)) variant.deltas.push_back(std::move(*offer));
    release.variants.push_back(std::move(variant));
  }
  const auto policy = desired.find("policy");
  if (policy != desired.end() && policy->is_object()) {
    release.policy_json = policy->dump();
    const auto fallback = policy->find("default");
    if (fallback != policy->end() && fallback->is_string() &&
        release.Find(fallback->get<std::string>()) != nullptr)
      release.default_variant = fallback->get<std::string>();
  }
  if (release.default_variant.empty() && !release.variants.empty())
    release.default_variant = release.variants.front().name;
  return release;
}

}  // namespace

std::string CheckinBody(const CheckinReport& r) {
  json profile = {{"architecture", r.profile.architecture},
                  {"device_class", r.profile.device_class},
                  {"ram_bytes", r.profile.ram_bytes},
                  {"storage_bytes", r.profile.storage_bytes},
                  {"ops", r.profile.ops},
                  {"runtime_version", r.profile.runtime_version}};
  json context = json::object();
  if (r.context.battery_percent) context["battery_percent"] = *r.context.battery_percent;
  if (r.context.charging) context["charging"] = *r.context.charging;
  if (r.context.network) context["network"] = *r.context.network;
  json slots = json::object();
  for (const auto& [slot, manifest] : r.installed.slots)
    slots[slot] = {{"model", manifest.model},
                   {"version", manifest.version},
                   {"deployment", manifest.deployment}};
  json body = {{"profile", profile},
               {"context", context},
               {"installed",
                {{"active", r.installed.active},
                 {"slots", slots},
                 {"serving_variant", r.installed.serving_variant}}}};
  if (!r.health.model.empty())
    body["health"] = {{"model", r.health.model},
                      {"version", r.health.version},
                      {"crash_count", r.health.crash_count},
                      {"inferences", r.health.inferences}};
  if (!r.health.model.empty() && r.health.latency_us)
    body["health"]["latency_us"] = {{"p50", r.health.latency_us->p50},
                                    {"p95", r.health.latency_us->p95},
                                    {"p99", r.health.latency_us->p99}};
  json outcomes = json::array();
  for (const OutcomeEvent& e : r.outcomes)
    outcomes.push_back({{"deployment", e.deployment},
                        {"version", e.version},
                        {"event", e.event},
                        {"detail", e.detail},
                        {"unix", e.unix},
                        {"sequence", e.sequence}});
  body["outcomes"] = outcomes;
  return body.dump();
}

Result<CheckinAnswer> ParseCheckinAnswer(const std::string& body) {
  const json answer = json::parse(body, nullptr, false);
  if (!answer.is_object())
    return Status::Error(StatusCode::kInvalidArgument,
                         "the server's check-in answer is not a JSON object");
  CheckinAnswer out;
  const auto desired = answer.find("desired");
  if (desired != answer.end() && !desired->is_null()) {
    if (!desired->is_object())
      return Status::Error(StatusCode::kInvalidArgument,
                           "the server's check-in answer has a 'desired' that is not an object");
    TMM_ASSIGN_OR_RETURN(out.desired, ParseDesired(*desired));
  }
  const auto refused = answer.find("refused");
  if (refused != answer.end() && refused->is_array())
    for (const json& r : *refused)
      if (r.is_object() && r.contains("deployment") && r["deployment"].is_string() &&
          r.contains("reason") && r["reason"].is_string())
        out.refused.push_back({r["deployment"].get<std::string>(), r["reason"].get<std::string>()});
  const auto next = answer.find("next_checkin_seconds");
  if (next != answer.end() && next->is_number_integer()) {
    const int64_t seconds = next->get<int64_t>();
    out.next_checkin_seconds = seconds < 1 ? 1 : seconds > 86400 ? 86400 : seconds;
  }
  return out;
}

}  // namespace tinymlops::agent
