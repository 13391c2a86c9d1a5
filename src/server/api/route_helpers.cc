#include "server/api/route_helpers.h"

#include "server/auth/device_session.h"

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
  return DeviceRoute(c, nullptr, std::move(handler));
}

Router::Handler DeviceRoute(const ControlPlane::Context* c, DeviceShortcut shortcut,
                            DeviceHandler handler) {
  return [c, shortcut = std::move(shortcut), handler = std::move(handler)](HttpRequest& request) {
    AuthenticatedDevice device;
    std::optional<HttpResponse> answer;
    // A session request writes nothing to be authenticated: its shortcut is tried in a read
    // transaction, and only a miss takes the write transaction below.
    const bool read_first = shortcut && HasDeviceSessionHeader(request.headers);
    if (read_first) {
      TMO_BEGIN_OR_RESPOND_WITH(read, c->store, BeginRead);
      TMO_RESPOND_IF_REFUSED(
          RequireDevice(*read, c->sessions, c->last_seen, request, c->now(), &device));
      answer = shortcut(request, device);
      TMO_RESPOND_IF_ERROR(read->Commit());
      if (answer) return std::move(*answer);
    }
    TMO_BEGIN_OR_RESPOND(tx, c->store);
    if (!read_first) {
      TMO_RESPOND_IF_REFUSED(
          RequireDevice(*tx, c->sessions, c->last_seen, request, c->now(), &device));
      if (shortcut) answer = shortcut(request, device);
    }
    HttpResponse response = answer ? std::move(*answer) : handler(*tx, request, device);
    TMO_RESPOND_IF_ERROR(tx->Commit());
    return response;
  };
}

}  // namespace tinymlops::server
