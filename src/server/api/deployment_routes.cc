// Routes of deployments and rollouts (operators): create, list, status, pause, promote,
// rollback under /v1/projects/{project}/deployments (docs/rollouts.md).
#include "server/api/control_plane.h"
#include "server/api/request_auth.h"
#include "server/api/request_bodies.h"
#include "server/api/route_helpers.h"
#include "server/rollout/deployment_devices.h"
#include "server/rollout/deployment_directory.h"
#include "server/rollout/rollout_engine.h"

namespace tinymlops::server {
namespace {

using nlohmann::json;

constexpr int64_t kRefusedListLimit = 100;

json ParsedOrNull(const std::string& text) {
  if (text.empty()) return nullptr;
  json parsed = json::parse(text, nullptr, false);
  return parsed.is_discarded() ? json(nullptr) : parsed;
}

json StagesJson(const RolloutStrategy& strategy) {
  json stages = json::array();
  if (strategy.type == RolloutStrategy::Type::kCanary) {
    stages.push_back({{"canary_tag", strategy.canary_tag}});
  }
  for (int64_t percent : strategy.stages) stages.push_back({{"percent", percent}});
  return stages;
}

json DeploymentJson(const DeploymentRecord& d) {
  json out = {{"id", d.id},
              {"name", d.name},
              {"model", d.model},
              {"version", d.version},
              {"variants", d.variants},
              {"policy", ParsedOrNull(d.policy_json)},
              {"target", {{"tags", d.target_tags}}},
              {"strategy", ParsedOrNull(RolloutStrategyJson(d.strategy))},
              {"split", nullptr},
              {"gates", ParsedOrNull(HealthGatesJson(d.gates))},
              {"state", DeploymentStateName(d.state)},
              {"stage", d.stage},
              {"stages", StagesJson(d.strategy)},
              {"revision", d.revision},
              {"current", d.current},
              {"previous_deployment", d.previous_id.empty() ? json(nullptr) : json(d.previous_id)},
              {"rollback_reason", d.rollback_reason.empty() ? json(nullptr) : json(d.rollback_reason)},
              {"created_unix", d.created_unix},
              {"updated_unix", d.updated_unix}};
  if (!d.split_version.empty()) {
    out["split"] = {{"version", d.split_version}, {"percent", d.split_percent}};
  }
  return out;
}

// The status view: the deployment, its device counts, refused devices and history.
HttpResponse DeploymentStatusResponse(Transaction& tx, const DeploymentRecord& d, int code) {
  TMO_ASSIGN_OR_RESPOND(auto all, CountDeploymentDevices(tx, d.id, -1));
  TMO_ASSIGN_OR_RESPOND(auto reached, CountDeploymentDevices(tx, d.id, d.stage));
  auto count = [](const std::map<std::string, int64_t>& counts, const char* status) {
    auto it = counts.find(status);
    return it == counts.end() ? int64_t{0} : it->second;
  };
  int64_t targeted = 0, in_stage = 0;
  for (const auto& [status, n] : all) targeted += n;
  for (const auto& [status, n] : reached) in_stage += n;
  json counts = {{"targeted", targeted},
                 {"in_current_stage", in_stage},
                 {"failed", count(all, "install_failed") + count(all, "self_test_failed")}};
  for (const char* status : {"pending", "downloading", "installed", "install_failed",
                             "self_test_failed", "refused", "rolled_back"}) {
    counts[status] = count(all, status);
  }
  TMO_ASSIGN_OR_RESPOND(auto refused, RefusedDeploymentDevices(tx, d.id, kRefusedListLimit));
  json refused_list = json::array();
  for (const DeploymentDevice& r : refused) {
    refused_list.push_back({{"device", r.device_id}, {"reason", r.reason}});
  }
  TMO_ASSIGN_OR_RESPOND(auto history, DeploymentHistory(tx, d.id));
  json history_list = json::array();
  for (const DeploymentHistoryEntry& h : history) {
    history_list.push_back({{"revision", h.revision},
                            {"unix", h.unix},
                            {"from", h.from.empty() ? json(nullptr) : json(h.from)},
                            {"to", h.to},
                            {"stage", h.stage},
                            {"reason", h.reason},
                            {"actor", h.actor}});
  }
  json out = DeploymentJson(d);
  out["counts"] = counts;
  out["refused_devices"] = refused_list;
  out["refused_devices_truncated"] = count(all, "refused") > kRefusedListLimit;
  out["history"] = history_list;
  return JsonResponse(code, out);
}

std::string Actor(const OperatorIdentity& op) {
  return op.name.empty() ? op.token_id : op.name;
}

// A route that changes the deployment's state: `change` runs in the request's transaction.
using StateChange = std::function<Result<DeploymentRecord>(
    Transaction& tx, HttpRequest& request, const std::string& project, const std::string& actor)>;
Router::Handler StateChangeRoute(const ControlPlane::Context* c, StateChange change) {
  return ProjectRoute(c, Role::kDeployer,
                      [change = std::move(change)](Transaction& tx, HttpRequest& request,
                                                   const std::string& project,
                                                   const OperatorIdentity& op) {
                        TMO_ASSIGN_OR_RESPOND(DeploymentRecord d,
                                              change(tx, request, project, Actor(op)));
                        HttpResponse response = DeploymentStatusResponse(tx, d, 200);
                        TMO_RESPOND_IF_ERROR(tx.Commit());
                        return response;
                      });
}

}  // namespace

void AddDeploymentRoutes(Router& router, const ControlPlane::Context& context) {
  const ControlPlane::Context* c = &context;

  router.Add("POST", "/v1/projects/{project}/deployments",
             ProjectRoute(c, Role::kDeployer, [c](Transaction& tx, HttpRequest& request,
                                                  const std::string& project,
                                                  const OperatorIdentity& op) {
               TMO_ASSIGN_OR_RESPOND(DeploymentRequest body, ParseDeploymentRequest(request.body));
               TMO_ASSIGN_OR_RESPOND(DeploymentRecord d,
                                     CreateDeployment(tx, project, body, Actor(op), c->now()));
               TMO_RESPOND_IF_ERROR(AdvanceRollout(tx, d, c->now()));
               HttpResponse response = DeploymentStatusResponse(tx, d, 201);
               TMO_RESPOND_IF_ERROR(tx.Commit());
               return response;
             }));

  router.Add("GET", "/v1/projects/{project}/deployments",
             ProjectRoute(c, Role::kViewer, [](Transaction& tx, HttpRequest&,
                                               const std::string& project) {
               TMO_ASSIGN_OR_RESPOND(auto deployments, ListDeployments(tx, project));
               json list = json::array();
               for (const DeploymentRecord& d : deployments) list.push_back(DeploymentJson(d));
               return JsonResponse(200, {{"deployments", list}});
             }));

  router.Add("GET", "/v1/projects/{project}/deployments/{deployment}",
             ProjectRoute(c, Role::kViewer, [](Transaction& tx, HttpRequest& request,
                                               const std::string& project) {
               TMO_ASSIGN_OR_RESPOND(DeploymentRecord d,
                                     FindDeployment(tx, project, request.params["deployment"]));
               return DeploymentStatusResponse(tx, d, 200);
             }));

  router.Add("POST", "/v1/projects/{project}/deployments/{deployment}/pause",
             StateChangeRoute(c, [c](Transaction& tx, HttpRequest& request,
                                     const std::string& project, const std::string& actor) {
               return PauseDeployment(tx, project, request.params["deployment"], actor, c->now());
             }));

  router.Add("POST", "/v1/projects/{project}/deployments/{deployment}/promote",
             StateChangeRoute(c, [c](Transaction& tx, HttpRequest& request,
                                     const std::string& project, const std::string& actor) {
               return PromoteDeployment(tx, project, request.params["deployment"], actor,
                                        c->now());
             }));

  router.Add("POST", "/v1/projects/{project}/deployments/{deployment}/rollback",
             StateChangeRoute(c, [c](Transaction& tx, HttpRequest& request,
                                     const std::string& project,
                                     const std::string& actor) -> Result<DeploymentRecord> {
               TMM_ASSIGN_OR_RETURN(std::string reason, ParseRollbackRequest(request.body));
               return RollBackDeployment(tx, project, request.params["deployment"], reason, actor,
                                         c->now());
             }));
}

}  // namespace tinymlops::server
