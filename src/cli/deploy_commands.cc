// Operator commands of rollouts: `deploy create|list|status|pause|promote|rollback`
// (src/cli/control_plane_commands.h; the deployment model is docs/rollouts.md).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>
#include <thread>

#include "cli/command_output.h"
#include "cli/control_plane_commands.h"
#include "cli/named_number.h"
#include "cli/server_connection.h"
#include "toolchain/io/file_io.h"

namespace tinymlops::cli {
namespace {

struct DeployArguments {
  ServerConnection connection;
  std::string project, deployment, name, model, version, variants, policy_path, tags;
  std::string strategy = "all-at-once", stages, canary_tag = "canary", split_version, reason;
  int split_percent = 0;
  bool auto_promote = false, watch = false;
  double interval_seconds = 1;
  std::vector<std::string> gates;  // NAME=VALUE
};

std::vector<std::string> CommaList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

Result<nlohmann::json> DeploymentRequest(const DeployArguments& a) {
  nlohmann::json body = {{"model", a.model}, {"version", a.version}};
  if (!a.name.empty()) body["name"] = a.name;
  if (!a.variants.empty()) body["variants"] = CommaList(a.variants);
  if (!a.policy_path.empty()) {
    TMM_ASSIGN_OR_RETURN(std::string text, toolchain::ReadFile(a.policy_path));
    nlohmann::json policy = nlohmann::json::parse(text, nullptr, false);
    if (!policy.is_object()) {
      return Status::Error(StatusCode::kInvalidArgument,
                           "'%s' is not a JSON object: a policy is {\"rules\": [...], "
                           "\"default\": VARIANT} (docs/device-protocol.md)",
                           a.policy_path.c_str());
    }
    body["policy"] = policy;
  }
  body["target"] = nlohmann::json::object();
  if (!a.tags.empty()) body["target"]["tags"] = CommaList(a.tags);
  nlohmann::json strategy;
  std::string type = a.strategy;
  for (char& ch : type) ch = ch == '-' ? '_' : ch;
  strategy["type"] = type;
  if (type != "all_at_once") {
    nlohmann::json stages = nlohmann::json::array();
    for (const std::string& stage : CommaList(a.stages.empty() ? "10,50,100" : a.stages)) {
      char* end = nullptr;
      const long percent = std::strtol(stage.c_str(), &end, 10);
      if (*end != '\0' || percent < 1 || percent > 100) {
        return Status::Error(StatusCode::kInvalidArgument,
                             "--stages '%s': each stage is a percentage from 1 to 100",
                             a.stages.c_str());
      }
      stages.push_back(percent);
    }
    strategy["stages"] = stages;
    strategy["auto_promote"] = a.auto_promote;
    if (type == "canary") strategy["canary_tag"] = a.canary_tag;
  }
  body["strategy"] = strategy;
  if (!a.split_version.empty()) {
    body["split"] = {{"version", a.split_version}, {"percent", a.split_percent}};
  }
  nlohmann::json gates = nlohmann::json::object();
  for (const std::string& gate : a.gates) {
    const std::optional<NamedNumber> parsed = ParseNamedNumber(gate);
    if (!parsed) {
      return Status::Error(StatusCode::kInvalidArgument,
                           "--gate '%s' must be NAME=NUMBER, e.g. max_crash_rate=0.05",
                           gate.c_str());
    }
    // Whole numbers go as integers: counts such as min_reports must be.
    if (parsed->value == std::floor(parsed->value) && std::fabs(parsed->value) < 1e15) {
      gates[parsed->name] = static_cast<int64_t>(parsed->value);
    } else {
      gates[parsed->name] = parsed->value;
    }
  }
  if (!gates.empty()) body["gates"] = gates;
  return body;
}

std::string DeploymentPath(const DeployArguments& a) {
  return ProjectPath(a.project) + "/deployments/" + EscapeUrlPart(a.deployment);
}

bool Finished(const nlohmann::json& status) {
  const std::string state = status.value("state", "");
  return state == "completed" || state == "rolled_back";
}

// One line of progress: state, stage, device counts.
std::string ProgressLine(const nlohmann::json& status) {
  std::string line = status.value("state", std::string("?"));
  if (status.contains("stage") && status["stage"].is_number() && status.contains("stages") &&
      status["stages"].is_array() && !status["stages"].empty()) {
    const size_t stage = status["stage"].get<size_t>();
    line += " stage " + std::to_string(stage + 1) + "/" + std::to_string(status["stages"].size());
  }
  if (status.contains("counts") && status["counts"].is_object()) {
    for (const auto& [name, count] : status["counts"].items()) {
      if (count.is_number() && count.get<int64_t>() != 0) line += "  " + name + " " + count.dump();
    }
  }
  if (status.contains("rollback_reason") && status["rollback_reason"].is_string()) {
    line += "  (" + status["rollback_reason"].get<std::string>() + ")";
  }
  return line;
}

Status ShowStatus(const DeployArguments& a) {
  TMM_ASSIGN_OR_RETURN(nlohmann::json status, CallServer(a.connection, "GET", DeploymentPath(a), ""));
  if (a.watch) {
    std::string last;
    while (true) {
      const std::string line = ProgressLine(status);
      if (line != last) std::fprintf(stderr, "%s\n", line.c_str());
      last = line;
      if (Finished(status)) break;
      std::this_thread::sleep_for(std::chrono::duration<double>(a.interval_seconds));
      TMM_ASSIGN_OR_RETURN(status, CallServer(a.connection, "GET", DeploymentPath(a), ""));
    }
  }
  PrintReport(ReportOf(status), a.connection.json);
  return Status::Ok();
}

}  // namespace

void AddDeployCommands(CLI::App& app, Status& outcome) {
  auto a = std::make_shared<DeployArguments>();
  CLI::App* deploy = app.add_subcommand("deploy", "Deployments and their rollouts");
  deploy->require_subcommand(1);
  auto verb = [&](const char* name, const char* help, bool names_deployment) {
    CLI::App* command = deploy->add_subcommand(name, help);
    AddConnectionOptions(command, a->connection);
    command->add_option("-p,--project", a->project, "Project name")->required();
    if (names_deployment) {
      command->add_option("DEPLOYMENT", a->deployment, "Deployment id (dep_...)")->required();
    }
    return command;
  };

  CLI::App* create = verb("create", "Roll a model version out to the devices a target selects",
                          false);
  create->add_option("-m,--model", a->model, "Model name")->required();
  create->add_option("--version", a->version, "Model version, e.g. 1.1.0")->required();
  create->add_option("--name", a->name, "A name for the deployment (default \"MODEL VERSION\")");
  create->add_option("--variants", a->variants,
                     "Comma-separated variants to ship (default: all of the version)");
  create->add_option("--policy", a->policy_path,
                     "JSON file of the variant selection policy devices evaluate locally");
  create->add_option("--tags", a->tags, "Target the devices having all these tags (default all)");
  create->add_option("--strategy", a->strategy, "all-at-once, staged or canary")
      ->capture_default_str()
      ->check(CLI::IsMember({"all-at-once", "all_at_once", "staged", "canary"}));
  create->add_option("--stages", a->stages,
                     "Percentages of the target per stage (staged, canary; default 10,50,100)");
  create->add_option("--canary-tag", a->canary_tag, "Devices tagged so go first (canary)")
      ->capture_default_str();
  create->add_flag("--auto-promote", a->auto_promote,
                   "Promote to the next stage once the stage's devices reported and the health "
                   "gates pass");
  create->add_option("--split-version", a->split_version,
                     "A/B: a second version that --split-percent of the devices get");
  create->add_option("--split-percent", a->split_percent, "A/B: percent on --split-version")
      ->check(CLI::Range(0, 100));
  create->add_option("--gate", a->gates,
                     "A health gate NAME=VALUE (repeatable): max_install_failure_rate, "
                     "max_self_test_failure_rate, max_crash_rate, max_latency_regression, "
                     "min_reports")
      ->allow_extra_args(false);  // one value per --flag, so positionals may follow
  create->callback([a, &outcome] {
    auto body = DeploymentRequest(*a);
    outcome = body.ok() ? CallServerAndReport(a->connection, "POST",
                                              ProjectPath(a->project) + "/deployments",
                                              body->dump())
                        : body.status();
  });

  verb("list", "List the project's deployments, newest first", false)->callback([a, &outcome] {
    outcome = CallServerAndReport(a->connection, "GET", ProjectPath(a->project) + "/deployments");
  });
  CLI::App* status = verb("status", "A deployment's state, stage, device counts and history", true);
  status->add_flag("--watch", a->watch,
                   "Print a line at each change until the rollout completes or is rolled back");
  status->add_option("--interval", a->interval_seconds, "Seconds between polls with --watch")
      ->capture_default_str()
      ->check(CLI::Range(0.05, 3600.0));
  status->callback([a, &outcome] { outcome = ShowStatus(*a); });
  verb("pause", "Pause a rollout: devices not yet reached are not offered it", true)
      ->callback([a, &outcome] {
        outcome = CallServerAndReport(a->connection, "POST", DeploymentPath(*a) + "/pause", "{}");
      });
  verb("promote", "Move a rollout to its next stage now (also resumes a paused one)", true)
      ->callback([a, &outcome] {
        outcome = CallServerAndReport(a->connection, "POST", DeploymentPath(*a) + "/promote", "{}");
      });
  CLI::App* rollback = verb("rollback", "Send every device back to the version it had before", true);
  rollback->add_option("--reason", a->reason, "Why (recorded in the deployment's history)");
  rollback->callback([a, &outcome] {
    outcome = CallServerAndReport(a->connection, "POST", DeploymentPath(*a) + "/rollback",
                                  nlohmann::json{{"reason", a->reason}}.dump());
  });
}

}  // namespace tinymlops::cli
