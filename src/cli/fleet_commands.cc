// Operator commands of the fleet: `device list|show|tag` (src/cli/control_plane_commands.h).
// They join the `device` noun that also holds `device keygen` (cli/key_commands.h).
#include <memory>
#include <sstream>

#include "cli/control_plane_commands.h"
#include "cli/server_connection.h"

namespace tinymlops::cli {
namespace {

struct FleetArguments {
  ServerConnection connection;
  std::string project, device, tags;
};

nlohmann::json TagList(const std::string& comma_separated) {
  nlohmann::json tags = nlohmann::json::array();
  std::stringstream in(comma_separated);
  for (std::string tag; std::getline(in, tag, ',');) {
    if (!tag.empty()) tags.push_back(tag);
  }
  return tags;
}

}  // namespace

void AddFleetCommands(CLI::App& app, Status& outcome) {
  auto a = std::make_shared<FleetArguments>();
  CLI::App* device = app.get_subcommand("device");
  auto verb = [&](const char* name, const char* help) {
    CLI::App* command = device->add_subcommand(name, help);
    AddConnectionOptions(command, a->connection);
    command->add_option("-p,--project", a->project, "Project name")->required();
    return command;
  };
  verb("list", "List the project's devices")->callback([a, &outcome] {
    outcome = CallServerAndReport(a->connection, "GET", ProjectPath(a->project) + "/devices");
  });
  CLI::App* show = verb("show", "Show one device: profile, context, health, slots, last seen");
  show->add_option("DEVICE", a->device, "Device id")->required();
  show->callback([a, &outcome] {
    outcome = CallServerAndReport(a->connection, "GET",
                                  ProjectPath(a->project) + "/devices/" +
                                      EscapeUrlPart(a->device));
  });
  CLI::App* tag = verb("tag", "Set a device's tags (deployments target devices by tag)");
  tag->add_option("DEVICE", a->device, "Device id")->required();
  tag->add_option("--tags", a->tags, "Comma-separated tags, e.g. eu,canary ('' clears them)")
      ->required();
  tag->callback([a, &outcome] {
    outcome = CallServerAndReport(
        a->connection, "PUT", ProjectPath(a->project) + "/devices/" + EscapeUrlPart(a->device) +
                                  "/tags",
        nlohmann::json{{"tags", TagList(a->tags)}}.dump());
  });
}

}  // namespace tinymlops::cli
