#include "cli/server_connection.h"

#include <cctype>
#include <cstdlib>
#include <map>

#include "cli/command_output.h"
#include "server/client/api_client.h"

namespace tinymlops::cli {
namespace {

std::string EnvironmentOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

void AddConnectionOptions(CLI::App* command, ServerConnection& c) {
  c.server = EnvironmentOr("TINYMLOPS_SERVER", "http://127.0.0.1:8080");
  c.token = EnvironmentOr("TINYMLOPS_TOKEN", "");
  command->add_option("--server", c.server, "Server URL (default $TINYMLOPS_SERVER)")
      ->capture_default_str();
  command->add_option("--token", c.token, "Operator API token (default $TINYMLOPS_TOKEN)");
  command->add_flag("--json", c.json, "Print the report as JSON");
}

Result<nlohmann::json> CallServer(const ServerConnection& c, const std::string& method,
                                  const std::string& target, const std::string& body,
                                  const std::string& content_type) {
  std::map<std::string, std::string> headers = {{"Content-Type", content_type}};
  if (!c.token.empty()) headers["Authorization"] = "Bearer " + c.token;
  TMM_ASSIGN_OR_RETURN(server::ApiResponse response,
                       server::CallApi(c.server, method, target, body, headers));
  nlohmann::json parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status >= 400) {
    const std::string reason = parsed.is_object() && parsed.contains("error") &&
                                       parsed["error"].is_string()
                                   ? parsed["error"].get<std::string>()
                                   : response.body;
    const StatusCode code =
        response.status == 404 ? StatusCode::kNotFound : StatusCode::kFailedPrecondition;
    return Status::Error(code, "the server answered %d: %s%s", response.status, reason.c_str(),
                         response.status == 401 ? " (pass --token or set TINYMLOPS_TOKEN)" : "");
  }
  if (parsed.is_discarded()) {
    return Status::Error(StatusCode::kIoError, "the server's answer is not JSON: %.80s",
                         response.body.c_str());
  }
  return parsed;
}

Status CallServerAndReport(const ServerConnection& c, const std::string& method,
                           const std::string& target, const std::string& body) {
  TMM_ASSIGN_OR_RETURN(nlohmann::json answer, CallServer(c, method, target, body));
  PrintReport(ReportOf(answer), c.json);
  return Status::Ok();
}

JsonValue ReportOf(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::boolean: return JsonValue(value.get<bool>());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return JsonValue(value.get<int64_t>());
    case nlohmann::json::value_t::number_float: return JsonValue(value.get<double>());
    case nlohmann::json::value_t::string: return JsonValue(value.get<std::string>());
    case nlohmann::json::value_t::array: {
      JsonValue array = JsonValue::Array();
      for (const auto& element : value) array.Append(ReportOf(element));
      return array;
    }
    case nlohmann::json::value_t::object: {
      JsonValue object = JsonValue::Object();
      for (const auto& [key, element] : value.items()) object.Set(key, ReportOf(element));
      return object;
    }
    default: return JsonValue();
  }
}

std::string EscapeUrlPart(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

std::string ProjectPath(const std::string& project) {
  return "/v1/projects/" + EscapeUrlPart(project);
}

}  // namespace tinymlops::cli
