#include "server/rollout/device_checkin.h"

#include <nlohmann/json.hpp>

#include "server/rollout/compatibility.h"
#include "server/rollout/deployment_devices.h"
#include "server/rollout/deployment_directory.h"
#include "server/rollout/rollout_engine.h"

namespace tinymlops::server {
namespace {

using nlohmann::json;

// The health a device reported with this check-in: the model it serves now.
struct ServingHealth {
  std::string model, version;
  int64_t crash_count = 0;
  std::optional<double> p95_us;
};

std::optional<ServingHealth> ParseServingHealth(const std::string& health_json) {
  if (health_json.empty()) return std::nullopt;
  const json parsed = json::parse(health_json, nullptr, false);
  if (!parsed.is_object()) return std::nullopt;
  ServingHealth health;
  health.model = parsed.value("model", std::string());
  health.version = parsed.value("version", std::string());
  if (health.model.empty() || health.version.empty()) return std::nullopt;
  if (auto crashes = parsed.find("crash_count");
      crashes != parsed.end() && crashes->is_number_integer()) {
    health.crash_count = crashes->get<int64_t>();
  }
  if (auto latency = parsed.find("latency_us"); latency != parsed.end() && latency->is_object()) {
    if (auto p95 = latency->find("p95"); p95 != latency->end() && p95->is_number()) {
      health.p95_us = p95->get<double>();
    }
  }
  return health;
}

// A refusal the device reported itself (rather than one the server found from its profile).
constexpr const char* kDeviceRefusal = "the device reported: ";

bool Terminal(const std::string& status) { return status != "pending" && status != "downloading"; }

// Applies one new outcome to the device's row; true when the row changed.
bool ApplyOutcome(const DeploymentRecord& d, const DeviceOutcome& o, DeploymentDevice& row) {
  const std::string before = row.status;
  if (d.state == DeploymentState::kRolledBack) {
    // Back on the version it had before: the device has gone back.
    if (o.event == "rolled_back" || (o.event == "installed" && o.version != row.version)) {
      row.status = "rolled_back";
    }
  } else if (o.version == row.version) {
    if (o.event == "downloaded") {
      if (row.status == "pending") row.status = "downloading";
    } else if (o.event == "installed" || o.event == "install_failed" ||
               o.event == "self_test_failed" || o.event == "rolled_back") {
      row.status = o.event;
    } else if (o.event == "refused") {
      row.status = "refused";
      row.reason = kDeviceRefusal + (o.detail.empty() ? "refused " + d.model + " " + row.version
                                                      : o.detail.substr(0, 512));
    }
  }
  return row.status != before;
}

struct CheckinContext {
  Transaction& tx;
  const DeviceRecord& device;
  int64_t now;
};

// The version the device's previous deployment gave it (a rollback's destination).
Result<std::optional<DesiredState>> PreviousState(CheckinContext& c, const DeploymentRecord& d) {
  if (d.previous_id.empty()) return std::optional<DesiredState>();
  TMM_ASSIGN_OR_RETURN(DeploymentRecord previous,
                       FindDeployment(c.tx, d.project_id, d.previous_id));
  TMM_ASSIGN_OR_RETURN(auto row, FindDeploymentDevice(c.tx, previous.id, c.device.id));
  if (!row || row->status == "refused") return std::optional<DesiredState>();
  TMM_ASSIGN_OR_RETURN(auto variants, DeliveredVariants(c.tx, previous, row->version));
  std::vector<std::string> reasons;
  DesiredState state{previous.id, previous.model, row->version, previous.policy_json,
                     CompatibleVariants(c.device, variants, &reasons)};
  if (state.variants.empty()) return std::optional<DesiredState>();
  return std::optional<DesiredState>(std::move(state));
}

// Updates the device's row in `d` and returns what `d` wants of the device.
Status FollowDeployment(CheckinContext& c, DeploymentRecord d,
                        const std::vector<DeviceOutcome>& outcomes,
                        const std::optional<ServingHealth>& health, CheckinAnswer& answer) {
  TMM_ASSIGN_OR_RETURN(auto found, FindDeploymentDevice(c.tx, d.id, c.device.id));
  std::vector<VariantRecord> variants;
  DeploymentDevice row;
  if (found) {
    row = std::move(*found);
    TMM_ASSIGN_OR_RETURN(variants, DeliveredVariants(c.tx, d, row.version));
  } else {
    if (!DeploymentTargets(d, c.device)) return Status::Ok();
    TMM_ASSIGN_OR_RETURN(variants, DeliveredVariants(c.tx, d, AssignedVersion(d, c.device.id)));
    row = NewDeploymentDevice(d, c.device, variants, c.now);
    TMM_ASSIGN_OR_RETURN(bool inserted, InsertDeploymentDevice(c.tx, row));
    if (!inserted) {  // a concurrent check-in of the same device made it first
      TMM_ASSIGN_OR_RETURN(auto again, FindDeploymentDevice(c.tx, d.id, c.device.id));
      if (again) row = std::move(*again);
    }
  }
  std::vector<std::string> reasons;
  std::vector<VariantRecord> compatible = CompatibleVariants(c.device, variants, &reasons);
  const DeploymentDevice before = row;
  bool event = false;  // something the gates or the stage's progress depend on changed
  // The profile may have changed since the row was made.
  const bool refused_by_server =
      row.status == "refused" && row.reason.rfind(kDeviceRefusal, 0) == std::string::npos;
  if (compatible.empty() && row.status == "pending") {
    row.status = "refused";
    row.reason = reasons.empty() ? "no variant to deliver" : reasons.front();
    event = true;
  } else if (!compatible.empty() && refused_by_server) {
    row.status = "pending";
    row.reason.clear();
  }
  for (const DeviceOutcome& o : outcomes) {
    // After a rollback the device is told the previous deployment, and may name either.
    const bool about_d =
        o.deployment == d.id || (d.state == DeploymentState::kRolledBack &&
                                 !d.previous_id.empty() && o.deployment == d.previous_id);
    if (!about_d) continue;
    if (ApplyOutcome(d, o, row) && Terminal(row.status)) event = true;
  }
  if (health && health->model == d.model) {
    if (health->version == row.version) {
      if (health->crash_count > 0 && !row.crashed) {
        row.crashed = true;
        event = true;
      }
      if (health->p95_us) {
        if (!row.p95_us) event = true;
        row.p95_us = health->p95_us;
      }
    } else if (health->p95_us && !Terminal(row.status)) {
      row.previous_p95_us = health->p95_us;  // still on the version it ran before
    }
  }
  row.device_class = ParseDeviceProfile(c.device.profile).device_class;
  const bool changed = row.status != before.status || row.reason != before.reason ||
                       row.crashed != before.crashed || row.p95_us != before.p95_us ||
                       row.previous_p95_us != before.previous_p95_us ||
                       row.device_class != before.device_class;
  if (changed) {
    row.updated_unix = c.now;
    TMM_RETURN_IF_ERROR(UpdateDeploymentDevice(c.tx, before, row));
  }
  if (event && d.Active()) {
    TMM_ASSIGN_OR_RETURN(d, LockDeployment(c.tx, d.project_id, d.id));
    TMM_RETURN_IF_ERROR(AdvanceRollout(c.tx, d, c.now));
  }
  if (row.status == "refused") answer.refused.push_back({d.id, row.reason});
  if (answer.desired) return Status::Ok();
  const bool reached = d.state == DeploymentState::kCompleted || row.stage <= d.stage;
  if (d.state != DeploymentState::kRolledBack && reached && row.status != "refused" &&
      !compatible.empty()) {
    answer.desired = DesiredState{d.id, d.model, row.version, d.policy_json, std::move(compatible)};
    return Status::Ok();
  }
  TMM_ASSIGN_OR_RETURN(answer.desired, PreviousState(c, d));
  return Status::Ok();
}

}  // namespace

bool IsOutcomeEvent(const std::string& event) {
  for (const char* known : {"downloaded", "installed", "install_failed", "self_test_failed",
                            "rolled_back", "refused"}) {
    if (event == known) return true;
  }
  return false;
}

Result<CheckinAnswer> CheckInDevice(Transaction& tx, const std::string& project_id,
                                    const std::string& device_id, const CheckinRequest& request,
                                    int64_t now) {
  TMM_ASSIGN_OR_RETURN(DeviceRecord device, FindDevice(tx, project_id, device_id));
  TMM_RETURN_IF_ERROR(RecordDeviceReport(tx, device, request.report));
  std::vector<DeviceOutcome> fresh;  // outcomes not recorded before
  for (const DeviceOutcome& o : request.outcomes) {
    TMM_ASSIGN_OR_RETURN(
        int64_t inserted,
        tx.Execute(
            "INSERT INTO device_outcomes (device_id, sequence, deployment_id, version, "
            "event, detail, unix, received_unix) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            {device_id, o.sequence, o.deployment, o.version, o.event, o.detail, o.unix, now}));
    if (inserted == 1) fresh.push_back(o);
  }
  const std::optional<ServingHealth> health = ParseServingHealth(request.report.health);
  CheckinAnswer answer;
  TMM_ASSIGN_OR_RETURN(auto deployments, CurrentDeployments(tx, project_id));
  CheckinContext context{tx, device, now};
  for (DeploymentRecord& d : deployments) {
    TMM_RETURN_IF_ERROR(FollowDeployment(context, std::move(d), fresh, health, answer));
  }
  return answer;
}

}  // namespace tinymlops::server
