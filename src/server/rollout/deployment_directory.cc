#include "server/rollout/deployment_directory.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "agent/variant_policy.h"
#include "server/auth/opaque_token.h"
#include "server/fleet/answer_revisions.h"
#include "server/fleet/device_directory.h"
#include "server/registry/model_registry.h"
#include "server/rollout/deployment_devices.h"

namespace tinymlops::server {
namespace {

using nlohmann::json;

constexpr const char* kDeploymentColumns =
    "SELECT id, project_id, name, model, version, variants, policy, target_tags, strategy, "
    "split_version, split_percent, gates, state, stage, revision, current, previous_id, "
    "rollback_reason, created_unix, updated_unix FROM deployments ";

std::vector<std::string> StringList(const std::string& text) {
  std::vector<std::string> out;
  const json parsed = json::parse(text, nullptr, false);
  if (!parsed.is_array()) return out;
  for (const auto& item : parsed) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::string ListJson(const std::vector<std::string>& list) {
  return json(list).dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<DeploymentRecord> FromRow(const Row& row) {
  DeploymentRecord d;
  d.id = row.Text(0);
  d.project_id = row.Text(1);
  d.name = row.Text(2);
  d.model = row.Text(3);
  d.version = row.Text(4);
  d.variants = StringList(row.Text(5));
  d.policy_json = row.Text(6);
  d.target_tags = StringList(row.Text(7));
  TMM_ASSIGN_OR_RETURN(d.strategy, ParseRolloutStrategy(row.Text(8)));
  d.split_version = row.Text(9);
  d.split_percent = row.Int(10);
  TMM_ASSIGN_OR_RETURN(d.gates, ParseHealthGates(row.Text(11)));
  if (!ParseDeploymentState(row.Text(12), &d.state)) {
    return Status::Error(StatusCode::kInternal, "deployment %s has an unknown state '%s'",
                         d.id.c_str(), row.Text(12).c_str());
  }
  d.stage = row.Int(13);
  d.revision = row.Int(14);
  d.current = row.Int(15) != 0;
  d.previous_id = row.Text(16);
  d.rollback_reason = row.Text(17);
  d.created_unix = row.Int(18);
  d.updated_unix = row.Int(19);
  return d;
}

Result<std::vector<DeploymentRecord>> Select(Transaction& tx, const std::string& where,
                                             const std::vector<SqlValue>& params) {
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kDeploymentColumns) + where, params));
  std::vector<DeploymentRecord> out;
  for (const Row& row : rows) {
    TMM_ASSIGN_OR_RETURN(DeploymentRecord d, FromRow(row));
    out.push_back(std::move(d));
  }
  return out;
}

std::string Names(const std::vector<VariantRecord>& variants) {
  std::string names;
  for (const VariantRecord& v : variants) names += (names.empty() ? "" : ", ") + v.name;
  return names;
}

// The variant names the deployment delivers, checked against the version's variants.
Result<std::vector<std::string>> ResolveVariants(const DeploymentRequest& request,
                                                 const std::vector<VariantRecord>& available) {
  std::vector<std::string> names;
  if (request.variants.empty()) {
    for (const VariantRecord& v : available) names.push_back(v.name);
    return names;
  }
  for (const std::string& wanted : request.variants) {
    const bool known = std::any_of(available.begin(), available.end(),
                                   [&](const VariantRecord& v) { return v.name == wanted; });
    if (!known) {
      return Status::Error(StatusCode::kInvalidArgument, "%s %s has no variant '%s' (it has: %s)",
                           request.model.c_str(), request.version.c_str(), wanted.c_str(),
                           Names(available).c_str());
    }
    if (std::find(names.begin(), names.end(), wanted) == names.end()) names.push_back(wanted);
  }
  return names;
}

// Adds a row for every device of the project the deployment targets.
Status AddTargetedDevices(Transaction& tx, const DeploymentRecord& d, int64_t now) {
  TMM_ASSIGN_OR_RETURN(std::vector<DeviceRecord> devices, ListDevices(tx, d.project_id));
  std::map<std::string, std::vector<VariantRecord>> delivered;  // by version
  std::vector<DeploymentDevice> rows;
  for (const DeviceRecord& device : devices) {
    if (!DeploymentTargets(d, device)) continue;
    const std::string version = AssignedVersion(d, device.id);
    auto variants = delivered.find(version);
    if (variants == delivered.end()) {
      TMM_ASSIGN_OR_RETURN(std::vector<VariantRecord> list, DeliveredVariants(tx, d, version));
      variants = delivered.emplace(version, std::move(list)).first;
    }
    rows.push_back(NewDeploymentDevice(d, device, variants->second, now));
  }
  return InsertDeploymentDevices(tx, rows).status();
}

Status InsertHistory(Transaction& tx, const DeploymentRecord& d, const std::string& from,
                     const std::string& reason, const std::string& actor, int64_t now) {
  return tx
      .Execute(
          "INSERT INTO deployment_history (deployment_id, revision, unix, from_state, "
          "to_state, stage, reason, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          {d.id, d.revision, now, from, std::string(DeploymentStateName(d.state)), d.stage, reason,
           actor})
      .status();
}

Status AlreadyActive(const std::string& model, const std::string& id, const char* state) {
  return Status::Error(StatusCode::kFailedPrecondition,
                       "the model %s already has an active deployment %s (%s): let it complete "
                       "or roll it back first",
                       model.c_str(), id.c_str(), state);
}

}  // namespace

Result<DeploymentRecord> CreateDeployment(Transaction& tx, const std::string& project_id,
                                          const DeploymentRequest& request,
                                          const std::string& actor, int64_t now) {
  TMM_RETURN_IF_ERROR(FindModelId(tx, project_id, request.model).status());
  TMM_ASSIGN_OR_RETURN(auto available,
                       ListVersionVariants(tx, project_id, request.model, request.version));
  if (available.empty()) {
    return Status::Error(StatusCode::kNotFound,
                         "%s has no version %s in this project: upload its variants first",
                         request.model.c_str(), request.version.c_str());
  }
  DeploymentRecord d;
  d.id = NewRecordId("dep_");
  d.project_id = project_id;
  d.name = request.name;
  d.model = request.model;
  d.version = request.version;
  TMM_ASSIGN_OR_RETURN(d.variants, ResolveVariants(request, available));
  if (!request.policy_json.empty()) {
    TMM_RETURN_IF_ERROR(agent::ParseVariantPolicy(request.policy_json, d.variants).status());
    d.policy_json = request.policy_json;
  }
  d.target_tags = request.target_tags;
  d.strategy = request.strategy;
  if (!request.split_version.empty()) {
    if (request.split_version == request.version) {
      return Status::Error(StatusCode::kInvalidArgument,
                           "'split.version' must differ from the deployment's version");
    }
    TMM_ASSIGN_OR_RETURN(auto split,
                         ListVersionVariants(tx, project_id, request.model, request.split_version));
    if (split.empty()) {
      return Status::Error(StatusCode::kNotFound,
                           "%s has no version %s (the split version) in this project",
                           request.model.c_str(), request.split_version.c_str());
    }
    d.split_version = request.split_version;
    d.split_percent = request.split_percent;
  }
  d.gates = request.gates;
  d.revision = 1;
  d.created_unix = d.updated_unix = now;

  TMM_ASSIGN_OR_RETURN(auto current,
                       Select(tx, "WHERE project_id = ? AND model = ? AND current = 1",
                              {project_id, request.model}));
  if (!current.empty()) {
    const DeploymentRecord& previous = current[0];
    if (previous.Active()) {
      return AlreadyActive(d.model, previous.id, DeploymentStateName(previous.state));
    }
    // Devices go back to what they ran before this deployment: the previous deployment if it
    // completed, or what that one went back to.
    d.previous_id =
        previous.state == DeploymentState::kCompleted ? previous.id : previous.previous_id;
    TMM_ASSIGN_OR_RETURN(int64_t superseded,
                         tx.Execute("UPDATE deployments SET current = 0 WHERE id = ? AND "
                                    "current = 1 AND revision = ?",
                                    {previous.id, previous.revision}));
    if (superseded != 1) {
      return Status::Error(StatusCode::kFailedPrecondition,
                           "another deployment of %s was created or changed meanwhile: list the "
                           "deployments and try again",
                           d.model.c_str());
    }
  }
  auto inserted = tx.Execute(
      "INSERT INTO deployments (id, project_id, name, model, version, variants, policy, "
      "target_tags, strategy, split_version, split_percent, gates, state, stage, revision, "
      "active_model, current, previous_id, rollback_reason, created_unix, updated_unix) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, '', ?, ?)",
      {d.id, project_id, d.name, d.model, d.version, ListJson(d.variants), d.policy_json,
       ListJson(d.target_tags), RolloutStrategyJson(d.strategy), d.split_version, d.split_percent,
       HealthGatesJson(d.gates), std::string(DeploymentStateName(d.state)), d.stage, d.revision,
       d.model, d.previous_id, now, now});
  if (!inserted.ok() && inserted.status().code() == StatusCode::kFailedPrecondition) {
    return AlreadyActive(d.model, "created meanwhile", "rolling_out");
  }
  TMM_RETURN_IF_ERROR(inserted.status());
  TMM_RETURN_IF_ERROR(InsertHistory(tx, d, "", "created", actor, now));
  TMM_RETURN_IF_ERROR(AddTargetedDevices(tx, d, now));
  TMM_RETURN_IF_ERROR(BumpProjectAnswers(tx, project_id));
  return d;
}

Result<DeploymentRecord> FindDeployment(Transaction& tx, const std::string& project_id,
                                        const std::string& deployment_id) {
  TMM_ASSIGN_OR_RETURN(auto found,
                       Select(tx, "WHERE id = ? AND project_id = ?", {deployment_id, project_id}));
  if (found.empty()) {
    return Status::Error(StatusCode::kNotFound, "no deployment %s in this project",
                         deployment_id.c_str());
  }
  return std::move(found[0]);
}

Result<std::vector<DeploymentRecord>> ListDeployments(Transaction& tx,
                                                      const std::string& project_id) {
  return Select(tx, "WHERE project_id = ? ORDER BY created_unix DESC, id", {project_id});
}

Result<std::vector<DeploymentRecord>> CurrentDeployments(Transaction& tx,
                                                         const std::string& project_id) {
  return Select(tx, "WHERE project_id = ? AND current = 1 ORDER BY created_unix DESC, id",
                {project_id});
}

Status CommitTransition(Transaction& tx, DeploymentRecord& deployment, DeploymentState to,
                        int64_t stage, const std::string& reason, const std::string& actor,
                        int64_t now) {
  const bool active = to == DeploymentState::kRollingOut || to == DeploymentState::kPaused;
  const std::string rollback_reason =
      to == DeploymentState::kRolledBack ? reason : deployment.rollback_reason;
  SqlValue active_model = std::monostate();
  if (active) active_model = deployment.model;
  TMM_ASSIGN_OR_RETURN(
      int64_t changed,
      tx.Execute("UPDATE deployments SET state = ?, stage = ?, revision = revision + 1, "
                 "active_model = ?, rollback_reason = ?, updated_unix = ? "
                 "WHERE id = ? AND revision = ?",
                 {std::string(DeploymentStateName(to)), stage, active_model, rollback_reason, now,
                  deployment.id, deployment.revision}));
  if (changed != 1) {
    return Status::Error(StatusCode::kFailedPrecondition,
                         "the deployment %s changed meanwhile: read its status and try again",
                         deployment.id.c_str());
  }
  const std::string from = DeploymentStateName(deployment.state);
  deployment.state = to;
  deployment.stage = stage;
  deployment.revision += 1;
  deployment.rollback_reason = rollback_reason;
  deployment.updated_unix = now;
  TMM_RETURN_IF_ERROR(BumpProjectAnswers(tx, deployment.project_id));
  return InsertHistory(tx, deployment, from, reason, actor, now);
}

Result<std::vector<DeploymentHistoryEntry>> DeploymentHistory(Transaction& tx,
                                                              const std::string& deployment_id) {
  TMM_ASSIGN_OR_RETURN(auto rows,
                       tx.Query("SELECT revision, unix, stage, from_state, to_state, reason, actor "
                                "FROM deployment_history WHERE deployment_id = ? "
                                "ORDER BY revision",
                                {deployment_id}));
  std::vector<DeploymentHistoryEntry> history;
  for (const Row& r : rows) {
    history.push_back({r.Int(0), r.Int(1), r.Int(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6)});
  }
  return history;
}

}  // namespace tinymlops::server
