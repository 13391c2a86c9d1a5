// Helpers shared by the route files of server/api/: a transaction per request, and parse
// results turned into responses. Internal to server/api/.
#ifndef TINYMLOPS_SERVER_API_ROUTE_HELPERS_H_
#define TINYMLOPS_SERVER_API_ROUTE_HELPERS_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "server/api/control_plane.h"
#include "server/api/json_response.h"
#include "server/api/request_auth.h"
#include "server/store/store.h"

namespace tinymlops::server {

// A handler of /v1/projects/{project}/...: runs in a transaction after RequireOperator allowed
// the caller `minimum` on the path's project; it commits what it writes.
using ProjectHandler =
    std::function<HttpResponse(Transaction& tx, HttpRequest& request, const std::string& project)>;
Router::Handler ProjectRoute(const ControlPlane::Context* c, Role minimum, ProjectHandler handler);
// The same, for a handler that records who acted (the operator's token).
using OperatorHandler = std::function<HttpResponse(Transaction& tx, HttpRequest& request,
                                                   const std::string& project,
                                                   const OperatorIdentity& op)>;
Router::Handler ProjectRoute(const ControlPlane::Context* c, Role minimum, OperatorHandler handler);

// A handler of /v1/device/...: runs in a transaction after RequireDevice accepted the signed
// or session-MACed request; the transaction is committed afterwards whatever the handler
// answered, so that the request's nonce (or session counter) stays used.
using DeviceHandler = std::function<HttpResponse(Transaction& tx, HttpRequest& request,
                                                 const AuthenticatedDevice& device)>;
Router::Handler DeviceRoute(const ControlPlane::Context* c, DeviceHandler handler);
// The same, with a shortcut tried first, once the device is authenticated: it answers from
// what the process holds in memory, writing nothing, or returns nullopt to let `handler` run.
// A session-MACed request is authenticated, and the shortcut tried, in a read transaction
// (Store::BeginRead), which waits for no writer; on a miss `handler` runs in a write
// transaction of its own. A signed request, whose nonce is written, takes one write
// transaction for all of it.
using DeviceShortcut = std::function<std::optional<HttpResponse>(
    HttpRequest& request, const AuthenticatedDevice& device)>;
Router::Handler DeviceRoute(const ControlPlane::Context* c, DeviceShortcut shortcut,
                            DeviceHandler handler);

}  // namespace tinymlops::server

// Begins a transaction into `tx` (with `begin`: Begin or BeginRead) or returns the 500
// response from the enclosing handler.
#define TMO_BEGIN_OR_RESPOND_WITH(tx, store, begin)                   \
  auto tx##_result = (store).begin();                                 \
  if (!tx##_result.ok()) return StatusResponse(tx##_result.status()); \
  std::unique_ptr<::tinymlops::server::Transaction> tx = std::move(*tx##_result)
#define TMO_BEGIN_OR_RESPOND(tx, store) TMO_BEGIN_OR_RESPOND_WITH(tx, store, Begin)

// Evaluates a Result<T> into `lhs` or returns its error response.
#define TMO_ASSIGN_OR_RESPOND(lhs, rexpr)                              \
  auto TINYMLOPS_CONCAT(tmo_result_, __LINE__) = (rexpr);              \
  if (!TINYMLOPS_CONCAT(tmo_result_, __LINE__).ok())                   \
    return StatusResponse(TINYMLOPS_CONCAT(tmo_result_, __LINE__).status()); \
  lhs = std::move(TINYMLOPS_CONCAT(tmo_result_, __LINE__).value())

// Evaluates a Status or returns its error response.
#define TMO_RESPOND_IF_ERROR(expr)                       \
  do {                                                   \
    ::tinymlops::Status tmo_status_ = (expr);            \
    if (!tmo_status_.ok()) return StatusResponse(tmo_status_); \
  } while (0)

// Returns the response of a refused RequireOperator / RequireDevice.
#define TMO_RESPOND_IF_REFUSED(expr)       \
  do {                                     \
    auto tmo_refusal_ = (expr);            \
    if (tmo_refusal_) return *tmo_refusal_; \
  } while (0)

#endif  // TINYMLOPS_SERVER_API_ROUTE_HELPERS_H_
