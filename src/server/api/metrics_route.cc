// GET /metrics: Prometheus text for a server-wide token.
#include "server/api/control_plane.h"
#include "server/api/request_auth.h"
#include "server/api/route_helpers.h"

namespace tinymlops::server {

void AddMetricsRoute(Router& router, const ControlPlane::Context& context,
                     const RequestMetrics& metrics) {
  const ControlPlane::Context* c = &context;
  const RequestMetrics* m = &metrics;
  router.Add("GET", "/metrics", [c, m](HttpRequest& request) {
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
    response.body += m->Render();
    return response;
  });
}

}  // namespace tinymlops::server
