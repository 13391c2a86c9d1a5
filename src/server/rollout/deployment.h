// A deployment: one model version (and optionally an A/B split version) rolled out to the
// devices of a project that carry all its target tags, by a strategy, guarded by health gates
// (docs/rollouts.md). The values here are what an operator asks for and what the store keeps;
// server/rollout/deployment_directory.h stores them and server/rollout/rollout_engine.h moves
// a deployment through its states.
//
// Strategies: all_at_once (one stage of 100%); staged (stages of cumulative percents of the
// targeted devices, e.g. 10, 50, 100); canary (the devices tagged canary_tag first, then stages
// over the rest). Stage percents are 1..100, strictly increasing, the last one 100.
// Parse* read the JSON forms (the create request's "strategy" and "gates", and the texts the
// store keeps, which *Json writes). Errors: kInvalidArgument naming the field.
// Thread-safety: values and pure functions.
#ifndef TINYMLOPS_SERVER_ROLLOUT_DEPLOYMENT_H_
#define TINYMLOPS_SERVER_ROLLOUT_DEPLOYMENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/status.h"

namespace tinymlops::server {

enum class DeploymentState { kRollingOut, kPaused, kCompleted, kRolledBack };
const char* DeploymentStateName(DeploymentState state);
bool ParseDeploymentState(const std::string& name, DeploymentState* state);

struct RolloutStrategy {
  enum class Type { kAllAtOnce, kStaged, kCanary };
  Type type = Type::kAllAtOnce;
  std::vector<int64_t> stages = {100};  // cumulative percents of the (non-canary) devices
  bool auto_promote = true;
  std::string canary_tag;

  // How many stages the rollout has (a canary rollout's first stage is its canary devices).
  int64_t StageCount() const;
  // The stage (0-based) that a device with `bucket` (0..9999) and `canary` tag enters at.
  int64_t StageOf(int64_t bucket, bool canary) const;
};

struct HealthGates {
  std::optional<double> max_install_failure_rate, max_self_test_failure_rate, max_crash_rate,
      max_latency_regression;
  int64_t min_reports = 1;  // devices that reported an outcome before a rate gate may trip
};

Result<RolloutStrategy> ParseRolloutStrategy(const std::string& json);
std::string RolloutStrategyJson(const RolloutStrategy& strategy);
Result<HealthGates> ParseHealthGates(const std::string& json);
std::string HealthGatesJson(const HealthGates& gates);

// What an operator asks for (POST /v1/projects/{project}/deployments).
struct DeploymentRequest {
  std::string name, model, version;
  std::vector<std::string> variants;  // empty: every variant of the version
  std::string policy_json;            // "" : no policy
  std::vector<std::string> target_tags;
  RolloutStrategy strategy;
  std::string split_version;  // "" : no A/B split
  int64_t split_percent = 0;
  HealthGates gates;
};

struct DeploymentRecord {
  std::string id, project_id, name, model, version;
  std::vector<std::string> variants;  // names, resolved at creation
  std::string policy_json;
  std::vector<std::string> target_tags;
  RolloutStrategy strategy;
  std::string split_version;
  int64_t split_percent = 0;
  HealthGates gates;
  DeploymentState state = DeploymentState::kRollingOut;
  int64_t stage = 0;     // the current stage, 0-based
  int64_t revision = 0;  // grows by one with every state change
  bool current = true;   // the newest deployment of its model: the one devices follow
  std::string previous_id;  // the deployment devices go back to on rollback ("" : none)
  std::string rollback_reason;
  int64_t created_unix = 0, updated_unix = 0;

  bool Active() const {
    return state == DeploymentState::kRollingOut || state == DeploymentState::kPaused;
  }
};

// Stable hashes of a device id: its stage bucket (0..9999) and its A/B split bucket (0..99),
// independent of each other, the same in every process and release (FNV-1a 64).
int64_t StageBucket(const std::string& device_id);
int64_t SplitBucket(const std::string& device_id);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_ROLLOUT_DEPLOYMENT_H_
