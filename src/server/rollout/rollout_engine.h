// RolloutEngine: the state machine of a deployment (docs/rollouts.md).
//
//   rolling_out --pause (operator)--> paused --promote (operator)--> rolling_out
//   rolling_out --promote (operator, or auto when the stage has reported and the gates pass)-->
//       rolling_out at the next stage; at the last stage --> completed
//   rolling_out | paused | completed --rollback (operator, or a health gate)--> rolled_back
//
// Every transition is CommitTransition (server/rollout/deployment_directory.h): a conditional
// UPDATE on the revision plus a history row, in the caller's transaction.
// Health gates over the devices of the stages reached so far: the install failure rate, the
// self-test failure rate and the crash rate among the devices that reported an outcome (once
// at least min_reports did), and the p95 latency regression per device class (mean p95 on the
// new version against the mean the same devices reported for the version they ran before, over
// at least min_reports devices of the class).
// Advance is called when a device's outcome or health for the deployment changed, with the
// deployment row locked by LockDeployment, so that concurrent check-ins in several processes
// evaluate one after the other and none misses the last outcome of a stage. It reads the
// per-stage counts of the deployment (one indexed GROUP BY), never the whole fleet.
// Errors: kFailedPrecondition (the transition is not allowed from the current state, or the
// deployment changed meanwhile), kNotFound, store errors.
// Thread-safety: functions over a caller's Transaction.
#ifndef TINYMLOPS_SERVER_ROLLOUT_ROLLOUT_ENGINE_H_
#define TINYMLOPS_SERVER_ROLLOUT_ROLLOUT_ENGINE_H_

#include <cstdint>
#include <string>

#include "runtime/status.h"
#include "server/rollout/deployment.h"
#include "server/store/store.h"

namespace tinymlops::server {

constexpr const char* kHealthGateActor = "health gate";

Result<DeploymentRecord> PauseDeployment(Transaction& tx, const std::string& project_id,
                                         const std::string& deployment_id,
                                         const std::string& actor, int64_t now);
// The next stage now (resuming a paused rollout); at the last stage, completes it.
Result<DeploymentRecord> PromoteDeployment(Transaction& tx, const std::string& project_id,
                                           const std::string& deployment_id,
                                           const std::string& actor, int64_t now);
Result<DeploymentRecord> RollBackDeployment(Transaction& tx, const std::string& project_id,
                                            const std::string& deployment_id,
                                            const std::string& reason, const std::string& actor,
                                            int64_t now);

// Holds the deployment's row lock until the transaction ends (PostgreSQL; SQLite transactions
// are serialized anyway) and returns the row as committed now.
Result<DeploymentRecord> LockDeployment(Transaction& tx, const std::string& project_id,
                                        const std::string& deployment_id);

// Applies the health gates (rolling back on a trip), then promotes through every stage whose
// devices have all reported (auto_promote) and completes the last one.
Status AdvanceRollout(Transaction& tx, DeploymentRecord& deployment, int64_t now);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_ROLLOUT_ROLLOUT_ENGINE_H_
