// Routes of the fleet: enrollment, device sessions, signed device reports, and the operators'
// view of devices.
#include <sodium.h>

#include "server/api/control_plane.h"
#include "server/api/request_auth.h"
#include "server/api/request_bodies.h"
#include "server/api/route_helpers.h"
#include "server/auth/opaque_token.h"
#include "server/fleet/device_directory.h"

namespace tinymlops::server {
namespace {

nlohmann::json JsonField(const std::string& text) {
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json::object() : parsed;
}

nlohmann::json DeviceJson(const DeviceRecord& d) {
  return {{"id", d.id},
          {"project", d.project_id},
          {"name", d.name},
          {"public_key", d.public_key},
          {"key_id", d.key_id},
          {"tags", JsonField(d.tags)},
          {"profile", JsonField(d.profile)},
          {"context", JsonField(d.context)},
          {"health", JsonField(d.health)},
          {"installed", JsonField(d.installed)},
          {"enrolled_unix", d.enrolled_unix},
          {"last_seen_unix", d.last_seen_unix}};
}

HttpResponse DeviceResponse(Transaction& tx, const std::string& project,
                            const std::string& device_id) {
  TMO_ASSIGN_OR_RESPOND(DeviceRecord record, FindDevice(tx, project, device_id));
  return JsonResponse(200, DeviceJson(record));
}

}  // namespace

void AddFleetRoutes(Router& router, const ControlPlane::Context& context) {
  const ControlPlane::Context* c = &context;

  router.Add("POST", "/v1/enroll", [c](HttpRequest& request) {
    TMO_ASSIGN_OR_RESPOND(EnrollRequest body, ParseEnrollRequest(request.body));
    TMO_BEGIN_OR_RESPOND(tx, c->store);
    auto device =
        EnrollDevice(*tx, body.token, body.public_key, body.name, body.profile_json, c->now());
    if (!device.ok()) {
      // A bad enrollment token is a credential failure.
      const bool credential = std::string(device.status().message()).find("enrollment token") !=
                              std::string::npos;
      return credential ? ErrorResponse(401, device.status().message())
                        : StatusResponse(device.status());
    }
    TMO_RESPOND_IF_ERROR(tx->Commit());
    return JsonResponse(201, DeviceJson(*device));
  });

  // One signed request opens a session with this process; its key MACs the device's next
  // requests (server/auth/device_session.h). `counter`: the last one used in the session (0).
  router.Add("POST", "/v1/device/session",
             DeviceRoute(c, [c](Transaction&, HttpRequest&, const AuthenticatedDevice& device) {
               if (device.by_session) {
                 return ErrorResponse(401, "a session is opened by a signed request "
                                           "(X-Tinymlops-Signature), not by another session");
               }
               TMO_ASSIGN_OR_RESPOND(auto session, c->sessions.Open(device.device_id, c->now()));
               std::string key = ToHex(session.key.data(), session.key.size());
               HttpResponse response = JsonResponse(200, {{"session", session.id},
                                                          {"key", key},
                                                          {"expires_unix", session.expires_unix},
                                                          {"counter", 0}});
               sodium_memzero(&key[0], key.size());
               response.headers.emplace_back("Cache-Control", "no-store");  // holds a key
               return response;
             }));

  router.Add("GET", "/v1/device/self",
             DeviceRoute(c, [](Transaction& tx, HttpRequest&, const AuthenticatedDevice& device) {
               return DeviceResponse(tx, device.project_id, device.device_id);
             }));

  router.Add("POST", "/v1/device/report",
             DeviceRoute(c, [](Transaction& tx, HttpRequest& request,
                               const AuthenticatedDevice& device) {
               TMO_ASSIGN_OR_RESPOND(DeviceReport report, ParseDeviceReport(request.body));
               TMO_RESPOND_IF_ERROR(RecordDeviceReport(tx, device.device_id, report));
               return DeviceResponse(tx, device.project_id, device.device_id);
             }));

  router.Add("GET", "/v1/projects/{project}/devices",
             ProjectRoute(c, Role::kViewer, [](Transaction& tx, HttpRequest&,
                                               const std::string& project) {
               TMO_ASSIGN_OR_RESPOND(auto devices, ListDevices(tx, project));
               nlohmann::json list = nlohmann::json::array();
               for (const DeviceRecord& d : devices) list.push_back(DeviceJson(d));
               return JsonResponse(200, {{"devices", list}});
             }));

  router.Add("GET", "/v1/projects/{project}/devices/{device}",
             ProjectRoute(c, Role::kViewer, [](Transaction& tx, HttpRequest& request,
                                               const std::string& project) {
               return DeviceResponse(tx, project, request.params["device"]);
             }));

  router.Add("PUT", "/v1/projects/{project}/devices/{device}/tags",
             ProjectRoute(c, Role::kDeployer, [](Transaction& tx, HttpRequest& request,
                                                 const std::string& project) {
               TMO_ASSIGN_OR_RESPOND(std::string tags, ParseTagsRequest(request.body));
               TMO_RESPOND_IF_ERROR(SetDeviceTags(tx, project, request.params["device"], tags));
               HttpResponse response = DeviceResponse(tx, project, request.params["device"]);
               TMO_RESPOND_IF_ERROR(tx.Commit());
               return response;
             }));
}

}  // namespace tinymlops::server
