#include "cli/control_plane_commands.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/command_output.h"
#include "cli/package_files.h"
#include "crypto/key_file.h"
#include "server/client/api_client.h"

namespace tinymlops::cli {
namespace {

struct Connection {
  std::string server;
  std::string token;
  bool json = false;
};

std::string EnvironmentOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

void AddConnectionOptions(CLI::App* command, Connection& c) {
  c.server = EnvironmentOr("TINYMLOPS_SERVER", "http://127.0.0.1:8080");
  c.token = EnvironmentOr("TINYMLOPS_TOKEN", "");
  command->add_option("--server", c.server, "Server URL (default $TINYMLOPS_SERVER)")
      ->capture_default_str();
  command->add_option("--token", c.token, "Operator API token (default $TINYMLOPS_TOKEN)");
  command->add_flag("--json", c.json, "Print the report as JSON");
}

JsonValue ToReport(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::boolean: return JsonValue(value.get<bool>());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return JsonValue(value.get<int64_t>());
    case nlohmann::json::value_t::number_float: return JsonValue(value.get<double>());
    case nlohmann::json::value_t::string: return JsonValue(value.get<std::string>());
    case nlohmann::json::value_t::array: {
      JsonValue array = JsonValue::Array();
      for (const auto& element : value) array.Append(ToReport(element));
      return array;
    }
    case nlohmann::json::value_t::object: {
      JsonValue object = JsonValue::Object();
      for (const auto& [key, element] : value.items()) object.Set(key, ToReport(element));
      return object;
    }
    default: return JsonValue();
  }
}

// Sends one request; on success prints the server's JSON answer as the report.
Status Request(const Connection& c, const std::string& method, const std::string& target,
               const std::string& body, const std::string& content_type = "application/json",
               bool print = true, nlohmann::json* answer = nullptr) {
  std::map<std::string, std::string> headers = {{"Content-Type", content_type}};
  if (!c.token.empty()) headers["Authorization"] = "Bearer " + c.token;
  TMM_ASSIGN_OR_RETURN(server::ApiResponse response,
                       server::CallApi(c.server, method, target, body, headers));
  const nlohmann::json parsed = nlohmann::json::parse(response.body, nullptr, false);
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
  if (answer != nullptr) *answer = parsed;
  if (print) PrintReport(ToReport(parsed), c.json);
  return Status::Ok();
}

Result<std::string> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(StatusCode::kNotFound, "cannot read '%s'", path.c_str());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string Escape(const std::string& text) {  // for a path segment or query value
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

struct Arguments {
  Connection connection;
  std::string name, project, role, path, model, dtype, ops, device;
  int64_t ttl = 3600, arena_bytes = 0;
  double accuracy = -1;
};

Status UploadVariant(const Arguments& a) {
  TMM_ASSIGN_OR_RETURN(format::PackageContents package, ReadPackageUnverified(a.path));
  TMM_ASSIGN_OR_RETURN(std::string bytes, ReadBytes(a.path));
  const auto& m = package.manifest;
  std::string target = "/v1/projects/" + Escape(a.project) + "/models/" + Escape(m.model_id) +
                       "/versions/" + Escape(m.version) + "/variants/" + Escape(m.variant) +
                       "?dtype=" + Escape(a.dtype) + "&arena_bytes=" +
                       std::to_string(a.arena_bytes);
  if (!a.ops.empty()) target += "&ops=" + Escape(a.ops);
  if (a.accuracy >= 0) target += "&accuracy=" + std::to_string(a.accuracy);
  // The model is created on its first upload.
  const nlohmann::json model = {{"name", m.model_id}};
  Status created = Request(a.connection, "POST", "/v1/projects/" + Escape(a.project) + "/models",
                           model.dump(), "application/json", false);
  if (!created.ok() && std::string(created.message()).find("already exists") == std::string::npos) {
    return created;
  }
  return Request(a.connection, "PUT", target, bytes, "application/octet-stream");
}

}  // namespace

void AddControlPlaneCommands(CLI::App& app, Status& outcome) {
  auto a = std::make_shared<Arguments>();
  auto verb = [&](CLI::App* noun, const char* name, const char* help) {
    CLI::App* command = noun->add_subcommand(name, help);
    AddConnectionOptions(command, a->connection);
    return command;
  };
  auto project_option = [&](CLI::App* command) {
    command->add_option("-p,--project", a->project, "Project name")->required();
  };

  CLI::App* project = app.add_subcommand("project", "Projects on a tinymlops-server");
  project->require_subcommand(1);
  CLI::App* create = verb(project, "create", "Create a project (server-wide admin token)");
  create->add_option("NAME", a->name, "Project name: [a-z0-9._-], e.g. acme")->required();
  create->callback([a, &outcome] {
    outcome = Request(a->connection, "POST", "/v1/projects",
                      nlohmann::json{{"name", a->name}}.dump());
  });
  verb(project, "list", "List the projects the token can see")->callback([a, &outcome] {
    outcome = Request(a->connection, "GET", "/v1/projects", "");
  });

  CLI::App* token = app.add_subcommand("token", "Operator API tokens");
  token->require_subcommand(1);
  CLI::App* token_create = verb(token, "create", "Create a project token; it is shown once");
  token_create->add_option("NAME", a->name, "What the token is for, e.g. ci")->required();
  project_option(token_create);
  token_create->add_option("--role", a->role, "viewer, deployer or admin")
      ->required()
      ->check(CLI::IsMember({"viewer", "deployer", "admin"}));
  token_create->callback([a, &outcome] {
    outcome = Request(a->connection, "POST", "/v1/projects/" + Escape(a->project) + "/tokens",
                      nlohmann::json{{"name", a->name}, {"role", a->role}}.dump());
  });

  CLI::App* token_list = verb(token, "list", "List a project's tokens (never their secrets)");
  project_option(token_list);
  token_list->callback([a, &outcome] {
    outcome = Request(a->connection, "GET", "/v1/projects/" + Escape(a->project) + "/tokens", "");
  });
  CLI::App* token_revoke = verb(token, "revoke", "Revoke a project token at once");
  token_revoke->add_option("ID", a->name, "The token's id (tok_...)")->required();
  project_option(token_revoke);
  token_revoke->callback([a, &outcome] {
    outcome = Request(a->connection, "DELETE",
                      "/v1/projects/" + Escape(a->project) + "/tokens/" + Escape(a->name), "");
  });

  CLI::App* trust = app.add_subcommand("trust", "Vendor keys a project trusts");
  trust->require_subcommand(1);
  CLI::App* trust_add = verb(trust, "add", "Trust a vendor public key (NAME.pub) for packages");
  trust_add->add_option("KEY", a->path, "The vendor's public key file")->required();
  project_option(trust_add);
  trust_add->add_option("--name", a->name, "A name for the key (default: the file name)");
  trust_add->callback([a, &outcome] {
    auto key = crypto::ReadPublicKeyFile(a->path);
    if (!key.ok()) {
      outcome = key.status();
      return;
    }
    std::string hex;
    static const char kHex[] = "0123456789abcdef";
    for (uint8_t b : key->bytes()) hex += std::string{kHex[b >> 4], kHex[b & 15]};
    const std::string name = a->name.empty() ? a->path : a->name;
    outcome = Request(a->connection, "POST", "/v1/projects/" + Escape(a->project) + "/keys",
                      nlohmann::json{{"name", name}, {"public_key", hex}}.dump());
  });

  CLI::App* enrollment = app.add_subcommand("enrollment", "Device enrollment tokens");
  enrollment->require_subcommand(1);
  CLI::App* enrollment_create =
      verb(enrollment, "create", "Create a single-use, expiring enrollment token");
  project_option(enrollment_create);
  enrollment_create->add_option("--ttl", a->ttl, "Seconds until it expires")
      ->capture_default_str()
      ->check(CLI::Range(1, 30 * 86400));
  enrollment_create->callback([a, &outcome] {
    outcome = Request(a->connection, "POST",
                      "/v1/projects/" + Escape(a->project) + "/enrollment-tokens",
                      nlohmann::json{{"ttl_seconds", a->ttl}}.dump());
  });

  CLI::App* variant = app.add_subcommand("variant", "Model variants in the registry");
  variant->require_subcommand(1);
  CLI::App* upload = verb(variant, "upload",
                          "Upload a signed package as the variant its manifest names (the server "
                          "re-verifies it)");
  upload->add_option("PACKAGE", a->path, "The .tpkg package")->required();
  project_option(upload);
  upload->add_option("--dtype", a->dtype, "The variant's dtype, e.g. int8, float32")->required();
  upload->add_option("--arena-bytes", a->arena_bytes, "The model's arena size")
      ->check(CLI::NonNegativeNumber);
  upload->add_option("--ops", a->ops, "Comma-separated ops the model uses");
  upload->add_option("--accuracy", a->accuracy, "Measured accuracy, 0 to 1")
      ->check(CLI::Range(0.0, 1.0));
  upload->callback([a, &outcome] { outcome = UploadVariant(*a); });
  CLI::App* variant_list = verb(variant, "list", "List a model's variants, newest first");
  project_option(variant_list);
  variant_list->add_option("-m,--model", a->model, "Model name")->required();
  variant_list->callback([a, &outcome] {
    outcome = Request(a->connection, "GET",
                      "/v1/projects/" + Escape(a->project) + "/models/" + Escape(a->model) +
                          "/variants",
                      "");
  });

  CLI::App* fleet = app.add_subcommand("fleet", "The devices of a project");
  fleet->require_subcommand(1);
  CLI::App* fleet_list = verb(fleet, "list", "List the project's devices");
  project_option(fleet_list);
  fleet_list->callback([a, &outcome] {
    outcome = Request(a->connection, "GET", "/v1/projects/" + Escape(a->project) + "/devices", "");
  });
  CLI::App* fleet_show = verb(fleet, "show", "Show one device: profile, context, health, slots");
  fleet_show->add_option("DEVICE", a->device, "Device id")->required();
  project_option(fleet_show);
  fleet_show->callback([a, &outcome] {
    outcome = Request(a->connection, "GET",
                      "/v1/projects/" + Escape(a->project) + "/devices/" + Escape(a->device), "");
  });
}

}  // namespace tinymlops::cli
