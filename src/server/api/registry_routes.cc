// Routes of the registry: models, variant and delta uploads (re-verified), and package
// downloads with HTTP Range for operators and for the devices of the project.
#include "server/api/control_plane.h"
#include "server/api/request_auth.h"
#include "server/api/request_bodies.h"
#include "server/api/route_helpers.h"
#include "server/registry/model_registry.h"
#include "server/registry/trusted_keys.h"
#include "server/registry/variant_delta.h"

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

nlohmann::json DeltaJson(const DeltaRecord& d, const VariantRecord& target) {
  return {{"id", d.id},
          {"model", target.model},
          {"version", target.version},
          {"variant", target.name},
          {"variant_id", d.variant_id},
          {"base_version", d.base_version},
          {"base_variant_id", d.base_variant_id},
          {"signer_key_id", d.signer_key_id},
          {"package_bytes", d.artifact_bytes},
          {"package_hash", d.artifact_hash},
          {"full_package_bytes", target.artifact_bytes},
          {"created_unix", d.created_unix}};
}

// A stored package (a variant's or a delta's), whole or the requested byte range.
HttpResponse PackageDownload(const ControlPlane::Context& c, const HttpRequest& request,
                             const std::string& artifact, const std::string& artifact_hash,
                             int64_t artifact_bytes) {
  HttpResponse response;
  response.content_type = "application/octet-stream";
  response.file = c.artifacts.PathOf(artifact);
  response.headers.emplace_back("Accept-Ranges", "bytes");
  response.headers.emplace_back("ETag", "\"" + artifact_hash + "\"");
  const uint64_t size = static_cast<uint64_t>(artifact_bytes);
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

  // A delta package of a variant against the same variant of an older version.
  router.Add(
      "PUT",
      "/v1/projects/{project}/models/{model}/versions/{version}/variants/{variant}/"
      "deltas/{base_version}",
      [c](HttpRequest& request) {
        const std::string project = request.params["project"];
        const DeltaUpload upload{request.params["model"], request.params["version"],
                                 request.params["variant"], request.params["base_version"]};
        std::vector<crypto::SigningPublicKey> trusted;
        DeltaVariants variants;
        {
          TMO_BEGIN_OR_RESPOND(tx, c->store);
          OperatorIdentity op;
          TMO_RESPOND_IF_REFUSED(RequireOperator(*tx, request, project, Role::kDeployer, &op));
          TMO_ASSIGN_OR_RESPOND(variants, FindDeltaVariants(*tx, project, upload));
          TMO_ASSIGN_OR_RESPOND(trusted, TrustedKeys(*tx, project));
        }
        TMO_ASSIGN_OR_RESPOND(VerifiedPackage verified,
                              VerifyDeltaUpload(variants, request.body, trusted));
        TMO_ASSIGN_OR_RESPOND(ArtifactRef artifact, c->artifacts.Put(request.body));
        TMO_BEGIN_OR_RESPOND(tx, c->store);
        TMO_ASSIGN_OR_RESPOND(DeltaRecord delta,
                              RecordDelta(*tx, variants, verified, artifact, c->now()));
        TMO_RESPOND_IF_ERROR(tx->Commit());
        return JsonResponse(201, DeltaJson(delta, variants.target));
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
               return PackageDownload(*c, request, variant.artifact, variant.artifact_hash,
                                      variant.artifact_bytes);
             }));

  // Only the device's own project: another project's variant is not found.
  router.Add("GET", "/v1/device/variants/{variant}/package",
             DeviceRoute(c, [c](Transaction& tx, HttpRequest& request,
                                const AuthenticatedDevice& device) {
               TMO_ASSIGN_OR_RESPOND(VariantRecord variant,
                                     FindVariant(tx, device.project_id, request.params["variant"]));
               return PackageDownload(*c, request, variant.artifact, variant.artifact_hash,
                                      variant.artifact_bytes);
             }));

  // A delta package, as offered in the check-in answer; only the device's own project.
  router.Add(
      "GET", "/v1/device/deltas/{delta}/package",
      DeviceRoute(c, [c](Transaction& tx, HttpRequest& request, const AuthenticatedDevice& device) {
        TMO_ASSIGN_OR_RESPOND(DeltaRecord delta,
                              FindDelta(tx, device.project_id, request.params["delta"]));
        return PackageDownload(*c, request, delta.artifact, delta.artifact_hash,
                               delta.artifact_bytes);
      }));
}

}  // namespace tinymlops::server
