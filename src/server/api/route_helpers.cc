#include "server/api/route_helpers.h"

namespace tinymlops::server {

Router::Handler ProjectRoute(const ControlPlane::Context* c, Role minimum, ProjectHandler handler) {
  return ProjectRoute(c, minimum,
                      OperatorHandler([handler = std::move(handler)](
                                          Transaction& tx, HttpRequest& request,
                                          const std::string& project, const OperatorIdentity&) {
                        return handler(tx, request, project);
                      }));
}

Router::Handler ProjectRoute(const ControlPlane::Context* c, Role minimum,
                             OperatorHandler handler) {
  return [c, minimum, handler = std::move(handler)](HttpRequest& request) {
    const std::string project = request.params["project"];
    TMO_BEGIN_OR_RESPOND(tx, c->store);
    OperatorIdentity op;
    TMO_RESPOND_IF_REFUSED(RequireOperator(*tx, request, project, minimum, &op));
    return handler(*tx, request, project, op);
  };
}

Router::Handler DeviceRoute(const ControlPlane::Context* c, DeviceHandler handler) {
  return [c, handler = std::move(handler)](HttpRequest& request) {
    TMO_BEGIN_OR_RESPOND(tx, c->store);
    AuthenticatedDevice device;
    TMO_RESPOND_IF_REFUSED(RequireDevice(*tx, c->sessions, c->last_seen, request, c->now(), &device));
    HttpResponse response = handler(*tx, request, device);
    TMO_RESPOND_IF_ERROR(tx->Commit());
    return response;
  };
}

}  // namespace tinymlops::server
