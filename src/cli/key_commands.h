// `tinymlops keys new` (a vendor signing key) and `tinymlops device keygen` (a device identity):
// both write an Ed25519 key pair as NAME.key (mode 0600) and NAME.pub (crypto/key_file.h),
// never replace an existing key, and report the key id and paths; the secret is never printed.
#ifndef TINYMLOPS_CLI_KEY_COMMANDS_H_
#define TINYMLOPS_CLI_KEY_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "runtime/status.h"

namespace tinymlops::cli {

void AddKeysCommands(CLI::App& app, Status& outcome);
void AddDeviceCommands(CLI::App& app, Status& outcome);

}  // namespace tinymlops::cli

#endif  // TINYMLOPS_CLI_KEY_COMMANDS_H_
