// POST /v1/device/checkin (signed): the device's report and outcomes in, its desired state out
// (docs/device-protocol.md, server/rollout/device_checkin.h). A check-in whose body is the one
// its device sent last, without outcomes, is answered from the cache while nothing the answer
// depends on changed (server/rollout/checkin_answer_cache.h); any other is parsed and computed,
// and its answer cached when it carried no outcome.
#include <nlohmann/json.hpp>

#include "server/api/control_plane.h"
#include "server/api/json_writer.h"
#include "server/api/request_bodies.h"
#include "server/api/route_helpers.h"
#include "server/rollout/checkin_answer_cache.h"
#include "server/rollout/delta_offer.h"
#include "server/rollout/device_checkin.h"

namespace tinymlops::server {
namespace {

// The answer is written straight as text (server/api/json_writer.h), keys in the sorted order
// an nlohmann::json object has, so that it is the same bytes as the tree it replaced.
void WriteVariant(JsonWriter& w, const VariantRecord& v, const DeltaOffers& deltas) {
  w.BeginObject()
      .Key("arena_bytes").Int(v.arena_bytes)
      .Key("artifact_bytes").Int(v.artifact_bytes)
      .Key("artifact_hash").String(v.artifact_hash);
  if (auto d = deltas.find(v.id); d != deltas.end()) {
    w.Key("delta").BeginObject()
        .Key("artifact_bytes").Int(d->second.artifact_bytes)
        .Key("artifact_hash").String(d->second.artifact_hash)
        .Key("base_artifact_hash").String(d->second.base_artifact_hash)
        .Key("base_version").String(d->second.base_version)
        .Key("package").String("/v1/device/deltas/" + d->second.id + "/package")
        .EndObject();
  }
  w.Key("dtype").String(v.dtype)
      .Key("id").String(v.id)
      .Key("name").String(v.name)
      .Key("package").String("/v1/device/variants/" + v.id + "/package")
      .Key("release").Int(v.release)
      .Key("size_bytes").Int(v.size_bytes)
      .EndObject();
}

void WriteDesired(JsonWriter& w, const DesiredState& d, const DeltaOffers& deltas) {
  w.BeginObject().Key("deployment").String(d.deployment).Key("model").String(d.model);
  // The policy is stored as nlohmann dumped it (server/api/request_bodies.h): compact, sorted.
  w.Key("policy");
  if (!d.policy_json.empty() && nlohmann::json::accept(d.policy_json)) {
    w.Raw(d.policy_json);
  } else {
    w.Null();
  }
  w.Key("variants").BeginArray();
  for (const VariantRecord& v : d.variants) WriteVariant(w, v, deltas);
  w.EndArray().Key("version").String(d.version).EndObject();
}

HttpResponse AnswerResponse(const CheckinAnswer& answer, const DeltaOffers& deltas) {
  JsonWriter w;
  w.BeginObject().Key("desired");
  if (answer.desired) {
    WriteDesired(w, *answer.desired, deltas);
  } else {
    w.Null();
  }
  w.Key("next_checkin_seconds").Int(answer.next_checkin_seconds).Key("refused").BeginArray();
  for (const RefusedDeployment& r : answer.refused) {
    w.BeginObject().Key("deployment").String(r.deployment).Key("reason").String(r.reason).EndObject();
  }
  w.EndArray().EndObject();
  HttpResponse response;
  response.body = w.Take();
  return response;
}

}  // namespace

void AddCheckinRoute(Router& router, const ControlPlane::Context& context,
                     const CheckinMetrics& metrics, CheckinAnswerCache& answers) {
  const ControlPlane::Context* c = &context;
  const CheckinMetrics* m = &metrics;
  CheckinAnswerCache* cache = &answers;
  router.Add(
      "POST", "/v1/device/checkin",
      DeviceRoute(
          c,
          [m, cache](HttpRequest& request,
                     const AuthenticatedDevice& device) -> std::optional<HttpResponse> {
            auto cached =
                cache->Find(device.device_id, FingerprintBody(request.body), device.answers);
            if (!cached) return std::nullopt;
            m->Record(0, cached->desired, true);
            HttpResponse response;
            response.body = *cached->body;
            return response;
          },
          [c, m, cache](Transaction& tx, HttpRequest& request, const AuthenticatedDevice& device) {
            TMO_ASSIGN_OR_RESPOND(CheckinRequest body, ParseCheckinRequest(request.body));
            TMO_ASSIGN_OR_RESPOND(
                CheckinAnswer answer,
                CheckInDevice(tx, device.project_id, device.device_id, body, c->now()));
            DeltaOffers deltas;
            if (answer.desired) {
              TMO_ASSIGN_OR_RESPOND(deltas,
                                    OfferDeltas(tx, *answer.desired, body.report.installed));
            }
            const bool desired = answer.desired.has_value();
            m->Record(body.outcomes.size(), desired, false);
            HttpResponse response = AnswerResponse(answer, deltas);
            if (body.outcomes.empty()) {  // a body with outcomes is never answered from memory
              tx.AfterCommit([cache, device, fingerprint = FingerprintBody(request.body),
                              answer = response.body, desired] {
                cache->Remember(device.device_id, fingerprint, device.answers, answer, desired);
              });
            }
            return response;
          }));
}

}  // namespace tinymlops::server
