#include "server/api/control_plane.h"

#include <chrono>
#include <ctime>

#include "server/api/json_response.h"

namespace tinymlops::server {

ControlPlane::ControlPlane(Store& store, std::string artifact_root, Clock clock)
    : last_seen_(store),
      context_{store, ArtifactStore(std::move(artifact_root)),
               clock ? std::move(clock) : [] { return static_cast<int64_t>(std::time(nullptr)); },
               sessions_, last_seen_} {
  router_.Add("GET", "/healthz", [this](HttpRequest&) {
    return JsonResponse(200, {{"status", "ok"}, {"store", context_.store.backend()}});
  });
  router_.Add("GET", "/openapi", [](HttpRequest&) {
    HttpResponse response;
    response.content_type = "application/yaml";
    response.body = OpenApiDocument();
    return response;
  });
  AddProjectRoutes(router_, context_);
  AddFleetRoutes(router_, context_);
  AddRegistryRoutes(router_, context_);
  AddDeploymentRoutes(router_, context_);
  AddCheckinRoute(router_, context_, checkin_metrics_, checkin_answers_);
  AddMetricsRoute(router_, context_, metrics_, checkin_metrics_);
}

HttpResponse ControlPlane::Handle(HttpRequest& request) const {
  const auto start = std::chrono::steady_clock::now();
  HttpResponse response = router_.Dispatch(request);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  static const std::string kUnmatched = "unmatched";
  metrics_.Record(request.method, request.route.empty() ? kUnmatched : request.route,
                  response.status, elapsed.count());
  return response;
}

}  // namespace tinymlops::server
