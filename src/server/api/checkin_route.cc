// POST /v1/device/checkin (signed): the device's report and outcomes in, its desired state out
// (docs/device-protocol.md, server/rollout/device_checkin.h).
#include "server/api/control_plane.h"
#include "server/api/request_bodies.h"
#include "server/api/route_helpers.h"
#include "server/rollout/delta_offer.h"
#include "server/rollout/device_checkin.h"

namespace tinymlops::server {
namespace {

using nlohmann::json;

json VariantJson(const VariantRecord& v, const DeltaOffers& deltas) {
  json out = {{"id", v.id},
              {"name", v.name},
              {"dtype", v.dtype},
              {"size_bytes", v.size_bytes},
              {"arena_bytes", v.arena_bytes},
              {"artifact_bytes", v.artifact_bytes},
              {"artifact_hash", v.artifact_hash},
              {"release", v.release},
              {"package", "/v1/device/variants/" + v.id + "/package"}};
  if (auto d = deltas.find(v.id); d != deltas.end())
    out["delta"] = {{"package", "/v1/device/deltas/" + d->second.id + "/package"},
                    {"artifact_bytes", d->second.artifact_bytes},
                    {"artifact_hash", d->second.artifact_hash},
                    {"base_version", d->second.base_version},
                    {"base_artifact_hash", d->second.base_artifact_hash}};
  return out;
}

json AnswerJson(const CheckinAnswer& answer, const DeltaOffers& deltas) {
  json out = {{"desired", nullptr},
              {"refused", json::array()},
              {"next_checkin_seconds", answer.next_checkin_seconds}};
  if (answer.desired) {
    const DesiredState& d = *answer.desired;
    json variants = json::array();
    for (const VariantRecord& v : d.variants) variants.push_back(VariantJson(v, deltas));
    json policy =
        d.policy_json.empty() ? json(nullptr) : json::parse(d.policy_json, nullptr, false);
    out["desired"] = {{"deployment", d.deployment},
                      {"model", d.model},
                      {"version", d.version},
                      {"variants", variants},
                      {"policy", policy.is_discarded() ? json(nullptr) : policy}};
  }
  for (const RefusedDeployment& r : answer.refused) {
    out["refused"].push_back({{"deployment", r.deployment}, {"reason", r.reason}});
  }
  return out;
}

}  // namespace

void AddCheckinRoute(Router& router, const ControlPlane::Context& context,
                     const CheckinMetrics& metrics) {
  const ControlPlane::Context* c = &context;
  const CheckinMetrics* m = &metrics;
  router.Add("POST", "/v1/device/checkin",
             DeviceRoute(c, [c, m](Transaction& tx, HttpRequest& request,
                                   const AuthenticatedDevice& device) {
               TMO_ASSIGN_OR_RESPOND(CheckinRequest body, ParseCheckinRequest(request.body));
               TMO_ASSIGN_OR_RESPOND(
                   CheckinAnswer answer,
                   CheckInDevice(tx, device.project_id, device.device_id, body, c->now()));
               DeltaOffers deltas;
               if (answer.desired) {
                 TMO_ASSIGN_OR_RESPOND(deltas,
                                       OfferDeltas(tx, *answer.desired, body.report.installed));
               }
               m->Record(body.outcomes.size(), answer.desired.has_value());
               return JsonResponse(200, AnswerJson(answer, deltas));
             }));
}

}  // namespace tinymlops::server
