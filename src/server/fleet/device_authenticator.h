// AuthenticateDevice: checks one device request, in either form:
// - signed (server/auth/device_request_signature.h): the device exists, the signature verifies
//   under its enrolled identity key, the timestamp is within kDeviceRequestWindowSeconds of
//   `now`, and the nonce is new. The nonce is recorded in the caller's transaction
//   (device_nonces), so a replay is refused by whichever server process sees it once the caller
//   commits; nonces older than the window are purged as a side effect; last_seen_unix is
//   written in the same transaction.
// - MACed under a session (server/auth/device_session.h, when X-Tinymlops-Session is present):
//   the timestamp is within the window and `sessions` (this process's) accepts the session,
//   the MAC and the counter, with no write to the store; the time is noted in `last_seen`
//   (which writes it behind, server/fleet/last_seen_recorder.h) when the stored one is
//   kLastSeenResolutionSeconds old.
// Either way the device's project and its answer revisions (server/fleet/answer_revisions.h)
// are read in one statement, before anything else the caller reads.
// Errors: kInvalidArgument (headers, signature or MAC, timestamp, expiry, replay, a session of
// another process: the caller answers 401), kIoError and others from the store (500).
// Thread-safety: a function over the caller's Transaction; `sessions` and `last_seen` are
// shared.
#ifndef TINYMLOPS_SERVER_FLEET_DEVICE_AUTHENTICATOR_H_
#define TINYMLOPS_SERVER_FLEET_DEVICE_AUTHENTICATOR_H_

#include <cstdint>
#include <map>
#include <string>

#include "runtime/status.h"
#include "server/auth/device_session.h"
#include "server/fleet/answer_revisions.h"
#include "server/fleet/last_seen_recorder.h"
#include "server/store/store.h"

namespace tinymlops::server {

struct AuthenticatedDevice {
  std::string device_id;
  std::string project_id;
  bool by_session = false;  // MACed under a session rather than signed
  AnswerRevisions answers;  // as the request's transaction first read them
};

Result<AuthenticatedDevice> AuthenticateDevice(Transaction& tx, DeviceSessions& sessions,
                                               LastSeenRecorder& last_seen,
                                               const std::string& method,
                                               const std::string& target,
                                               const std::map<std::string, std::string>& headers,
                                               const std::string& body, int64_t now);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_FLEET_DEVICE_AUTHENTICATOR_H_
