// AuthenticateDevice: checks one device request against the store, in either form:
// - signed (server/auth/device_request_signature.h): the device exists, the signature verifies
//   under its enrolled identity key, the timestamp is within kDeviceRequestWindowSeconds of
//   `now`, and the nonce is new. The nonce is recorded in the caller's transaction
//   (device_nonces); nonces older than the window are purged as a side effect.
// - MACed under a session (server/auth/device_session.h, when X-Tinymlops-Session is present):
//   the session has not expired, the timestamp is within the window, the MAC verifies under
//   the session's key, and the counter is larger than the device's last one; the counter is
//   recorded by a conditional UPDATE of the device's row in the caller's transaction.
// Either way a replay is refused by whichever server process sees it once the caller commits,
// and the device's last_seen_unix is updated (with the counter: one write for a session).
// Errors: kInvalidArgument (headers, signature or MAC, timestamp, expiry, replay: the caller
// answers 401), kIoError and others from the store (500).
// Thread-safety: a function over the caller's Transaction; `sessions` is shared.
#ifndef TINYMLOPS_SERVER_FLEET_DEVICE_AUTHENTICATOR_H_
#define TINYMLOPS_SERVER_FLEET_DEVICE_AUTHENTICATOR_H_

#include <cstdint>
#include <map>
#include <string>

#include "runtime/status.h"
#include "server/auth/device_session.h"
#include "server/store/store.h"

namespace tinymlops::server {

struct AuthenticatedDevice {
  std::string device_id;
  std::string project_id;
  bool by_session = false;  // MACed under a session rather than signed
};

Result<AuthenticatedDevice> AuthenticateDevice(Transaction& tx, DeviceSessionKeys& sessions,
                                               const std::string& method,
                                               const std::string& target,
                                               const std::map<std::string, std::string>& headers,
                                               const std::string& body, int64_t now);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_FLEET_DEVICE_AUTHENTICATOR_H_
