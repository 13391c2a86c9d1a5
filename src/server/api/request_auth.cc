#include "server/api/request_auth.h"

#include "server/api/json_response.h"

namespace tinymlops::server {

std::optional<HttpResponse> RequireOperator(Transaction& tx, const HttpRequest& request,
                                            const std::string& project, Role minimum,
                                            OperatorIdentity* identity) {
  const std::string header = request.Header("authorization");
  const std::string scheme = "Bearer ";
  if (header.rfind(scheme, 0) != 0 || header.size() == scheme.size()) {
    HttpResponse response =
        ErrorResponse(401, "this request needs an operator API token: "
                           "'Authorization: Bearer <token>'");
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
  }
  auto found = FindOperatorToken(tx, header.substr(scheme.size()));
  if (!found.ok()) {
    if (found.status().code() != StatusCode::kNotFound) return StatusResponse(found.status());
    return ErrorResponse(401, found.status().message());
  }
  *identity = *found;
  if (!project.empty()) {
    if (!identity->project_id.empty() && identity->project_id != project) {
      return ErrorResponse(404, "no such project: " + project);
    }
    auto exists = tx.Query("SELECT id FROM projects WHERE id = ?", {project});
    if (!exists.ok()) return StatusResponse(exists.status());
    if (exists->empty()) return ErrorResponse(404, "no such project: " + project);
  } else if (!identity->project_id.empty()) {
    return ErrorResponse(403, "this needs a server-wide token; this token belongs to project " +
                                  identity->project_id);
  }
  if (static_cast<int>(identity->role) < static_cast<int>(minimum)) {
    return ErrorResponse(403, std::string("this needs the role ") + RoleName(minimum) +
                                  " or higher; the token has the role " +
                                  RoleName(identity->role));
  }
  return std::nullopt;
}

std::optional<HttpResponse> RequireDevice(Transaction& tx, DeviceSessions& sessions,
                                          LastSeenRecorder& last_seen,
                                          const HttpRequest& request, int64_t now,
                                          AuthenticatedDevice* device) {
  auto authenticated = AuthenticateDevice(tx, sessions, last_seen, request.method, request.target,
                                          request.headers, request.body, now);
  if (!authenticated.ok()) {
    if (authenticated.status().code() == StatusCode::kInvalidArgument) {
      return ErrorResponse(401, authenticated.status().message());
    }
    return StatusResponse(authenticated.status());
  }
  *device = *authenticated;
  return std::nullopt;
}

}  // namespace tinymlops::server
