// ControlPlane: the tinymlops-server HTTP/JSON API (docs/api/openapi.yaml, served at
// GET /openapi) over a Store and an ArtifactStore. Operators authenticate with
// "Authorization: Bearer <token>" (server/auth/operator_token.h); devices enroll once with an
// enrollment token and then sign each request (server/auth/device_request_signature.h) or MAC
// it under a session opened by one signed request (server/auth/device_session.h).
// Nothing of one project is visible to another: a token of project A asking for project B is
// answered 404, as for a project that does not exist. Errors are {"error": "..."} with 400
// (malformed), 401 (no or bad credentials), 403 (role too small), 404, 409 (already exists),
// 413 (too large), 416 (range), 500 (store or I/O).
// Thread-safety: Handle() from any number of threads. State beyond the store: this process's
// device sessions (server/auth/device_session.h), last-seen times not yet written (at most a
// second's, server/fleet/last_seen_recorder.h), and recent check-in answers, each trusted only
// while the store says nothing it was computed from changed.
#ifndef TINYMLOPS_SERVER_API_CONTROL_PLANE_H_
#define TINYMLOPS_SERVER_API_CONTROL_PLANE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "server/api/http_message.h"
#include "server/api/router.h"
#include "server/auth/device_session.h"
#include "server/fleet/last_seen_recorder.h"
#include "server/observability/checkin_metrics.h"
#include "server/observability/request_metrics.h"
#include "server/registry/artifact_store.h"
#include "server/rollout/checkin_answer_cache.h"
#include "server/store/store.h"

namespace tinymlops::server {

class ControlPlane {
 public:
  using Clock = std::function<int64_t()>;  // unix seconds
  ControlPlane(Store& store, std::string artifact_root, Clock clock = nullptr);
  HttpResponse Handle(HttpRequest& request) const;
  // Writes the last-seen times of session requests noted so far (they are otherwise written
  // within a second, and when the ControlPlane is destroyed).
  Status FlushLastSeen() { return last_seen_.Flush(); }

  struct Context {
    Store& store;
    ArtifactStore artifacts;
    Clock now;
    DeviceSessions& sessions;      // this process's device sessions
    LastSeenRecorder& last_seen;   // writes session requests' times behind them
  };

 private:
  DeviceSessions sessions_;
  LastSeenRecorder last_seen_;
  Context context_;
  Router router_;
  mutable RequestMetrics metrics_;
  CheckinMetrics checkin_metrics_;
  CheckinAnswerCache checkin_answers_;
};

// The OpenAPI document (docs/api/openapi.yaml, compiled in).
const char* OpenApiDocument();

// GET /metrics (Prometheus text; a server-wide token): this process's request and check-in
// counters and the store's totals of projects, devices (and those seen in the last 5
// minutes), variants, deployments by state and the devices of active deployments by status.
void AddMetricsRoute(Router& router, const ControlPlane::Context& context,
                     const RequestMetrics& metrics, const CheckinMetrics& checkins);

// Route groups (one file each), registered by ControlPlane.
void AddProjectRoutes(Router& router, const ControlPlane::Context& context);
void AddFleetRoutes(Router& router, const ControlPlane::Context& context);
void AddRegistryRoutes(Router& router, const ControlPlane::Context& context);
void AddDeploymentRoutes(Router& router, const ControlPlane::Context& context);
void AddCheckinRoute(Router& router, const ControlPlane::Context& context,
                     const CheckinMetrics& metrics, CheckinAnswerCache& answers);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_API_CONTROL_PLANE_H_
