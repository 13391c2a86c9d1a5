// Device sessions: after one signed request (POST /v1/device/session, see
// device_request_signature.h) a device gets a session id and a session key valid for
// kDeviceSessionSeconds, and authenticates its next requests with a MAC under that key instead
// of an Ed25519 signature (one verification costs ~60 us of a core; a MAC ~1 us).
//
// A session belongs to the server process that opened it: the id is
// "tms2.DEVICE.EXPIRY.INSTANCE.RANDOM" (EXPIRY in unix seconds, INSTANCE 16 hex digits drawn
// when the process started, RANDOM 32 hex digits), the key is keyed BLAKE2b-256(process secret,
// session id) with a secret the process drew at start and keeps in locked memory (never
// stored, never logged), and the session's last counter lives in that process's memory. So a
// MACed request costs no store access to authenticate, and a replay is refused exactly: the
// one process that can verify the MAC holds the counter. Another process (or the same one
// after a restart) refuses the session and the device opens a new one with one signed request;
// behind a load balancer, route a device's requests by X-Tinymlops-Session (or per connection:
// a device keeps its keep-alive connection) to keep its sessions useful.
//
// A MACed request carries X-Tinymlops-Session (the session id), X-Tinymlops-Device (the
// device id, which must be the session's), X-Tinymlops-Timestamp (unix seconds),
// X-Tinymlops-Counter (decimal, 1 to 10^18-1, strictly increasing within the session) and
// X-Tinymlops-Mac: 64 hex digits of crypto_auth (HMAC-SHA-512-256) under the session key over
//   tinymlops-device-session-v1 / METHOD / TARGET / TIMESTAMP / COUNTER / hex BLAKE2b-256 of body
// with "\n" between the lines.
// Errors: kInvalidArgument naming the header that is missing or malformed, or saying why the
// session or the request is refused (401 for the caller).
// Thread-safety: the free functions are pure; DeviceSessions is safe to share between threads.
#ifndef TINYMLOPS_SERVER_AUTH_DEVICE_SESSION_H_
#define TINYMLOPS_SERVER_AUTH_DEVICE_SESSION_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "crypto/secure_buffer.h"
#include "runtime/status.h"

namespace tinymlops::server {

constexpr int64_t kDeviceSessionSeconds = 600;
constexpr size_t kDeviceSessionKeyBytes = 32;
constexpr size_t kDeviceSessionMacBytes = 32;

using DeviceSessionMac = std::array<uint8_t, kDeviceSessionMacBytes>;

struct DeviceSessionHeaders {
  std::string session_id;
  std::string device_id;  // the session's device (checked equal to X-Tinymlops-Device)
  std::string instance;   // the server process that opened it
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

// The server side: this process's sessions (its secret, its instance id, each open session's
// last counter until the session expires).
class DeviceSessions {
 public:
  struct NewSession {
    std::string id;
    DeviceSessionKey key;
    int64_t expires_unix = 0;
  };
  // Opens a session for `device_id` valid until now + kDeviceSessionSeconds.
  Result<NewSession> Open(const std::string& device_id, int64_t now);
  // Accepts one request MACed under a session (`message`: DeviceSessionMessage of it): the
  // session is this process's and has not expired, the MAC verifies, and the counter is larger
  // than the session's last one, which it becomes. Errors: kInvalidArgument saying which.
  Status Accept(const DeviceSessionHeaders& headers, const std::string& message, int64_t now);

 private:
  Status Ready();       // draws the secret and the instance id once, from any thread
  Status DrawSecret();  // what Ready does once
  Status DeriveKey(const std::string& session_id, uint8_t* key);

  std::once_flag ready_once_;
  Status ready_;                 // what Ready's one run returned
  crypto::SecureBuffer secret_;  // empty until Ready; never changed after
  mutable std::mutex mutex_;     // guards sessions_ and next_purge_
  std::string instance_;
  struct OpenSession {
    int64_t expires_unix = 0, last_counter = 0;
  };
  std::unordered_map<std::string, OpenSession> sessions_;  // by session id
  size_t next_purge_ = 1024;  // drop expired sessions when sessions_ grows past this
};

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_AUTH_DEVICE_SESSION_H_
