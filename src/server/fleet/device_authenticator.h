// AuthenticateDevice: checks one signed device request (server/auth/device_request_signature.h)
// against the store: the device exists, the signature verifies under its enrolled identity
// key, the timestamp is within kDeviceRequestWindowSeconds of `now`, and the nonce is new. The
// nonce is recorded in the store in the caller's transaction (device_nonces), so a replay is
// refused by whichever server process sees it, once the caller commits; nonces older than the
// window are purged as a side effect. It also updates the device's last_seen_unix.
// Errors: kInvalidArgument (headers, signature, timestamp, replay: the caller answers 401),
// kIoError and others from the store (500).
// Thread-safety: a function over the caller's Transaction.
#ifndef TINYMLOPS_SERVER_FLEET_DEVICE_AUTHENTICATOR_H_
#define TINYMLOPS_SERVER_FLEET_DEVICE_AUTHENTICATOR_H_

#include <cstdint>
#include <map>
#include <string>

#include "runtime/status.h"
#include "server/store/store.h"

namespace tinymlops::server {

struct AuthenticatedDevice {
  std::string device_id;
  std::string project_id;
};

Result<AuthenticatedDevice> AuthenticateDevice(Transaction& tx, const std::string& method,
                                               const std::string& target,
                                               const std::map<std::string, std::string>& headers,
                                               const std::string& body, int64_t now);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_FLEET_DEVICE_AUTHENTICATOR_H_
