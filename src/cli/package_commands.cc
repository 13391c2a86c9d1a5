#include "cli/package_commands.h"

namespace tinymlops::cli {

void AddPackageCommands(CLI::App& app, Status& outcome) {
  CLI::App* package = app.add_subcommand(
      "package", "Build, sign, encrypt, inspect and verify model packages (.tmm -> .tpkg), and deltas");
  package->require_subcommand(1);
  AddPackageBuildCommand(*package, outcome);
  AddPackageSignCommand(*package, outcome);
  AddPackageEncryptCommand(*package, outcome);
  AddPackageInspectCommand(*package, outcome);
  AddPackageVerifyCommand(*package, outcome);
  AddPackageDeltaCommand(*package, outcome);
  AddPackageApplyDeltaCommand(*package, outcome);
}

}  // namespace tinymlops::cli
