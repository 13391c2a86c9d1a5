// A device's check-in (POST /v1/device/checkin, docs/device-protocol.md), after its signature
// was verified: records its report (profile, context, installed, health), records its
// outcomes once per (device, sequence), updates its row in each deployment that targets it,
// lets the rollout advance when an outcome or its health changed something
// (server/rollout/rollout_engine.h), and answers the desired state: the version the device
// should run with its compatible variants and the policy, the deployments it cannot run with
// the reasons, and when to check in next.
//
// The desired version: a deployment's (or its A/B split's) once the device's stage is
// reached and unless the deployment was rolled back; otherwise the version the device's
// previous deployment gave it; none when no deployment targets it. A device follows one model
// at a time: with deployments of several models targeting it, the newest one that gives it a
// version is its desired state.
// Cost: a few indexed queries per deployment of the project's current ones; nothing scans the
// fleet. Errors: store errors. Thread-safety: a function over the caller's Transaction.
#ifndef TINYMLOPS_SERVER_ROLLOUT_DEVICE_CHECKIN_H_
#define TINYMLOPS_SERVER_ROLLOUT_DEVICE_CHECKIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/status.h"
#include "server/fleet/device_directory.h"
#include "server/registry/model_registry.h"
#include "server/store/store.h"

namespace tinymlops::server {

// One outcome a device reports about a deployment.
struct DeviceOutcome {
  std::string deployment, version, event, detail;
  int64_t unix = 0, sequence = 0;
};
// The outcome events of the protocol.
bool IsOutcomeEvent(const std::string& event);

struct CheckinRequest {
  DeviceReport report;  // JSON texts; empty: unchanged
  std::vector<DeviceOutcome> outcomes;
};

struct DesiredState {
  std::string deployment, model, version, policy_json;  // policy_json "" : none
  std::vector<VariantRecord> variants;                   // compatible with the device
};

struct RefusedDeployment {
  std::string deployment, reason;
};

struct CheckinAnswer {
  std::optional<DesiredState> desired;
  std::vector<RefusedDeployment> refused;
  int64_t next_checkin_seconds = 60;
};

Result<CheckinAnswer> CheckInDevice(Transaction& tx, const std::string& project_id,
                                    const std::string& device_id, const CheckinRequest& request,
                                    int64_t now);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_ROLLOUT_DEVICE_CHECKIN_H_
