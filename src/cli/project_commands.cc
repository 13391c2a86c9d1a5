// Operator commands of tenancy: projects, API tokens, trusted vendor keys, device enrollment
// tokens (src/cli/control_plane_commands.h lists them).
#include <memory>

#include "cli/control_plane_commands.h"
#include "cli/server_connection.h"
#include "crypto/key_file.h"

namespace tinymlops::cli {
namespace {

struct ProjectArguments {
  ServerConnection connection;
  std::string name, project, role, path;
  int64_t ttl = 3600;
};

std::string Hex(const crypto::SigningPublicKey& key) {
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (uint8_t b : key.bytes()) hex += std::string{kHex[b >> 4], kHex[b & 15]};
  return hex;
}

}  // namespace

void AddProjectCommands(CLI::App& app, Status& outcome) {
  auto a = std::make_shared<ProjectArguments>();
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
    outcome = CallServerAndReport(a->connection, "POST", "/v1/projects",
                                  nlohmann::json{{"name", a->name}}.dump());
  });
  verb(project, "list", "List the projects the token can see")->callback([a, &outcome] {
    outcome = CallServerAndReport(a->connection, "GET", "/v1/projects");
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
    outcome = CallServerAndReport(a->connection, "POST", ProjectPath(a->project) + "/tokens",
                                  nlohmann::json{{"name", a->name}, {"role", a->role}}.dump());
  });
  CLI::App* token_list = verb(token, "list", "List a project's tokens (never their secrets)");
  project_option(token_list);
  token_list->callback([a, &outcome] {
    outcome = CallServerAndReport(a->connection, "GET", ProjectPath(a->project) + "/tokens");
  });
  CLI::App* token_revoke = verb(token, "revoke", "Revoke a project token at once");
  token_revoke->add_option("ID", a->name, "The token's id (tok_...)")->required();
  project_option(token_revoke);
  token_revoke->callback([a, &outcome] {
    outcome = CallServerAndReport(a->connection, "DELETE",
                                  ProjectPath(a->project) + "/tokens/" + EscapeUrlPart(a->name));
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
    const std::string name = a->name.empty() ? a->path : a->name;
    outcome = CallServerAndReport(a->connection, "POST", ProjectPath(a->project) + "/keys",
                                  nlohmann::json{{"name", name}, {"public_key", Hex(*key)}}.dump());
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
    outcome = CallServerAndReport(a->connection, "POST",
                                  ProjectPath(a->project) + "/enrollment-tokens",
                                  nlohmann::json{{"ttl_seconds", a->ttl}}.dump());
  });
}

}  // namespace tinymlops::cli
