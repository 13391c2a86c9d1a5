// Device sessions: after one signed request (POST /v1/device/session, see
// device_request_signature.h) a device gets a session id and a session key valid for
// kDeviceSessionSeconds, and authenticates its next requests with a MAC under that key instead
// of an Ed25519 signature (one verification costs ~60 us of a core; a MAC ~1 us).
//
// Stateless across server processes: the session id is "tms1.DEVICE.EXPIRY.RANDOM" (EXPIRY in
// unix seconds, RANDOM 32 hex digits) and the key is keyed BLAKE2b-256(server secret, session
// id), so any process holding the store's secret (table server_secrets, created once per store
// and shared by all processes) recomputes it; nothing per session is stored.
//
// A MACed request carries X-Tinymlops-Session (the session id), X-Tinymlops-Device (the
// device id, which must be the session's), X-Tinymlops-Timestamp (unix seconds),
// X-Tinymlops-Counter (decimal, 1 to 10^18-1, strictly increasing per device over all its
// sessions: the store keeps the last one, so a replay is refused by any process) and
// X-Tinymlops-Mac: 64 hex digits of crypto_auth (HMAC-SHA-512-256) under the session key over
//   tinymlops-device-session-v1 / METHOD / TARGET / TIMESTAMP / COUNTER / hex BLAKE2b-256 of body
// with "\n" between the lines.
// Errors: kInvalidArgument naming the header that is missing or malformed (401 for the caller),
// store errors from DeviceSessionKeys.
// Thread-safety: the free functions are pure; DeviceSessionKeys is safe to share between threads.
#ifndef TINYMLOPS_SERVER_AUTH_DEVICE_SESSION_H_
#define TINYMLOPS_SERVER_AUTH_DEVICE_SESSION_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "crypto/secure_buffer.h"
#include "runtime/status.h"
#include "server/store/store.h"

namespace tinymlops::server {

constexpr int64_t kDeviceSessionSeconds = 600;
constexpr size_t kDeviceSessionKeyBytes = 32;
constexpr size_t kDeviceSessionMacBytes = 32;

using DeviceSessionMac = std::array<uint8_t, kDeviceSessionMacBytes>;

struct DeviceSessionHeaders {
  std::string session_id;
  std::string device_id;  // the session's device (checked equal to X-Tinymlops-Device)
  int64_t expires_unix = 0;
  int64_t timestamp = 0;
  int64_t counter = 0;
  DeviceSessionMac mac{};
};

// True when `headers` (lowercase names) ask for session authentication.
bool HasDeviceSessionHeader(const std::map<std::string, std::string>& headers);

// Reads the five session headers. Errors: kInvalidArgument naming the missing or malformed
// header, or saying that the session belongs to another device.
Result<DeviceSessionHeaders> ParseDeviceSessionHeaders(
    const std::map<std::string, std::string>& headers);

std::string DeviceSessionMessage(const std::string& method, const std::string& target,
                                 int64_t timestamp, int64_t counter, const std::string& body);

// The key of a session, as a client holds it (32 bytes, zeroed on release).
using DeviceSessionKey = crypto::SecureBuffer;

// The headers of a request MACed under a session (for agents, the load client and tests).
std::map<std::string, std::string> MacDeviceRequest(const DeviceSessionKey& key,
                                                    const std::string& session_id,
                                                    const std::string& device_id,
                                                    const std::string& method,
                                                    const std::string& target, int64_t timestamp,
                                                    int64_t counter, const std::string& body);

// Decodes the hex key of a POST /v1/device/session answer. Errors: kInvalidArgument.
Result<DeviceSessionKey> DeviceSessionKeyFromHex(const std::string& hex);

// The server side: the store's session secret (table server_secrets), read (or created, once
// per store) at first use and then kept in locked memory for the life of the process.
class DeviceSessionKeys {
 public:
  struct NewSession {
    std::string id;
    DeviceSessionKey key;
    int64_t expires_unix = 0;
  };
  // Opens a session for `device_id` valid until now + kDeviceSessionSeconds.
  Result<NewSession> Open(Transaction& tx, const std::string& device_id, int64_t now);
  // True when `mac` is the MAC of `message` under the key of `session_id`.
  Result<bool> Verifies(Transaction& tx, const std::string& session_id,
                        const std::string& message, const DeviceSessionMac& mac);

 private:
  Status Secret(Transaction& tx, uint8_t* secret);
  Status DeriveKey(Transaction& tx, const std::string& session_id, uint8_t* key);

  std::mutex mutex_;
  crypto::SecureBuffer secret_;  // empty until loaded
};

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_AUTH_DEVICE_SESSION_H_
