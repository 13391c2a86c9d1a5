// Authentication and authorization of one request, for the route files of server/api/.
// RequireOperator checks "Authorization: Bearer <token>" and that the token may act on
// `project` ("" : server-wide, e.g. creating projects) with at least `minimum`; on refusal it
// returns the response to send (401 no/bad token, 404 project not visible, 403 role too small).
// RequireDevice checks a signed or session-MACed device request
// (server/fleet/device_authenticator.h): 401.
// Thread-safety: functions over a caller's Transaction.
#ifndef TINYMLOPS_SERVER_API_REQUEST_AUTH_H_
#define TINYMLOPS_SERVER_API_REQUEST_AUTH_H_

#include <optional>
#include <string>

#include "server/api/http_message.h"
#include "server/auth/operator_token.h"
#include "server/fleet/device_authenticator.h"
#include "server/store/store.h"

namespace tinymlops::server {

std::optional<HttpResponse> RequireOperator(Transaction& tx, const HttpRequest& request,
                                            const std::string& project, Role minimum,
                                            OperatorIdentity* identity);
std::optional<HttpResponse> RequireDevice(Transaction& tx, DeviceSessions& sessions,
                                          LastSeenRecorder& last_seen,
                                          const HttpRequest& request, int64_t now,
                                          AuthenticatedDevice* device);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_API_REQUEST_AUTH_H_
