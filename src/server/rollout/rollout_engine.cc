#include "server/rollout/rollout_engine.h"

#include <cstdio>
#include <optional>

#include "server/rollout/deployment_directory.h"

namespace tinymlops::server {
namespace {

std::string Format(const char* format, double a, double b = 0, double c = 0, double d = 0) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, format, a, b, c, d);
  return buffer;
}

std::string StageName(const DeploymentRecord& d, int64_t stage) {
  const bool canary = d.strategy.type == RolloutStrategy::Type::kCanary;
  if (canary && stage == 0) return "stage 1 (the canary devices)";
  const int64_t percent = d.strategy.stages[static_cast<size_t>(stage - (canary ? 1 : 0))];
  return "stage " + std::to_string(stage + 1) + " (" + std::to_string(percent) + "%)";
}

Status NotAllowed(const DeploymentRecord& d, const char* action) {
  return Status::Error(StatusCode::kFailedPrecondition, "cannot %s the deployment %s: it is %s",
                       action, d.id.c_str(), DeploymentStateName(d.state));
}

// What the devices of the stages reached so far have reported.
struct StageTally {
  int64_t devices = 0;      // every stage
  int64_t outstanding = 0;  // stages reached, no outcome yet (pending, downloading)
  int64_t reported = 0;     // installed, install_failed or self_test_failed
  int64_t install_failed = 0, self_test_failed = 0, crashed = 0;
};

Result<StageTally> Tally(Transaction& tx, const DeploymentRecord& d) {
  TMM_ASSIGN_OR_RETURN(auto rows,
                       tx.Query("SELECT stage, status, COUNT(*), SUM(crashed) FROM "
                                "deployment_devices WHERE deployment_id = ? GROUP BY stage, status",
                                {d.id}));
  StageTally t;
  for (const Row& r : rows) {
    const std::string status = r.Text(1);
    const int64_t n = r.Int(2);
    t.devices += n;
    if (r.Int(0) > d.stage) continue;
    if (status == "pending" || status == "downloading") t.outstanding += n;
    if (status == "installed" || status == "install_failed" || status == "self_test_failed") {
      t.reported += n;
    }
    if (status == "install_failed") t.install_failed += n;
    if (status == "self_test_failed") t.self_test_failed += n;
    t.crashed += r.Int(3);
  }
  return t;
}

std::optional<std::string> RateGate(const char* what, const char* gate, int64_t count,
                                    int64_t reported, const std::optional<double>& limit) {
  if (!limit || reported == 0) return std::nullopt;
  const double rate = static_cast<double>(count) / static_cast<double>(reported);
  if (rate <= *limit) return std::nullopt;
  return std::string("health gate: the ") + what + " rate " + Format("%.2f", rate) + " (" +
         std::to_string(count) + " of " + std::to_string(reported) + " devices) is above " +
         gate + " " + Format("%.2f", *limit);
}

// The first latency regression beyond the gate, by device class.
Result<std::optional<std::string>> LatencyGate(Transaction& tx, const DeploymentRecord& d) {
  if (!d.gates.max_latency_regression) return std::optional<std::string>();
  TMM_ASSIGN_OR_RETURN(auto rows,
                       tx.Query("SELECT device_class, COUNT(*), AVG(p95_us), AVG(previous_p95_us) "
                                "FROM deployment_devices WHERE deployment_id = ? AND stage <= ? "
                                "AND p95_us IS NOT NULL AND previous_p95_us IS NOT NULL "
                                "GROUP BY device_class ORDER BY device_class",
                                {d.id, d.stage}));
  for (const Row& r : rows) {
    const int64_t n = r.Int(1);
    const double now_p95 = r.Number(2), before = r.Number(3);
    if (n < d.gates.min_reports || before <= 0) continue;
    const double regression = now_p95 / before - 1;
    if (regression > *d.gates.max_latency_regression) {
      return std::optional<std::string>(
          "health gate: p95 latency on device class '" + r.Text(0) + "' is " +
          Format("%.0f%% above the previous version (%.0f us against %.0f us", regression * 100,
                 now_p95, before) +
          " over " + std::to_string(n) + " devices), beyond max_latency_regression " +
          Format("%.2f", *d.gates.max_latency_regression));
    }
  }
  return std::optional<std::string>();
}

}  // namespace

Result<DeploymentRecord> PauseDeployment(Transaction& tx, const std::string& project_id,
                                         const std::string& deployment_id,
                                         const std::string& actor, int64_t now) {
  TMM_ASSIGN_OR_RETURN(DeploymentRecord d, LockDeployment(tx, project_id, deployment_id));
  if (d.state != DeploymentState::kRollingOut) return NotAllowed(d, "pause");
  TMM_RETURN_IF_ERROR(CommitTransition(tx, d, DeploymentState::kPaused, d.stage,
                                       "paused at " + StageName(d, d.stage), actor, now));
  return d;
}

Result<DeploymentRecord> PromoteDeployment(Transaction& tx, const std::string& project_id,
                                           const std::string& deployment_id,
                                           const std::string& actor, int64_t now) {
  TMM_ASSIGN_OR_RETURN(DeploymentRecord d, LockDeployment(tx, project_id, deployment_id));
  if (!d.Active()) return NotAllowed(d, "promote");
  if (d.stage + 1 >= d.strategy.StageCount()) {
    TMM_RETURN_IF_ERROR(CommitTransition(tx, d, DeploymentState::kCompleted, d.stage,
                                         "completed by an operator", actor, now));
    return d;
  }
  TMM_RETURN_IF_ERROR(CommitTransition(tx, d, DeploymentState::kRollingOut, d.stage + 1,
                                       "promoted to " + StageName(d, d.stage + 1), actor, now));
  TMM_RETURN_IF_ERROR(AdvanceRollout(tx, d, now));
  return d;
}

Result<DeploymentRecord> RollBackDeployment(Transaction& tx, const std::string& project_id,
                                            const std::string& deployment_id,
                                            const std::string& reason, const std::string& actor,
                                            int64_t now) {
  TMM_ASSIGN_OR_RETURN(DeploymentRecord d, LockDeployment(tx, project_id, deployment_id));
  if (d.state == DeploymentState::kRolledBack) return NotAllowed(d, "roll back");
  if (!d.current) {
    return Status::Error(StatusCode::kFailedPrecondition,
                         "cannot roll back the deployment %s: a newer deployment of %s replaced "
                         "it; roll that one back instead",
                         d.id.c_str(), d.model.c_str());
  }
  TMM_RETURN_IF_ERROR(CommitTransition(tx, d, DeploymentState::kRolledBack, d.stage,
                                       reason.empty() ? "rolled back by an operator" : reason,
                                       actor, now));
  return d;
}

Result<DeploymentRecord> LockDeployment(Transaction& tx, const std::string& project_id,
                                        const std::string& deployment_id) {
  TMM_ASSIGN_OR_RETURN(int64_t locked,
                       tx.Execute("UPDATE deployments SET revision = revision WHERE id = ? AND "
                                  "project_id = ?",
                                  {deployment_id, project_id}));
  if (locked == 0) {
    return Status::Error(StatusCode::kNotFound, "no deployment %s in this project",
                         deployment_id.c_str());
  }
  return FindDeployment(tx, project_id, deployment_id);
}

Status AdvanceRollout(Transaction& tx, DeploymentRecord& d, int64_t now) {
  while (d.Active()) {
    TMM_ASSIGN_OR_RETURN(StageTally t, Tally(tx, d));
    std::optional<std::string> tripped;
    if (t.reported >= d.gates.min_reports) {
      tripped = RateGate("install failure", "max_install_failure_rate", t.install_failed,
                         t.reported, d.gates.max_install_failure_rate);
      if (!tripped) {
        tripped = RateGate("self-test failure", "max_self_test_failure_rate", t.self_test_failed,
                           t.reported, d.gates.max_self_test_failure_rate);
      }
      if (!tripped) {
        tripped = RateGate("crash", "max_crash_rate", t.crashed, t.reported, d.gates.max_crash_rate);
      }
    }
    if (!tripped) {
      TMM_ASSIGN_OR_RETURN(tripped, LatencyGate(tx, d));
    }
    if (tripped) {
      return CommitTransition(tx, d, DeploymentState::kRolledBack, d.stage, *tripped,
                              kHealthGateActor, now);
    }
    if (d.state == DeploymentState::kPaused || t.devices == 0 || t.outstanding > 0) {
      return Status::Ok();
    }
    if (d.stage + 1 >= d.strategy.StageCount()) {
      return CommitTransition(tx, d, DeploymentState::kCompleted, d.stage,
                              "every device reported and the health gates passed",
                              kHealthGateActor, now);
    }
    if (!d.strategy.auto_promote) return Status::Ok();
    TMM_RETURN_IF_ERROR(CommitTransition(
        tx, d, DeploymentState::kRollingOut, d.stage + 1,
        "auto-promoted to " + StageName(d, d.stage + 1) + ": every device of " +
            StageName(d, d.stage) + " reported and the health gates passed",
        kHealthGateActor, now));
  }
  return Status::Ok();
}

}  // namespace tinymlops::server
