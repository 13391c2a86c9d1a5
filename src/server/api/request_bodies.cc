#include "server/api/request_bodies.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <nlohmann/json.hpp>

#include "format/json_nesting.h"

namespace tinymlops::server {
namespace {

using nlohmann::json;

Status Invalid(const std::string& message) {
  return Status::Error(StatusCode::kInvalidArgument, "%s", message.c_str());
}

// The deepest nesting of arrays and objects in `text` (outside strings); parsing and printing
// JSON recurse, so a body nested deeper than kMaxJsonDepth is refused before it is parsed.
constexpr int kMaxJsonDepth = 32;

Result<json> ParseObject(const std::string& body) {
  if (body.size() > kMaxJsonBodyBytes) return Invalid("the JSON body is larger than 1 MiB");
  if (format::JsonNestingDepth(body) > kMaxJsonDepth) {
    return Invalid("the JSON body nests arrays and objects deeper than 32 levels");
  }
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Invalid("the body must be a JSON object");
  }
  return parsed;
}

// Reads a string field of at most `max` bytes into `out`. A required field must be present and
// non-empty; an optional one may be absent or null (and `out` is then left as it was).
Status ReadString(const json& object, const char* field, bool required, size_t max,
                  std::string& out) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) {
    if (required) return Invalid(std::string("'") + field + "' is required");
    return Status::Ok();
  }
  if (!it->is_string()) return Invalid(std::string("'") + field + "' must be a string");
  const auto& value = it->get_ref<const std::string&>();
  if (required && value.empty()) return Invalid(std::string("'") + field + "' must not be empty");
  if (value.size() > max) {
    return Invalid(std::string("'") + field + "' is longer than " + std::to_string(max) +
                   " bytes");
  }
  out = value;
  return Status::Ok();
}

Status ReadObjectText(const json& object, const char* field, std::string& out) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) return Invalid(std::string("'") + field + "' must be a JSON object");
  out = it->dump(-1, ' ', false, json::error_handler_t::replace);
  return Status::Ok();
}

bool IsNonNegativeInteger(const json& value) {
  return value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0);
}

Status CheckProfile(const json& profile) {
  for (const char* field : {"architecture", "runtime_version"}) {
    auto it = profile.find(field);
    if (it != profile.end() && !it->is_string()) {
      return Invalid(std::string("profile.") + field + " must be a string");
    }
  }
  for (const char* field : {"ram_bytes", "storage_bytes"}) {
    auto it = profile.find(field);
    if (it != profile.end() && !IsNonNegativeInteger(*it)) {
      return Invalid(std::string("profile.") + field + " must be a non-negative integer");
    }
  }
  auto ops = profile.find("ops");
  if (ops != profile.end()) {
    if (!ops->is_array()) return Invalid("profile.ops must be an array of op names");
    for (const auto& op : *ops) {
      if (!op.is_string()) return Invalid("profile.ops must be an array of op names");
    }
  }
  return Status::Ok();
}

Status CheckContext(const json& context) {
  auto battery = context.find("battery_percent");
  if (battery != context.end() &&
      (!battery->is_number() || battery->get<double>() < 0 || battery->get<double>() > 100)) {
    return Invalid("context.battery_percent must be a number from 0 to 100");
  }
  auto charging = context.find("charging");
  if (charging != context.end() && !charging->is_boolean()) {
    return Invalid("context.charging must be true or false");
  }
  auto network = context.find("network");
  if (network != context.end() && !network->is_string()) {
    return Invalid("context.network must be a string (\"wifi\", \"cellular\", \"none\", ...)");
  }
  return Status::Ok();
}

// One slot: {model, version, variant, deployment}, each a string if present.
Status CheckSlot(const std::string& where, const json& slot) {
  if (!slot.is_object()) {
    return Invalid(where + " must be an object {model, version, variant, deployment}");
  }
  for (const char* field : {"model", "version", "variant", "deployment"}) {
    auto it = slot.find(field);
    if (it != slot.end() && !it->is_string()) {
      return Invalid(where + "." + field + " must be a string");
    }
  }
  return Status::Ok();
}

// {"active": "a", "slots": {"a": {...}, "b": {...}}, "serving_variant": "int8"}; a slot may
// also be given at the top level ({"a": {...}}).
Status CheckInstalled(const json& installed) {
  for (const auto& [key, value] : installed.items()) {
    if (key == "active" || key == "serving_variant") {
      if (!value.is_string()) return Invalid("installed." + key + " must be a string");
    } else if (key == "slots") {
      if (!value.is_object()) return Invalid("installed.slots must be an object of slots");
      for (const auto& [slot, model] : value.items()) {
        TMM_RETURN_IF_ERROR(CheckSlot("installed.slots." + slot, model));
      }
    } else {
      TMM_RETURN_IF_ERROR(CheckSlot("installed." + key, value));
    }
  }
  return Status::Ok();
}

// {"model", "version", "crash_count", "latency_us": {"p50", "p95", "p99"}, "inferences"}.
Status CheckHealth(const json& health) {
  for (const char* field : {"model", "version"}) {
    auto it = health.find(field);
    if (it != health.end() && !it->is_string()) {
      return Invalid(std::string("health.") + field + " must be a string");
    }
  }
  for (const char* field : {"crash_count", "inferences"}) {
    auto it = health.find(field);
    if (it != health.end() && !IsNonNegativeInteger(*it)) {
      return Invalid(std::string("health.") + field + " must be a non-negative integer");
    }
  }
  auto latency = health.find("latency_us");
  if (latency != health.end()) {
    if (!latency->is_object()) return Invalid("health.latency_us must be an object {p50, p95, p99}");
    for (const auto& [name, value] : latency->items()) {
      if (!value.is_number() || value.get<double>() < 0 || !std::isfinite(value.get<double>())) {
        return Invalid("health.latency_us." + name + " must be a non-negative number");
      }
    }
  }
  return Status::Ok();
}

Result<DeviceReport> ReadDeviceReport(json& object) {
  DeviceReport report;
  TMM_RETURN_IF_ERROR(ReadObjectText(object, "profile", report.profile));
  TMM_RETURN_IF_ERROR(ReadObjectText(object, "context", report.context));
  TMM_RETURN_IF_ERROR(ReadObjectText(object, "health", report.health));
  TMM_RETURN_IF_ERROR(ReadObjectText(object, "installed", report.installed));
  if (!report.profile.empty()) TMM_RETURN_IF_ERROR(CheckProfile(object["profile"]));
  if (!report.context.empty()) TMM_RETURN_IF_ERROR(CheckContext(object["context"]));
  if (!report.installed.empty()) TMM_RETURN_IF_ERROR(CheckInstalled(object["installed"]));
  if (!report.health.empty()) TMM_RETURN_IF_ERROR(CheckHealth(object["health"]));
  return report;
}

Result<std::vector<std::string>> ReadStringList(const json& object, const char* field,
                                                size_t max_items, size_t max_bytes) {
  std::vector<std::string> out;
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return out;
  const std::string error = std::string("'") + field + "' must be an array of at most " +
                            std::to_string(max_items) + " strings of 1 to " +
                            std::to_string(max_bytes) + " bytes";
  if (!it->is_array() || it->size() > max_items) return Invalid(error);
  for (const json& item : *it) {
    if (!item.is_string() || item.get_ref<const std::string&>().empty() ||
        item.get_ref<const std::string&>().size() > max_bytes) {
      return Invalid(error);
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<uint64_t> ParseDecimal(const std::string& text, const char* what) {
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Error(StatusCode::kInvalidArgument, "%s must be a decimal number", what);
  }
  return static_cast<uint64_t>(std::stoull(text));
}

}  // namespace

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}

Result<NamedRequest> ParseNamedRequest(const std::string& body) {
  TMM_ASSIGN_OR_RETURN(json object, ParseObject(body));
  NamedRequest request;
  TMM_RETURN_IF_ERROR(ReadString(object, "name", true, 64, request.name));
  TMM_RETURN_IF_ERROR(ReadString(object, "description", false, 4096, request.description));
  if (!ValidName(request.name)) {
    return Invalid("'name' must be 1 to 64 characters of [a-z0-9._-], starting with a letter "
                   "or digit");
  }
  return request;
}

Result<TokenRequest> ParseTokenRequest(const std::string& body) {
  TMM_ASSIGN_OR_RETURN(json object, ParseObject(body));
  TokenRequest request;
  TMM_RETURN_IF_ERROR(ReadString(object, "name", true, 128, request.name));
  TMM_RETURN_IF_ERROR(ReadString(object, "role", true, 16, request.role));
  if (request.role != "viewer" && request.role != "deployer" && request.role != "admin") {
    return Invalid("'role' must be viewer, deployer or admin");
  }
  return request;
}

Result<EnrollmentTokenRequest> ParseEnrollmentTokenRequest(const std::string& body) {
  EnrollmentTokenRequest request;
  if (body.empty()) return request;
  TMM_ASSIGN_OR_RETURN(json object, ParseObject(body));
  auto ttl = object.find("ttl_seconds");
  if (ttl != object.end()) {
    if (!ttl->is_number_integer() || ttl->get<int64_t>() < 1 ||
        ttl->get<int64_t>() > 30 * 86400) {
      return Invalid("'ttl_seconds' must be an integer from 1 to 2592000 (30 days)");
    }
    request.ttl_seconds = ttl->get<int64_t>();
  }
  return request;
}

Result<KeyRequest> ParseKeyRequest(const std::string& body) {
  TMM_ASSIGN_OR_RETURN(json object, ParseObject(body));
  KeyRequest request;
  TMM_RETURN_IF_ERROR(ReadString(object, "name", true, 128, request.name));
  TMM_RETURN_IF_ERROR(ReadString(object, "public_key", true, 64, request.public_key));
  return request;
}

Result<EnrollRequest> ParseEnrollRequest(const std::string& body) {
  TMM_ASSIGN_OR_RETURN(json object, ParseObject(body));
  EnrollRequest request;
  TMM_RETURN_IF_ERROR(ReadString(object, "token", true, 128, request.token));
  TMM_RETURN_IF_ERROR(ReadString(object, "public_key", true, 64, request.public_key));
  TMM_RETURN_IF_ERROR(ReadString(object, "name", false, 128, request.name));
  TMM_RETURN_IF_ERROR(ReadObjectText(object, "profile", request.profile_json));
  if (auto it = object.find("profile"); it != object.end() && it->is_object()) {
    TMM_RETURN_IF_ERROR(CheckProfile(*it));
  }
  return request;
}

Result<DeviceReport> ParseDeviceReport(const std::string& body) {
  TMM_ASSIGN_OR_RETURN(json object, ParseObject(body));
  return ReadDeviceReport(object);
}

Result<CheckinRequest> ParseCheckinRequest(const std::string& body) {
  TMM_ASSIGN_OR_RETURN(json object, ParseObject(body));
  CheckinRequest request;
  TMM_ASSIGN_OR_RETURN(request.report, ReadDeviceReport(object));
  auto outcomes = object.find("outcomes");
  if (outcomes == object.end() || outcomes->is_null()) return request;
  if (!outcomes->is_array() || outcomes->size() > 256) {
    return Invalid("'outcomes' must be an array of at most 256 outcomes");
  }
  for (size_t i = 0; i < outcomes->size(); ++i) {
    const json& item = (*outcomes)[i];
    const std::string where = "outcomes[" + std::to_string(i) + "]";
    if (!item.is_object()) return Invalid(where + " must be an object");
    DeviceOutcome o;
    auto read = [&](const char* field, bool required, size_t max, std::string& out) -> Status {
      Status status = ReadString(item, field, required, max, out);
      if (!status.ok()) return Invalid(where + ": " + status.message());
      return status;
    };
    TMM_RETURN_IF_ERROR(read("deployment", true, 64, o.deployment));
    TMM_RETURN_IF_ERROR(read("version", true, 64, o.version));
    TMM_RETURN_IF_ERROR(read("event", true, 32, o.event));
    TMM_RETURN_IF_ERROR(read("detail", false, 1024, o.detail));
    if (o.deployment.empty() || o.version.empty()) {
      return Invalid(where + ": 'deployment' and 'version' must not be empty");
    }
    if (!IsOutcomeEvent(o.event)) {
      return Invalid(where + ".event must be one of downloaded, installed, install_failed, "
                     "self_test_failed, rolled_back, refused");
    }
    auto sequence = item.find("sequence");
    if (sequence == item.end() || !IsNonNegativeInteger(*sequence) ||
        !sequence->is_number_integer() || sequence->get<int64_t>() < 0) {
      return Invalid(where + ".sequence must be a non-negative integer (it grows per device)");
    }
    o.sequence = sequence->get<int64_t>();
    auto unix = item.find("unix");
    if (unix != item.end()) {
      if (!unix->is_number_integer() || unix->get<int64_t>() < 0) {
        return Invalid(where + ".unix must be a non-negative integer (seconds since 1970)");
      }
      o.unix = unix->get<int64_t>();
    }
    request.outcomes.push_back(std::move(o));
  }
  return request;
}

Result<DeploymentRequest> ParseDeploymentRequest(const std::string& body) {
  TMM_ASSIGN_OR_RETURN(json object, ParseObject(body));
  static const char* const kFields[] = {"name",   "model",    "version", "variants", "policy",
                                        "target", "strategy", "split",   "gates"};
  for (const auto& item : object.items()) {
    const std::string& key = item.key();
    if (std::none_of(std::begin(kFields), std::end(kFields),
                     [&key](const char* f) { return key == f; })) {
      return Invalid("'" + key.substr(0, 64) + "' is not a deployment field (name, model, "
                     "version, variants, policy, target, strategy, split, gates)");
    }
  }
  DeploymentRequest request;
  TMM_RETURN_IF_ERROR(ReadString(object, "name", false, 128, request.name));
  TMM_RETURN_IF_ERROR(ReadString(object, "model", true, 64, request.model));
  TMM_RETURN_IF_ERROR(ReadString(object, "version", true, 64, request.version));
  if (!ValidName(request.model)) return Invalid("'model' must be a model name");
  if (request.version.empty()) return Invalid("'version' must not be empty");
  TMM_ASSIGN_OR_RETURN(request.variants, ReadStringList(object, "variants", 64, 64));
  TMM_RETURN_IF_ERROR(ReadObjectText(object, "policy", request.policy_json));
  if (auto target = object.find("target"); target != object.end() && !target->is_null()) {
    if (!target->is_object()) return Invalid("'target' must be an object {\"tags\": [...]}");
    for (const auto& [key, value] : target->items()) {
      if (key != "tags") return Invalid("'target." + key.substr(0, 64) + "' is not a target field (tags)");
    }
    TMM_ASSIGN_OR_RETURN(request.target_tags, ReadStringList(*target, "tags", 64, 64));
  }
  if (auto strategy = object.find("strategy"); strategy != object.end() && !strategy->is_null()) {
    if (!strategy->is_object()) return Invalid("'strategy' must be an object {\"type\": ...}");
    TMM_ASSIGN_OR_RETURN(request.strategy, ParseRolloutStrategy(strategy->dump(-1, ' ', false, json::error_handler_t::replace)));
  }
  if (auto split = object.find("split"); split != object.end() && !split->is_null()) {
    if (!split->is_object()) return Invalid("'split' must be an object {version, percent}");
    TMM_RETURN_IF_ERROR(ReadString(*split, "version", true, 64, request.split_version));
    auto percent = split->find("percent");
    if (request.split_version.empty() || percent == split->end() ||
        !percent->is_number_integer() || percent->get<int64_t>() < 1 ||
        percent->get<int64_t>() > 99) {
      return Invalid("'split' needs a version and a percent, an integer from 1 to 99");
    }
    request.split_percent = percent->get<int64_t>();
  }
  if (auto gates = object.find("gates"); gates != object.end() && !gates->is_null()) {
    if (!gates->is_object()) return Invalid("'gates' must be an object of health gates");
    TMM_ASSIGN_OR_RETURN(request.gates, ParseHealthGates(gates->dump(-1, ' ', false, json::error_handler_t::replace)));
  }
  if (request.name.empty()) request.name = request.model + " " + request.version;
  return request;
}

Result<std::string> ParseRollbackRequest(const std::string& body) {
  std::string reason;
  if (body.empty()) return reason;
  TMM_ASSIGN_OR_RETURN(json object, ParseObject(body));
  TMM_RETURN_IF_ERROR(ReadString(object, "reason", false, 1024, reason));
  return reason;
}

Result<std::string> ParseTagsRequest(const std::string& body) {
  TMM_ASSIGN_OR_RETURN(json object, ParseObject(body));
  auto tags = object.find("tags");
  if (tags == object.end() || !tags->is_array() || tags->size() > 64) {
    return Invalid("'tags' must be an array of at most 64 strings");
  }
  for (const auto& tag : *tags) {
    if (!tag.is_string() || tag.get_ref<const std::string&>().empty() ||
        tag.get_ref<const std::string&>().size() > 64) {
      return Invalid("each tag must be a string of 1 to 64 bytes");
    }
  }
  return tags->dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<VariantUpload> ParseVariantUpload(const std::map<std::string, std::string>& query) {
  VariantUpload upload;
  auto get = [&](const char* name) {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  };
  upload.dtype = get("dtype");
  if (upload.dtype.empty() || upload.dtype.size() > 16 || !ValidName(upload.dtype)) {
    return Invalid("the query parameter dtype is required (e.g. int8, float32)");
  }
  if (const std::string arena = get("arena_bytes"); !arena.empty()) {
    TMM_ASSIGN_OR_RETURN(uint64_t bytes, ParseDecimal(arena, "arena_bytes"));
    if (bytes > (1ull << 40)) return Invalid("arena_bytes is beyond 1 TiB");
    upload.arena_bytes = static_cast<int64_t>(bytes);
  }
  json ops = json::array();
  const std::string listed = get("ops");
  size_t start = 0;
  while (start < listed.size()) {
    size_t end = listed.find(',', start);
    if (end == std::string::npos) end = listed.size();
    const std::string op = listed.substr(start, end - start);
    if (op.empty() || op.size() > 64 || ops.size() >= 512) {
      return Invalid("ops must be a comma-separated list of op names");
    }
    ops.push_back(op);
    start = end + 1;
  }
  upload.ops_json = ops.dump(-1, ' ', false, json::error_handler_t::replace);
  if (const std::string accuracy = get("accuracy"); !accuracy.empty()) {
    char* end = nullptr;
    const double value = std::strtod(accuracy.c_str(), &end);
    if (end != accuracy.c_str() + accuracy.size() || !std::isfinite(value) || value < 0 ||
        value > 1) {
      return Invalid("accuracy must be a number from 0 to 1");
    }
    upload.accuracy = value;
  }
  return upload;
}

Result<ByteRange> ParseByteRange(const std::string& header, uint64_t size) {
  const std::string prefix = "bytes=";
  if (header.rfind(prefix, 0) != 0 || header.find(',') != std::string::npos) {
    return Invalid("only a single 'bytes=' range is supported");
  }
  const std::string spec = header.substr(prefix.size());
  const size_t dash = spec.find('-');
  if (dash == std::string::npos) return Invalid("malformed Range");
  const std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
  ByteRange range;
  if (a.empty()) {  // the last N bytes
    TMM_ASSIGN_OR_RETURN(uint64_t n, ParseDecimal(b, "the Range suffix"));
    if (n == 0 || size == 0) {
      return Status::Error(StatusCode::kOutOfRange, "the range is empty");
    }
    range.length = n < size ? n : size;
    range.first = size - range.length;
    return range;
  }
  TMM_ASSIGN_OR_RETURN(uint64_t first, ParseDecimal(a, "the Range start"));
  uint64_t last = size == 0 ? 0 : size - 1;
  if (!b.empty()) {
    TMM_ASSIGN_OR_RETURN(uint64_t requested_last, ParseDecimal(b, "the Range end"));
    if (requested_last < first) return Invalid("the Range ends before it starts");
    if (requested_last < last) last = requested_last;
  }
  if (first >= size) {
    return Status::Error(StatusCode::kOutOfRange, "the range starts at %llu, beyond the %llu bytes",
                         static_cast<unsigned long long>(first),
                         static_cast<unsigned long long>(size));
  }
  range.first = first;
  range.length = last - first + 1;
  return range;
}

}  // namespace tinymlops::server
