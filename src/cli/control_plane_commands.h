// The operator's commands against a tinymlops-server (the control plane), over its HTTP API:
//   tinymlops project create NAME | project list
//   tinymlops token create NAME --project P --role viewer|deployer|admin
//   tinymlops token list --project P | token revoke ID --project P
//   tinymlops trust add KEY.pub --project P            (a vendor key the server verifies with)
//   tinymlops enrollment create --project P [--ttl S]  (a single-use device enrollment token)
//   tinymlops model publish PACKAGE.tpkg:MODEL.tmm... --project P [--accuracy VARIANT=X]
//   tinymlops variant upload PACKAGE.tpkg --project P --dtype D [--arena-bytes --ops --accuracy]
//   tinymlops variant list --project P --model M
//   tinymlops device list --project P | device show DEVICE | device tag DEVICE --tags a,b
//   tinymlops deploy create --project P --model M --version V [strategy, target, policy, gates]
//   tinymlops deploy list | status DEP [--watch] | pause DEP | promote DEP | rollback DEP
// Each takes --server URL (default $TINYMLOPS_SERVER, else http://127.0.0.1:8080), --token T
// (default $TINYMLOPS_TOKEN) and --json (cli/server_connection.h), and reports the server's
// answer. A refusal by the server is a failed command whose message is the server's {"error"}
// with its HTTP status. `model publish` and `device` join the nouns of the offline commands, so
// AddControlPlaneCommands runs after AddModelCommands and AddDeviceCommands.
#ifndef TINYMLOPS_CLI_CONTROL_PLANE_COMMANDS_H_
#define TINYMLOPS_CLI_CONTROL_PLANE_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "runtime/status.h"

namespace tinymlops::cli {

void AddControlPlaneCommands(CLI::App& app, Status& outcome);

// The groups it adds (one file each).
void AddProjectCommands(CLI::App& app, Status& outcome);   // project, token, trust, enrollment
void AddRegistryCommands(CLI::App& app, Status& outcome);  // model publish, variant
void AddFleetCommands(CLI::App& app, Status& outcome);     // device list|show|tag
void AddDeployCommands(CLI::App& app, Status& outcome);    // deploy

}  // namespace tinymlops::cli

#endif  // TINYMLOPS_CLI_CONTROL_PLANE_COMMANDS_H_
