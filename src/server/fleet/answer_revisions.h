// Answer revisions: two counters in the store that change whenever something a device's
// check-in answer (server/rollout/device_checkin.h) is computed from changes, so that a server
// process may keep an answer in memory (server/rollout/checkin_answer_cache.h) and trust it
// for as long as both counters read the same:
// - the project's (projects.answer_revision), bumped by every write of its deployments, model
//   variants and delta packages: whatever every device of the project may be answered;
// - the device's (devices.answer_revision), bumped by every write of its profile, tags or
//   report, and of its rows in deployments (deployment_devices).
// A writer of any of those tables must call the matching Bump in the same transaction; a
// missed bump would let a process answer from a stale cache (the rollout tests would see it:
// every one of them drives devices through check-ins). Writes of what no answer reads (last
// seen time, the session counter, outcomes as received, nonces) bump nothing.
// Read: with the device's authentication, in the same statement (server/fleet/
// device_authenticator.h), so a check-in knows both before it reads anything else.
// Errors: store errors. Thread-safety: functions over the caller's Transaction.
#ifndef TINYMLOPS_SERVER_FLEET_ANSWER_REVISIONS_H_
#define TINYMLOPS_SERVER_FLEET_ANSWER_REVISIONS_H_

#include <cstdint>
#include <string>

#include "runtime/status.h"
#include "server/store/store.h"

namespace tinymlops::server {

struct AnswerRevisions {
  int64_t project = -1, device = -1;  // -1: not read
  bool operator==(const AnswerRevisions& other) const {
    return project == other.project && device == other.device;
  }
};

// SQL: the two revisions as columns of a statement over `devices` (in RETURNING or SELECT).
inline constexpr const char kAnswerRevisionColumns[] =
    "devices.answer_revision, (SELECT answer_revision FROM projects "
    "WHERE projects.id = devices.project_id)";

Status BumpProjectAnswers(Transaction& tx, const std::string& project_id);
Status BumpDeviceAnswer(Transaction& tx, const std::string& device_id);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_FLEET_ANSWER_REVISIONS_H_
