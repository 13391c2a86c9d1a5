// The devices of a deployment: one row per targeted device (deployment_devices), made when
// the deployment is created (for the devices enrolled then) or at the device's first check-in
// (for devices enrolled later). A row holds the device's stage (from its stable stage bucket
// and the canary tag), the version it is assigned (the deployment's, or the A/B split's for
// split_percent of the devices by their split bucket), its status, why it was refused, its
// device class, whether it crashed on the new version, and the p95 latencies it reported for
// the version it ran before and for the assigned one (for the latency gate).
// Statuses: pending, downloading, installed, install_failed, self_test_failed, refused,
// rolled_back.
// Counters: every insert and update also moves the deployment's counters in the same
// transaction (deployment_counts: devices per stage and status, and "crashed";
// deployment_latency: per stage and device class, the sums of the p95 latencies of the
// devices that reported one on both versions), so that the gates and the stage's progress are
// read from a few counter rows, never from the deployment's devices.
// Errors: those of the store. Thread-safety: functions over a caller's Transaction.
#ifndef TINYMLOPS_SERVER_ROLLOUT_DEPLOYMENT_DEVICES_H_
#define TINYMLOPS_SERVER_ROLLOUT_DEPLOYMENT_DEVICES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/status.h"
#include "server/fleet/device_directory.h"
#include "server/registry/model_registry.h"
#include "server/rollout/deployment.h"
#include "server/store/store.h"

namespace tinymlops::server {

struct DeploymentDevice {
  std::string deployment_id, device_id;
  int64_t stage = 0;
  std::string version, status = "pending", reason, device_class;
  bool crashed = false;
  std::optional<double> previous_p95_us, p95_us;
  int64_t updated_unix = 0;
};

// True when the device carries every target tag of the deployment.
bool DeploymentTargets(const DeploymentRecord& deployment, const DeviceRecord& device);

// The version the deployment assigns to the device (the split version for split_percent of
// the devices, by SplitBucket).
std::string AssignedVersion(const DeploymentRecord& deployment, const std::string& device_id);

// The variants of `version` the deployment delivers: its own variant list for its version,
// every variant for the split version.
Result<std::vector<VariantRecord>> DeliveredVariants(Transaction& tx,
                                                     const DeploymentRecord& deployment,
                                                     const std::string& version);

// Splits `variants` into those compatible with `device` (returned) and the reasons the others
// are not (`reasons`).
std::vector<VariantRecord> CompatibleVariants(const DeviceRecord& device,
                                              const std::vector<VariantRecord>& variants,
                                              std::vector<std::string>* reasons);

// A new row for a targeted device: stage, version, class, and status refused (with the first
// reason) when no delivered variant is compatible with it. `variants`: DeliveredVariants of
// the assigned version.
DeploymentDevice NewDeploymentDevice(const DeploymentRecord& deployment, const DeviceRecord& device,
                                     const std::vector<VariantRecord>& variants, int64_t now);

Result<std::optional<DeploymentDevice>> FindDeploymentDevice(Transaction& tx,
                                                             const std::string& deployment_id,
                                                             const std::string& device_id);
// Inserts new rows, skipping devices that already have one (another process made it first);
// returns how many it inserted. The counters are written once per stage and status. Rows of
// many devices: the caller bumps the project's answer revision (server/fleet/answer_revisions.h).
Result<int64_t> InsertDeploymentDevices(Transaction& tx, const std::vector<DeploymentDevice>& rows);
// One row; false when the device already had one. Bumps the device's answer revision.
Result<bool> InsertDeploymentDevice(Transaction& tx, const DeploymentDevice& row);
// Writes `row`, as changed from `before` (the row as read in this transaction), and bumps the
// device's answer revision.
Status UpdateDeploymentDevice(Transaction& tx, const DeploymentDevice& before,
                              const DeploymentDevice& row);

// The counter of devices in `status` ("crashed": devices that crashed) at `stage`.
struct StageStatusCount {
  int64_t stage = 0;
  std::string status;
  int64_t devices = 0;
};
Result<std::vector<StageStatusCount>> DeploymentCounts(Transaction& tx,
                                                       const std::string& deployment_id);
// Per device class over stages up to `last_stage`: the devices with a p95 on both versions and
// the sums of those p95s.
struct ClassLatency {
  std::string device_class;
  int64_t devices = 0;
  double p95_us_sum = 0, previous_p95_us_sum = 0;
};
Result<std::vector<ClassLatency>> DeploymentLatency(Transaction& tx,
                                                    const std::string& deployment_id,
                                                    int64_t last_stage);
// Devices refused by the deployment, at most `limit`, with their reasons.
Result<std::vector<DeploymentDevice>> RefusedDeploymentDevices(Transaction& tx,
                                                               const std::string& deployment_id,
                                                               int64_t limit);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_ROLLOUT_DEPLOYMENT_DEVICES_H_
