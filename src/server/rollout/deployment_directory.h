// The deployments of a project in the store (deployments, deployment_history): creation, the
// reads behind the operators' status view and the check-in, and the one way a deployment's
// state changes, CommitTransition: a conditional UPDATE on the row's revision with its history
// row, in the caller's transaction. Two server processes that decide on the same revision
// cannot both win: the loser's UPDATE matches no row and it gets kFailedPrecondition
// ("changed meanwhile"), so no transition is ever lost or doubled, and none lives only in a
// process's memory.
//
// CreateDeployment checks the request against the registry (the model and version exist, the
// named variants are variants of the version, the policy names only them, the split version
// exists), refuses a second active deployment of a model (kFailedPrecondition: 409, also
// between processes, by the UNIQUE index on active_model), makes the new deployment the one
// its model's devices follow, and adds a row for every targeted device enrolled now
// (server/rollout/deployment_devices.h).
// Errors: kInvalidArgument, kNotFound (no such model, version or deployment),
// kFailedPrecondition (an active deployment exists; lost a race: read again), store errors.
// Thread-safety: functions over a caller's Transaction.
#ifndef TINYMLOPS_SERVER_ROLLOUT_DEPLOYMENT_DIRECTORY_H_
#define TINYMLOPS_SERVER_ROLLOUT_DEPLOYMENT_DIRECTORY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/status.h"
#include "server/rollout/deployment.h"
#include "server/store/store.h"

namespace tinymlops::server {

Result<DeploymentRecord> CreateDeployment(Transaction& tx, const std::string& project_id,
                                          const DeploymentRequest& request,
                                          const std::string& actor, int64_t now);
Result<DeploymentRecord> FindDeployment(Transaction& tx, const std::string& project_id,
                                        const std::string& deployment_id);
// Newest first.
Result<std::vector<DeploymentRecord>> ListDeployments(Transaction& tx,
                                                      const std::string& project_id);
// The deployment each model's devices follow (one per model), newest first.
Result<std::vector<DeploymentRecord>> CurrentDeployments(Transaction& tx,
                                                         const std::string& project_id);

// Moves `deployment` (as read, at its revision) to `to` at `stage`; on success `deployment`
// is updated to the new revision. `actor`: the operator token's name, or "health gate".
Status CommitTransition(Transaction& tx, DeploymentRecord& deployment, DeploymentState to,
                        int64_t stage, const std::string& reason, const std::string& actor,
                        int64_t now);

struct DeploymentHistoryEntry {
  int64_t revision = 0, unix = 0, stage = 0;
  std::string from, to, reason, actor;
};
Result<std::vector<DeploymentHistoryEntry>> DeploymentHistory(Transaction& tx,
                                                              const std::string& deployment_id);

// How many of the deployment's devices are in each status, for stages up to `last_stage`
// (or every stage with last_stage = -1).
Result<std::map<std::string, int64_t>> CountDeploymentDevices(Transaction& tx,
                                                              const std::string& deployment_id,
                                                              int64_t last_stage);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_ROLLOUT_DEPLOYMENT_DIRECTORY_H_
