// The `tinymlops package ...` commands: build, sign, encrypt, inspect, verify, delta,
// apply-delta. Each Add* function registers one verb under the `package` command; the verb
// prints its report (cli/command_output.h) and stores its outcome in `outcome`, which main
// turns into the exit code and the one-line error. Running a package on the device side is
// `tinymlops model run PACKAGE.tpkg --trust VENDOR.pub --keys DEVICE_DIR`
// (cli/package_opening.h).
#ifndef TINYMLOPS_CLI_PACKAGE_COMMANDS_H_
#define TINYMLOPS_CLI_PACKAGE_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "runtime/status.h"

namespace tinymlops::cli {

// Registers `package` and all its verbs on `app`.
void AddPackageCommands(CLI::App& app, Status& outcome);

void AddPackageBuildCommand(CLI::App& package, Status& outcome);
void AddPackageSignCommand(CLI::App& package, Status& outcome);
void AddPackageEncryptCommand(CLI::App& package, Status& outcome);
void AddPackageInspectCommand(CLI::App& package, Status& outcome);
void AddPackageVerifyCommand(CLI::App& package, Status& outcome);
void AddPackageDeltaCommand(CLI::App& package, Status& outcome);
void AddPackageApplyDeltaCommand(CLI::App& package, Status& outcome);

}  // namespace tinymlops::cli

#endif  // TINYMLOPS_CLI_PACKAGE_COMMANDS_H_
