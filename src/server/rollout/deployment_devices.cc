#include "server/rollout/deployment_devices.h"

#include <algorithm>
#include <nlohmann/json.hpp>

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

DeploymentDevice NewDeploymentDevice(const DeploymentRecord& deployment,
                                     const DeviceRecord& device,
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
  TMM_ASSIGN_OR_RETURN(auto rows,
                       tx.Query(std::string(kRowColumns) +
                                    "WHERE deployment_id = ? AND device_id = ?",
                                {deployment_id, device_id}));
  if (rows.empty()) return std::optional<DeploymentDevice>();
  return std::optional<DeploymentDevice>(FromRow(rows[0]));
}

Result<bool> InsertDeploymentDevice(Transaction& tx, const DeploymentDevice& row) {
  TMM_ASSIGN_OR_RETURN(
      int64_t inserted,
      tx.Execute("INSERT INTO deployment_devices (deployment_id, device_id, stage, version, "
                 "status, reason, device_class, crashed, previous_p95_us, p95_us, updated_unix) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                 {row.deployment_id, row.device_id, row.stage, row.version, row.status,
                  row.reason, row.device_class, int64_t{row.crashed ? 1 : 0},
                  Optional(row.previous_p95_us), Optional(row.p95_us), row.updated_unix}));
  return inserted == 1;
}

Status UpdateDeploymentDevice(Transaction& tx, const DeploymentDevice& row) {
  return tx.Execute("UPDATE deployment_devices SET status = ?, reason = ?, device_class = ?, "
                    "crashed = ?, previous_p95_us = ?, p95_us = ?, updated_unix = ? "
                    "WHERE deployment_id = ? AND device_id = ?",
                    {row.status, row.reason, row.device_class, int64_t{row.crashed ? 1 : 0},
                     Optional(row.previous_p95_us), Optional(row.p95_us), row.updated_unix,
                     row.deployment_id, row.device_id})
      .status();
}

Result<std::vector<DeploymentDevice>> RefusedDeploymentDevices(Transaction& tx,
                                                               const std::string& deployment_id,
                                                               int64_t limit) {
  TMM_ASSIGN_OR_RETURN(auto rows,
                       tx.Query(std::string(kRowColumns) +
                                    "WHERE deployment_id = ? AND status = 'refused' "
                                    "ORDER BY device_id LIMIT ?",
                                {deployment_id, limit}));
  std::vector<DeploymentDevice> refused;
  for (const Row& row : rows) refused.push_back(FromRow(row));
  return refused;
}

}  // namespace tinymlops::server
