// The delta packages a check-in answer offers beside the full ones (docs/device-protocol.md):
// when the device reports that its active slot holds another version of the desired model,
// each desired variant that has a delta from that version smaller than its full package
// (server/registry/variant_delta.h). The device checks the delta against what it holds and
// falls back to the full package on any failure, so a stale report costs at most a download.
// Cost: nothing when the device already runs the desired version (every steady check-in) or
// reports no active slot; otherwise one indexed query.
// Errors: store errors. Thread-safety: a function over the caller's Transaction.
#ifndef TINYMLOPS_SERVER_ROLLOUT_DELTA_OFFER_H_
#define TINYMLOPS_SERVER_ROLLOUT_DELTA_OFFER_H_

#include <map>
#include <string>

#include "runtime/status.h"
#include "server/registry/variant_delta.h"
#include "server/rollout/device_checkin.h"
#include "server/store/store.h"

namespace tinymlops::server {

// By the desired variant's id.
using DeltaOffers = std::map<std::string, DeltaRecord>;

// `installed_json`: the device's report of its slots as it sent it ("" : not sent).
Result<DeltaOffers> OfferDeltas(Transaction& tx, const DesiredState& desired,
                                const std::string& installed_json);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_ROLLOUT_DELTA_OFFER_H_
