// How the operator commands talk to a tinymlops-server: the connection options every such
// command takes (--server URL, default $TINYMLOPS_SERVER else http://127.0.0.1:8080; --token T,
// default $TINYMLOPS_TOKEN; --json), one request with the server's JSON answer, and the
// escaping of path segments and query values.
// Errors: the server cannot be reached (kIoError), or refused the request: the message is the
// server's {"error"} with its HTTP status (kNotFound for 404, kFailedPrecondition otherwise),
// and for 401 it says how to pass a token.
// Thread-safety: pure functions over the caller's connection.
#ifndef TINYMLOPS_CLI_SERVER_CONNECTION_H_
#define TINYMLOPS_CLI_SERVER_CONNECTION_H_

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/json_value.h"
#include "runtime/status.h"

namespace tinymlops::cli {

struct ServerConnection {
  std::string server;
  std::string token;
  bool json = false;
};

// Adds --server, --token and --json to `command`, with their defaults from the environment.
void AddConnectionOptions(CLI::App* command, ServerConnection& connection);

// Sends one request and returns the server's JSON answer.
Result<nlohmann::json> CallServer(const ServerConnection& connection, const std::string& method,
                                  const std::string& target, const std::string& body,
                                  const std::string& content_type = "application/json");
// CallServer, then prints the answer as the command's report (text, or JSON with --json).
Status CallServerAndReport(const ServerConnection& connection, const std::string& method,
                           const std::string& target, const std::string& body = "");

// The server's answer as a report value.
JsonValue ReportOf(const nlohmann::json& value);
// `text` escaped for a path segment or a query value.
std::string EscapeUrlPart(const std::string& text);
// "/v1/projects/P" with P escaped.
std::string ProjectPath(const std::string& project);

}  // namespace tinymlops::cli

#endif  // TINYMLOPS_CLI_SERVER_CONNECTION_H_
