#include "server/rollout/deployment_devices.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "server/fleet/answer_revisions.h"
#include "server/rollout/compatibility.h"

namespace tinymlops::server {
namespace {

constexpr const char* kRowColumns =
    "SELECT deployment_id, device_id, stage, version, status, reason, device_class, crashed, "
    "previous_p95_us, p95_us, updated_unix FROM deployment_devices ";

DeploymentDevice FromRow(const Row& row) {
  DeploymentDevice d;
  d.deployment_id = row.Text(0);
  d.device_id = row.Text(1);
  d.stage = row.Int(2);
  d.version = row.Text(3);
  d.status = row.Text(4);
  d.reason = row.Text(5);
  d.device_class = row.Text(6);
  d.crashed = row.Int(7) != 0;
  if (!row.IsNull(8)) d.previous_p95_us = row.Number(8);
  if (!row.IsNull(9)) d.p95_us = row.Number(9);
  d.updated_unix = row.Int(10);
  return d;
}

SqlValue Optional(const std::optional<double>& value) {
  if (value) return SqlValue(*value);
  return SqlValue(std::monostate());
}

std::vector<std::string> Tags(const std::string& tags_json) {
  std::vector<std::string> tags;
  const nlohmann::json parsed = nlohmann::json::parse(tags_json, nullptr, false);
  if (!parsed.is_array()) return tags;
  for (const auto& tag : parsed) {
    if (tag.is_string()) tags.push_back(tag.get<std::string>());
  }
  return tags;
}

bool HasTag(const std::vector<std::string>& tags, const std::string& tag) {
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

Status Count(Transaction& tx, const std::string& deployment_id, int64_t stage,
             const std::string& status, int64_t delta) {
  return tx
      .Execute(
          "INSERT INTO deployment_counts (deployment_id, stage, status, devices) "
          "VALUES (?, ?, ?, ?) ON CONFLICT (deployment_id, stage, status) DO UPDATE "
          "SET devices = deployment_counts.devices + excluded.devices",
          {deployment_id, stage, status, delta})
      .status();
}

// Adds (sign 1) or removes (sign -1) the row's part of the latency sums.
Status CountLatency(Transaction& tx, const DeploymentDevice& row, int64_t sign) {
  if (!row.p95_us || !row.previous_p95_us) return Status::Ok();
  const double s = static_cast<double>(sign);
  return tx
      .Execute(
          "INSERT INTO deployment_latency (deployment_id, stage, device_class, devices, "
          "p95_us_sum, previous_p95_us_sum) VALUES (?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (deployment_id, stage, device_class) DO UPDATE SET "
          "devices = deployment_latency.devices + excluded.devices, "
          "p95_us_sum = deployment_latency.p95_us_sum + excluded.p95_us_sum, "
          "previous_p95_us_sum = deployment_latency.previous_p95_us_sum + "
          "excluded.previous_p95_us_sum",
          {row.deployment_id, row.stage, row.device_class, sign, s * *row.p95_us,
           s * *row.previous_p95_us})
      .status();
}

// Moves the counters from the row as it was (`before`, or nullptr for a new row) to `after`.
Status MoveCounters(Transaction& tx, const DeploymentDevice* before,
                    const DeploymentDevice& after) {
  if (before == nullptr) {
    TMM_RETURN_IF_ERROR(Count(tx, after.deployment_id, after.stage, after.status, 1));
  } else if (before->status != after.status) {
    // In the order of the statuses, so that concurrent transactions lock counter rows in one
    // order (PostgreSQL) and never wait on each other in a cycle.
    const bool down_first = before->status < after.status;
    TMM_RETURN_IF_ERROR(down_first
                            ? Count(tx, before->deployment_id, before->stage, before->status, -1)
                            : Count(tx, after.deployment_id, after.stage, after.status, 1));
    TMM_RETURN_IF_ERROR(down_first
                            ? Count(tx, after.deployment_id, after.stage, after.status, 1)
                            : Count(tx, before->deployment_id, before->stage, before->status, -1));
  }
  if (after.crashed && (before == nullptr || !before->crashed)) {
    TMM_RETURN_IF_ERROR(Count(tx, after.deployment_id, after.stage, "crashed", 1));
  }
  const bool latency_changed = before == nullptr || before->p95_us != after.p95_us ||
                               before->previous_p95_us != after.previous_p95_us ||
                               before->device_class != after.device_class;
  if (latency_changed) {
    if (before != nullptr) TMM_RETURN_IF_ERROR(CountLatency(tx, *before, -1));
    TMM_RETURN_IF_ERROR(CountLatency(tx, after, 1));
  }
  return Status::Ok();
}

}  // namespace

bool DeploymentTargets(const DeploymentRecord& deployment, const DeviceRecord& device) {
  if (deployment.target_tags.empty()) return true;
  const std::vector<std::string> tags = Tags(device.tags);
  for (const std::string& wanted : deployment.target_tags) {
    if (!HasTag(tags, wanted)) return false;
  }
  return true;
}

std::string AssignedVersion(const DeploymentRecord& deployment, const std::string& device_id) {
  if (!deployment.split_version.empty() && SplitBucket(device_id) < deployment.split_percent) {
    return deployment.split_version;
  }
  return deployment.version;
}

Result<std::vector<VariantRecord>> DeliveredVariants(Transaction& tx,
                                                     const DeploymentRecord& deployment,
                                                     const std::string& version) {
  TMM_ASSIGN_OR_RETURN(std::vector<VariantRecord> all,
                       ListVersionVariants(tx, deployment.project_id, deployment.model, version));
  if (version != deployment.version) return all;
  std::vector<VariantRecord> delivered;
  for (VariantRecord& v : all) {
    if (std::find(deployment.variants.begin(), deployment.variants.end(), v.name) !=
        deployment.variants.end()) {
      delivered.push_back(std::move(v));
    }
  }
  return delivered;
}

std::vector<VariantRecord> CompatibleVariants(const DeviceRecord& device,
                                              const std::vector<VariantRecord>& variants,
                                              std::vector<std::string>* reasons) {
  const DeviceProfile profile = ParseDeviceProfile(device.profile);
  std::vector<VariantRecord> compatible;
  for (const VariantRecord& v : variants) {
    if (auto reason = IncompatibilityReason(device.id, profile, v)) {
      reasons->push_back(std::move(*reason));
    } else {
      compatible.push_back(v);
    }
  }
  return compatible;
}

DeploymentDevice NewDeploymentDevice(const DeploymentRecord& deployment, const DeviceRecord& device,
                                     const std::vector<VariantRecord>& variants, int64_t now) {
  DeploymentDevice row;
  row.deployment_id = deployment.id;
  row.device_id = device.id;
  const bool canary = deployment.strategy.type == RolloutStrategy::Type::kCanary &&
                      HasTag(Tags(device.tags), deployment.strategy.canary_tag);
  row.stage = deployment.strategy.StageOf(StageBucket(device.id), canary);
  row.version = AssignedVersion(deployment, device.id);
  row.device_class = ParseDeviceProfile(device.profile).device_class;
  row.updated_unix = now;
  std::vector<std::string> reasons;
  if (CompatibleVariants(device, variants, &reasons).empty()) {
    row.status = "refused";
    row.reason = reasons.empty() ? "the version " + row.version + " of " + deployment.model +
                                       " has no variant to deliver"
                                 : reasons.front();
  }
  return row;
}

Result<std::optional<DeploymentDevice>> FindDeploymentDevice(Transaction& tx,
                                                             const std::string& deployment_id,
                                                             const std::string& device_id) {
  TMM_ASSIGN_OR_RETURN(
      auto rows, tx.Query(std::string(kRowColumns) + "WHERE deployment_id = ? AND device_id = ?",
                          {deployment_id, device_id}));
  if (rows.empty()) return std::optional<DeploymentDevice>();
  return std::optional<DeploymentDevice>(FromRow(rows[0]));
}

Result<int64_t> InsertDeploymentDevices(Transaction& tx,
                                        const std::vector<DeploymentDevice>& rows) {
  // The status counters are added up here and written once per (stage, status).
  std::map<std::tuple<std::string, int64_t, std::string>, int64_t> deltas;
  int64_t inserted = 0;
  for (const DeploymentDevice& row : rows) {
    TMM_ASSIGN_OR_RETURN(
        int64_t added,
        tx.Execute("INSERT INTO deployment_devices (deployment_id, device_id, stage, version, "
                   "status, reason, device_class, crashed, previous_p95_us, p95_us, "
                   "updated_unix) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                   {row.deployment_id, row.device_id, row.stage, row.version, row.status,
                    row.reason, row.device_class, int64_t{row.crashed ? 1 : 0},
                    Optional(row.previous_p95_us), Optional(row.p95_us), row.updated_unix}));
    if (added != 1) continue;
    ++inserted;
    std::vector<std::string> statuses = {row.status};
    if (row.crashed) statuses.push_back("crashed");
    for (const std::string& status : statuses) ++deltas[{row.deployment_id, row.stage, status}];
    TMM_RETURN_IF_ERROR(CountLatency(tx, row, 1));
  }
  for (const auto& [key, delta] : deltas) {  // in (deployment, stage, status) order
    TMM_RETURN_IF_ERROR(Count(tx, std::get<0>(key), std::get<1>(key), std::get<2>(key), delta));
  }
  return inserted;
}

Result<bool> InsertDeploymentDevice(Transaction& tx, const DeploymentDevice& row) {
  TMM_ASSIGN_OR_RETURN(int64_t inserted, InsertDeploymentDevices(tx, {row}));
  if (inserted == 1) TMM_RETURN_IF_ERROR(BumpDeviceAnswer(tx, row.device_id));
  return inserted == 1;
}

Status UpdateDeploymentDevice(Transaction& tx, const DeploymentDevice& before,
                              const DeploymentDevice& row) {
  TMM_RETURN_IF_ERROR(MoveCounters(tx, &before, row));
  TMM_RETURN_IF_ERROR(
      tx.Execute(
            "UPDATE deployment_devices SET status = ?, reason = ?, device_class = ?, "
            "crashed = ?, previous_p95_us = ?, p95_us = ?, updated_unix = ? "
            "WHERE deployment_id = ? AND device_id = ?",
            {row.status, row.reason, row.device_class, int64_t{row.crashed ? 1 : 0},
             Optional(row.previous_p95_us), Optional(row.p95_us), row.updated_unix,
             row.deployment_id, row.device_id})
          .status());
  return BumpDeviceAnswer(tx, row.device_id);
}

Result<std::vector<DeploymentDevice>> RefusedDeploymentDevices(Transaction& tx,
                                                               const std::string& deployment_id,
                                                               int64_t limit) {
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kRowColumns) +
                                               "WHERE deployment_id = ? AND status = 'refused' "
                                               "ORDER BY device_id LIMIT ?",
                                           {deployment_id, limit}));
  std::vector<DeploymentDevice> refused;
  for (const Row& row : rows) refused.push_back(FromRow(row));
  return refused;
}

Result<std::vector<StageStatusCount>> DeploymentCounts(Transaction& tx,
                                                       const std::string& deployment_id) {
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT stage, status, devices FROM deployment_counts "
                                           "WHERE deployment_id = ? ORDER BY stage, status",
                                           {deployment_id}));
  std::vector<StageStatusCount> counts;
  for (const Row& r : rows) counts.push_back({r.Int(0), r.Text(1), r.Int(2)});
  return counts;
}

Result<std::vector<ClassLatency>> DeploymentLatency(Transaction& tx,
                                                    const std::string& deployment_id,
                                                    int64_t last_stage) {
  TMM_ASSIGN_OR_RETURN(auto rows,
                       tx.Query("SELECT device_class, SUM(devices), SUM(p95_us_sum), "
                                "SUM(previous_p95_us_sum) FROM deployment_latency "
                                "WHERE deployment_id = ? AND stage <= ? GROUP BY device_class "
                                "ORDER BY device_class",
                                {deployment_id, last_stage}));
  std::vector<ClassLatency> latency;
  for (const Row& r : rows) latency.push_back({r.Text(0), r.Int(1), r.Number(2), r.Number(3)});
  return latency;
}

}  // namespace tinymlops::server
