#include "cli/control_plane_commands.h"

namespace tinymlops::cli {

void AddControlPlaneCommands(CLI::App& app, Status& outcome) {
  AddProjectCommands(app, outcome);
  AddRegistryCommands(app, outcome);
  AddFleetCommands(app, outcome);
  AddDeployCommands(app, outcome);
}

}  // namespace tinymlops::cli
