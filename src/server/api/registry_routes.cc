// Routes of the registry: models, variant uploads (re-verified), and package downloads with
// HTTP Range for operators and for the devices of the project.
#include "server/api/control_plane.h"
#include "server/api/request_auth.h"
#include "server/api/request_bodies.h"
#include "server/api/route_helpers.h"
#include "server/registry/model_registry.h"
#include "server/registry/trusted_keys.h"

namespace tinymlops::server {
namespace {

nlohmann::json VariantJson(const VariantRecord& v) {
  nlohmann::json ops = nlohmann::json::parse(v.ops_json, nullptr, false);
  return {{"id", v.id},
          {"model", v.model},
          {"version", v.version},
          {"variant", v.name},
          {"target", v.target},
          {"dtype", v.dtype},
          {"size_bytes", v.size_bytes},
          {"arena_bytes", v.arena_bytes},
          {"ops", ops.is_discarded() ? nlohmann::json::array() : ops},
          {"accuracy", v.accuracy ? nlohmann::json(*v.accuracy) : nlohmann::json()},
          {"release", v.release},
          {"min_runtime_version", v.min_runtime_version},
          {"signer_key_id", v.signer_key_id},
          {"package_bytes", v.artifact_bytes},
          {"package_hash", v.artifact_hash},
          {"created_unix", v.created_unix}};
}

// The package of `variant`, whole or the requested byte range.
HttpResponse PackageDownload(const ControlPlane::Context& c, const HttpRequest& request,
                             const VariantRecord& variant) {
  HttpResponse response;
  response.content_type = "application/octet-stream";
  response.file = c.artifacts.PathOf(variant.artifact);
  response.headers.emplace_back("Accept-Ranges", "bytes");
  response.headers.emplace_back("ETag", "\"" + variant.artifact_hash + "\"");
  const uint64_t size = static_cast<uint64_t>(variant.artifact_bytes);
  response.file_length = size;
  const std::string range_header = request.Header("range");
  if (range_header.empty()) return response;
  auto range = ParseByteRange(range_header, size);
  if (!range.ok()) {
    if (range.status().code() != StatusCode::kOutOfRange) return response;  // ignored, RFC 9110
    HttpResponse refused = ErrorResponse(416, range.status().message());
    refused.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
    return refused;
  }
  response.status = 206;
  response.file_offset = range->first;
  response.file_length = range->length;
  response.headers.emplace_back("Content-Range",
                                "bytes " + std::to_string(range->first) + "-" +
                                    std::to_string(range->first + range->length - 1) + "/" +
                                    std::to_string(size));
  return response;
}

}  // namespace

void AddRegistryRoutes(Router& router, const ControlPlane::Context& context) {
  const ControlPlane::Context* c = &context;

  router.Add("POST", "/v1/projects/{project}/models",
             ProjectRoute(c, Role::kDeployer, [c](Transaction& tx, HttpRequest& request,
                                                  const std::string& project) {
               TMO_ASSIGN_OR_RESPOND(NamedRequest body, ParseNamedRequest(request.body));
               TMO_ASSIGN_OR_RESPOND(ModelRecord model, CreateModel(tx, project, body.name,
                                                                    body.description, c->now()));
               TMO_RESPOND_IF_ERROR(tx.Commit());
               return JsonResponse(201, {{"id", model.id}, {"name", model.name},
                                         {"description", model.description}});
             }));

  router.Add("GET", "/v1/projects/{project}/models",
             ProjectRoute(c, Role::kViewer, [](Transaction& tx, HttpRequest&,
                                               const std::string& project) {
               TMO_ASSIGN_OR_RESPOND(auto models, ListModels(tx, project));
               nlohmann::json list = nlohmann::json::array();
               for (const ModelRecord& m : models) {
                 list.push_back({{"id", m.id}, {"name", m.name}, {"description", m.description},
                                 {"created_unix", m.created_unix}});
               }
               return JsonResponse(200, {{"models", list}});
             }));

  // The package is verified and written with no transaction open (SQLite serializes them).
  router.Add("PUT", "/v1/projects/{project}/models/{model}/versions/{version}/variants/{variant}",
             [c](HttpRequest& request) {
               const std::string project = request.params["project"];
               std::vector<crypto::SigningPublicKey> trusted;
               {
                 TMO_BEGIN_OR_RESPOND(tx, c->store);
                 OperatorIdentity op;
                 TMO_RESPOND_IF_REFUSED(
                     RequireOperator(*tx, request, project, Role::kDeployer, &op));
                 TMO_RESPOND_IF_ERROR(FindModelId(*tx, project, request.params["model"]).status());
                 TMO_ASSIGN_OR_RESPOND(trusted, TrustedKeys(*tx, project));
               }
               TMO_ASSIGN_OR_RESPOND(VariantUpload upload, ParseVariantUpload(request.query));
               upload.model = request.params["model"];
               upload.version = request.params["version"];
               upload.variant = request.params["variant"];
               TMO_ASSIGN_OR_RESPOND(VerifiedPackage verified,
                                     VerifyUpload(upload, request.body, trusted));
               TMO_ASSIGN_OR_RESPOND(ArtifactRef artifact, c->artifacts.Put(request.body));
               TMO_BEGIN_OR_RESPOND(tx, c->store);
               TMO_ASSIGN_OR_RESPOND(VariantRecord variant,
                                     RecordVariant(*tx, project, upload, verified, artifact,
                                                   c->now()));
               TMO_RESPOND_IF_ERROR(tx->Commit());
               return JsonResponse(201, VariantJson(variant));
             });

  router.Add("GET", "/v1/projects/{project}/models/{model}/variants",
             ProjectRoute(c, Role::kViewer, [](Transaction& tx, HttpRequest& request,
                                               const std::string& project) {
               TMO_ASSIGN_OR_RESPOND(auto variants,
                                     ListVariants(tx, project, request.params["model"]));
               nlohmann::json list = nlohmann::json::array();
               for (const VariantRecord& v : variants) list.push_back(VariantJson(v));
               return JsonResponse(200, {{"variants", list}});
             }));

  router.Add("GET", "/v1/projects/{project}/variants/{variant}/package",
             ProjectRoute(c, Role::kViewer, [c](Transaction& tx, HttpRequest& request,
                                                const std::string& project) {
               TMO_ASSIGN_OR_RESPOND(VariantRecord variant,
                                     FindVariant(tx, project, request.params["variant"]));
               return PackageDownload(*c, request, variant);
             }));

  // Only the device's own project: another project's variant is not found.
  router.Add("GET", "/v1/device/variants/{variant}/package",
             DeviceRoute(c, [c](Transaction& tx, HttpRequest& request,
                                const AuthenticatedDevice& device) {
               TMO_ASSIGN_OR_RESPOND(VariantRecord variant,
                                     FindVariant(tx, device.project_id, request.params["variant"]));
               return PackageDownload(*c, request, variant);
             }));
}

}  // namespace tinymlops::server
