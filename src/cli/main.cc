// tinymlops: the command-line tool (noun-verb: `tinymlops model import`, ...). Every command
// prints a report (text, or JSON with --json) and exits 0, or prints one line "error: ..." on
// stderr and exits 1 (the command failed) or 2 (the command line was wrong).
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/command_output.h"
#include "cli/control_plane_commands.h"
#include "cli/key_commands.h"
#include "cli/model_commands.h"
#include "cli/package_commands.h"

namespace {

// "tinymlops model run": the deepest command the user named, for pointing at its --help.
std::string CommandPath(const CLI::App& app) {
  std::string path = app.get_name();
  const CLI::App* current = &app;
  while (true) {
    const auto chosen = current->get_subcommands();
    if (chosen.empty()) return path;
    current = chosen.front();
    path += " " + current->get_name();
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tinymlops: operate machine-learning models on fleets of edge devices", "tinymlops"};
  app.set_version_flag("--version", "tinymlops 0.1.0");
  app.require_subcommand(1);
  app.footer("Exit status: 0 success, 1 the command failed, 2 the command line was wrong.");
  tinymlops::Status outcome;
  tinymlops::cli::AddModelCommands(app, outcome);
  tinymlops::cli::AddPackageCommands(app, outcome);
  tinymlops::cli::AddKeysCommands(app, outcome);
  tinymlops::cli::AddDeviceCommands(app, outcome);
  tinymlops::cli::AddControlPlaneCommands(app, outcome);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success))
      return app.exit(error);  // --help, --version
    // An unknown verb is left over as an extra argument of its noun: name it.
    const std::vector<std::string> unmatched = app.remaining(true);
    const std::string reason = !unmatched.empty() && dynamic_cast<const CLI::RequiredError*>(&error)
                                   ? "unknown command '" + unmatched.front() + "'"
                                   : std::string(error.what());
    tinymlops::cli::PrintError(reason + "; run '" + CommandPath(app) + " --help' for usage");
    return tinymlops::cli::kExitUsage;
  }
  if (!outcome.ok()) {
    tinymlops::cli::PrintError(outcome.message());
    return tinymlops::cli::kExitFailure;
  }
  return tinymlops::cli::kExitSuccess;
}
