// GET /metrics: Prometheus text for a server-wide token.
#include "server/api/control_plane.h"
#include "server/api/request_auth.h"
#include "server/api/route_helpers.h"

#include <map>

namespace tinymlops::server {

namespace {

// A gauge with one label: the rows of `sql` as (label value, count), `values` always present.
Result<std::string> LabelledGauge(Transaction& tx, const char* name, const char* help,
                                  const char* label, const std::string& sql,
                                  const std::vector<std::string>& values) {
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query(sql));
  std::map<std::string, int64_t> counts;
  for (const std::string& v : values) counts[v] = 0;
  for (const Row& row : rows) counts[row.Text(0)] = row.Int(1);
  std::string out = std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
  for (const auto& [value, count] : counts) {
    out += std::string(name) + "{" + label + "=\"" + PrometheusLabel(value) + "\"} " +
           std::to_string(count) + "\n";
  }
  return out;
}

}  // namespace

void AddMetricsRoute(Router& router, const ControlPlane::Context& context,
                     const RequestMetrics& metrics, const CheckinMetrics& checkins) {
  const ControlPlane::Context* c = &context;
  const RequestMetrics* m = &metrics;
  const CheckinMetrics* k = &checkins;
  router.Add("GET", "/metrics", [c, m, k](HttpRequest& request) {
    TMO_BEGIN_OR_RESPOND(tx, c->store);
    OperatorIdentity op;
    TMO_RESPOND_IF_REFUSED(RequireOperator(*tx, request, "", Role::kViewer, &op));
    const struct {
      const char* name;
      const char* help;
      std::string sql;
      std::vector<SqlValue> params;
    } gauges[] = {
        {"tinymlops_projects", "Projects in the store.", "SELECT COUNT(*) FROM projects", {}},
        {"tinymlops_devices", "Enrolled devices in the store.", "SELECT COUNT(*) FROM devices",
         {}},
        {"tinymlops_devices_seen_5m", "Devices seen in the last 5 minutes.",
         "SELECT COUNT(*) FROM devices WHERE last_seen_unix >= ?", {c->now() - 300}},
        {"tinymlops_variants", "Model variants in the registry.", "SELECT COUNT(*) FROM variants",
         {}},
    };
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4";
    for (const auto& gauge : gauges) {
      TMO_ASSIGN_OR_RESPOND(auto rows, tx->Query(gauge.sql, gauge.params));
      response.body += std::string("# HELP ") + gauge.name + " " + gauge.help + "\n# TYPE " +
                       gauge.name + " gauge\n" + gauge.name + " " +
                       std::to_string(rows.empty() ? 0 : rows[0].Int(0)) + "\n";
    }
    TMO_ASSIGN_OR_RESPOND(std::string deployments,
                          LabelledGauge(*tx, "tinymlops_deployments", "Deployments by state.",
                                        "state",
                                        "SELECT state, COUNT(*) FROM deployments GROUP BY state",
                                        {"rolling_out", "paused", "completed", "rolled_back"}));
    TMO_ASSIGN_OR_RESPOND(
        std::string devices,
        LabelledGauge(*tx, "tinymlops_rollout_devices",
                      "Devices of active deployments (rolling out or paused) by status.", "status",
                      "SELECT dd.status, COUNT(*) FROM deployment_devices dd JOIN deployments d "
                      "ON d.id = dd.deployment_id WHERE d.active_model IS NOT NULL "
                      "GROUP BY dd.status",
                      {"pending", "downloading", "installed", "install_failed",
                       "self_test_failed", "refused", "rolled_back"}));
    response.body += deployments + devices;
    response.body += k->Render();
    response.body += m->Render();
    return response;
  });
}

}  // namespace tinymlops::server
