#include "server/api/request_bodies.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace tinymlops::server {
namespace {

using nlohmann::json;

Status Invalid(const std::string& message) {
  return Status::Error(StatusCode::kInvalidArgument, "%s", message.c_str());
}

// The deepest nesting of arrays and objects in `text` (outside strings); parsing and printing
// JSON recurse, so a body nested deeper than kMaxJsonDepth is refused before it is parsed.
constexpr int kMaxJsonDepth = 32;
int NestingDepth(const std::string& text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

Result<json> ParseObject(const std::string& body) {
  if (body.size() > kMaxJsonBodyBytes) return Invalid("the JSON body is larger than 1 MiB");
  if (NestingDepth(body) > kMaxJsonDepth) {
    return Invalid("the JSON body nests arrays and objects deeper than 32 levels");
  }
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Invalid("the body must be a JSON object");
  }
  return parsed;
}

// Reads an optional string field (at most `max` bytes); false with `error` set when mistyped.
Status ReadString(const json& object, const char* field, bool required, size_t max,
                  std::string& out) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) {
    if (required) return Invalid(std::string("'") + field + "' is required");
    return Status::Ok();
  }
  if (!it->is_string()) return Invalid(std::string("'") + field + "' must be a string");
  const auto& value = it->get_ref<const std::string&>();
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

Status CheckInstalled(const json& installed) {
  for (const auto& [slot, model] : installed.items()) {
    if (!model.is_object()) {
      return Invalid("installed." + slot + " must be an object {model, version, variant}");
    }
    for (const char* field : {"model", "version", "variant"}) {
      auto it = model.find(field);
      if (it != model.end() && !it->is_string()) {
        return Invalid("installed." + slot + "." + field + " must be a string");
      }
    }
  }
  return Status::Ok();
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
  DeviceReport report;
  TMM_RETURN_IF_ERROR(ReadObjectText(object, "profile", report.profile));
  TMM_RETURN_IF_ERROR(ReadObjectText(object, "context", report.context));
  TMM_RETURN_IF_ERROR(ReadObjectText(object, "health", report.health));
  TMM_RETURN_IF_ERROR(ReadObjectText(object, "installed", report.installed));
  if (!report.profile.empty()) TMM_RETURN_IF_ERROR(CheckProfile(object["profile"]));
  if (!report.context.empty()) TMM_RETURN_IF_ERROR(CheckContext(object["context"]));
  if (!report.installed.empty()) TMM_RETURN_IF_ERROR(CheckInstalled(object["installed"]));
  return report;
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
