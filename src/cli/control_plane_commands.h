// The operator's commands against a tinymlops-server (the control plane), over its HTTP API:
//   tinymlops project create NAME | project list
//   tinymlops token create NAME --project P --role viewer|deployer|admin
//   tinymlops token list --project P | token revoke ID --project P
//   tinymlops trust add KEY.pub --project P            (a vendor key the server verifies with)
//   tinymlops enrollment create --project P [--ttl S]  (a single-use device enrollment token)
//   tinymlops variant upload PACKAGE.tpkg --project P --dtype D [--arena-bytes --ops --accuracy]
//   tinymlops variant list --project P --model M
//   tinymlops fleet list --project P | fleet show DEVICE --project P
// Each takes --server URL (default $TINYMLOPS_SERVER, else http://127.0.0.1:8080), --token T
// (default $TINYMLOPS_TOKEN) and --json, and reports the server's answer. A refusal by the
// server is a failed command whose message is the server's {"error"} with its HTTP status.
#ifndef TINYMLOPS_CLI_CONTROL_PLANE_COMMANDS_H_
#define TINYMLOPS_CLI_CONTROL_PLANE_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "runtime/status.h"

namespace tinymlops::cli {

void AddControlPlaneCommands(CLI::App& app, Status& outcome);

}  // namespace tinymlops::cli

#endif  // TINYMLOPS_CLI_CONTROL_PLANE_COMMANDS_H_
