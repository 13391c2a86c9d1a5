// The `tinymlops model ...` commands: import, quantize, inspect, run, bench. Each Add* function
// registers one verb under the `model` command; when CLI11 runs the verb, the verb prints its
// report (cli/command_output.h) and stores its outcome in `outcome`, which main turns into the
// exit code and the one-line error.
#ifndef TINYMLOPS_CLI_MODEL_COMMANDS_H_
#define TINYMLOPS_CLI_MODEL_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "runtime/status.h"

namespace tinymlops::cli {

// Registers `model` and all its verbs on `app`.
void AddModelCommands(CLI::App& app, Status& outcome);

void AddModelImportCommand(CLI::App& model, Status& outcome);
void AddModelQuantizeCommand(CLI::App& model, Status& outcome);
void AddModelInspectCommand(CLI::App& model, Status& outcome);
void AddModelRunCommand(CLI::App& model, Status& outcome);
void AddModelBenchCommand(CLI::App& model, Status& outcome);

}  // namespace tinymlops::cli

#endif  // TINYMLOPS_CLI_MODEL_COMMANDS_H_
