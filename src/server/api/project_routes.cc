// Routes of projects, operator tokens, trusted keys and enrollment tokens.
#include "server/api/control_plane.h"
#include "server/api/request_auth.h"
#include "server/api/request_bodies.h"
#include "server/api/route_helpers.h"
#include "server/fleet/device_directory.h"
#include "server/registry/trusted_keys.h"

namespace tinymlops::server {

void AddProjectRoutes(Router& router, const ControlPlane::Context& context) {
  const ControlPlane::Context* c = &context;

  router.Add("POST", "/v1/projects", [c](HttpRequest& request) {
    TMO_BEGIN_OR_RESPOND(tx, c->store);
    OperatorIdentity op;
    TMO_RESPOND_IF_REFUSED(RequireOperator(*tx, request, "", Role::kAdmin, &op));
    TMO_ASSIGN_OR_RESPOND(NamedRequest body, ParseNamedRequest(request.body));
    TMO_RESPOND_IF_ERROR(tx->Execute("INSERT INTO projects (id, name, created_unix) "
                                     "VALUES (?, ?, ?)",
                                     {body.name, body.name, c->now()})
                             .status());
    TMO_RESPOND_IF_ERROR(tx->Commit());
    return JsonResponse(201, {{"id", body.name}, {"name", body.name}});
  });

  router.Add("GET", "/v1/projects", [c](HttpRequest& request) {
    TMO_BEGIN_OR_RESPOND(tx, c->store);
    OperatorIdentity op;
    auto refused = RequireOperator(*tx, request, "", Role::kViewer, &op);
    if (refused && refused->status != 403) return *refused;
    // A project token sees its own project only.
    TMO_ASSIGN_OR_RESPOND(auto rows,
                          op.project_id.empty()
                              ? tx->Query("SELECT id, created_unix FROM projects ORDER BY id")
                              : tx->Query("SELECT id, created_unix FROM projects WHERE id = ?",
                                          {op.project_id}));
    nlohmann::json projects = nlohmann::json::array();
    for (const Row& row : rows) {
      projects.push_back({{"id", row.Text(0)}, {"name", row.Text(0)},
                          {"created_unix", row.Int(1)}});
    }
    return JsonResponse(200, {{"projects", projects}});
  });

  router.Add("POST", "/v1/projects/{project}/tokens",
             ProjectRoute(c, Role::kAdmin, [](Transaction& tx, HttpRequest& request,
                                              const std::string& project) {
               TMO_ASSIGN_OR_RESPOND(TokenRequest body, ParseTokenRequest(request.body));
               Role role = Role::kViewer;
               ParseRole(body.role, &role);
               TMO_ASSIGN_OR_RESPOND(CreatedToken token,
                                     CreateOperatorToken(tx, project, role, body.name));
               TMO_RESPOND_IF_ERROR(tx.Commit());
               return JsonResponse(201, {{"id", token.id}, {"token", token.token},
                                         {"role", body.role}, {"project", project}});
             }));

  router.Add("GET", "/v1/projects/{project}/tokens",
             ProjectRoute(c, Role::kAdmin, [](Transaction& tx, HttpRequest&,
                                              const std::string& project) {
               TMO_ASSIGN_OR_RESPOND(auto tokens, ListOperatorTokens(tx, project));
               nlohmann::json list = nlohmann::json::array();
               for (const TokenRecord& t : tokens) {
                 list.push_back({{"id", t.id}, {"name", t.name}, {"role", RoleName(t.role)},
                                 {"created_unix", t.created_unix}, {"revoked", t.revoked}});
               }
               return JsonResponse(200, {{"tokens", list}});
             }));

  router.Add("DELETE", "/v1/projects/{project}/tokens/{token}",
             ProjectRoute(c, Role::kAdmin, [](Transaction& tx, HttpRequest& request,
                                              const std::string& project) {
               TMO_RESPOND_IF_ERROR(RevokeOperatorToken(tx, project, request.params["token"]));
               TMO_RESPOND_IF_ERROR(tx.Commit());
               return JsonResponse(200, {{"id", request.params["token"]}, {"revoked", true}});
             }));

  router.Add("POST", "/v1/projects/{project}/keys",
             ProjectRoute(c, Role::kAdmin, [c](Transaction& tx, HttpRequest& request,
                                               const std::string& project) {
               TMO_ASSIGN_OR_RESPOND(KeyRequest body, ParseKeyRequest(request.body));
               TMO_ASSIGN_OR_RESPOND(std::string key_id, AddTrustedKey(tx, project, body.name,
                                                                       body.public_key, c->now()));
               TMO_RESPOND_IF_ERROR(tx.Commit());
               return JsonResponse(201, {{"key_id", key_id}, {"name", body.name}});
             }));

  router.Add("POST", "/v1/projects/{project}/enrollment-tokens",
             ProjectRoute(c, Role::kDeployer, [c](Transaction& tx, HttpRequest& request,
                                                  const std::string& project) {
               TMO_ASSIGN_OR_RESPOND(EnrollmentTokenRequest body,
                                     ParseEnrollmentTokenRequest(request.body));
               TMO_ASSIGN_OR_RESPOND(EnrollmentToken token,
                                     CreateEnrollmentToken(tx, project, body.ttl_seconds, c->now()));
               TMO_RESPOND_IF_ERROR(tx.Commit());
               return JsonResponse(201,
                                   {{"token", token.token}, {"expires_unix", token.expires_unix}});
             }));
}

}  // namespace tinymlops::server
