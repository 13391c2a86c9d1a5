// Signed device requests. After enrollment a device signs every request with its Ed25519
// identity key. The signed message is, in UTF-8 with "\n" between the lines:
//   tinymlops-device-request-v1 / METHOD / TARGET (path and query as sent) / TIMESTAMP (unix
//   seconds, decimal) / NONCE (16 to 64 characters of [0-9a-zA-Z_-]) / hex BLAKE2b-256 of body
// and travels in the headers X-Tinymlops-Device (device id), X-Tinymlops-Timestamp,
// X-Tinymlops-Nonce and X-Tinymlops-Signature (128 hex digits). The server refuses a timestamp
// more than kDeviceRequestWindowSeconds from its clock and a nonce the device already used
// within the window (server/fleet/device_authenticator.h keeps nonces in the store).
// Thread-safety: pure functions.
#ifndef TINYMLOPS_SERVER_AUTH_DEVICE_REQUEST_SIGNATURE_H_
#define TINYMLOPS_SERVER_AUTH_DEVICE_REQUEST_SIGNATURE_H_

#include <cstdint>
#include <map>
#include <string>

#include "crypto/signing_key.h"
#include "runtime/status.h"

namespace tinymlops::server {

constexpr int64_t kDeviceRequestWindowSeconds = 300;

struct DeviceRequestHeaders {
  std::string device_id;
  int64_t timestamp = 0;
  std::string nonce;
  crypto::Signature signature{};
};

std::string DeviceRequestMessage(const std::string& method, const std::string& target,
                                 int64_t timestamp, const std::string& nonce,
                                 const std::string& body);

// Reads the four headers from lowercase-named `headers`. Errors: kInvalidArgument naming the
// missing or malformed header.
Result<DeviceRequestHeaders> ParseDeviceRequestHeaders(
    const std::map<std::string, std::string>& headers);

// The headers a device sends (for agents, the CLI and tests), as name/value pairs.
std::map<std::string, std::string> SignDeviceRequest(const crypto::SigningKeyPair& key,
                                                     const std::string& device_id,
                                                     const std::string& method,
                                                     const std::string& target, int64_t timestamp,
                                                     const std::string& nonce,
                                                     const std::string& body);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_AUTH_DEVICE_REQUEST_SIGNATURE_H_
