#include "server/auth/device_request_signature.h"

#include <cerrno>
#include <cstdlib>

#include "server/auth/opaque_token.h"

namespace tinymlops::server {
namespace {

bool ValidNonce(const std::string& nonce) {
  if (nonce.size() < 16 || nonce.size() > 64) return false;
  for (char c : nonce) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string DeviceRequestMessage(const std::string& method, const std::string& target,
                                 int64_t timestamp, const std::string& nonce,
                                 const std::string& body) {
  return "tinymlops-device-request-v1\n" + method + "\n" + target + "\n" +
         std::to_string(timestamp) + "\n" + nonce + "\n" + Blake2bHex(body.data(), body.size());
}

Result<DeviceRequestHeaders> ParseDeviceRequestHeaders(
    const std::map<std::string, std::string>& headers) {
  auto get = [&](const char* name) -> const std::string* {
    auto it = headers.find(name);
    return it == headers.end() ? nullptr : &it->second;
  };
  DeviceRequestHeaders parsed;
  const std::string* device = get("x-tinymlops-device");
  const std::string* timestamp = get("x-tinymlops-timestamp");
  const std::string* nonce = get("x-tinymlops-nonce");
  const std::string* signature = get("x-tinymlops-signature");
  if (!device || !timestamp || !nonce || !signature) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "a device request needs the headers X-Tinymlops-Device, "
                         "X-Tinymlops-Timestamp, X-Tinymlops-Nonce and X-Tinymlops-Signature");
  }
  if (device->empty() || device->size() > 64) {
    return Status::Error(StatusCode::kInvalidArgument, "X-Tinymlops-Device is not a device id");
  }
  parsed.device_id = *device;
  if (timestamp->empty() || timestamp->size() > 18 ||
      timestamp->find_first_not_of("0123456789") != std::string::npos) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "X-Tinymlops-Timestamp must be unix seconds in decimal");
  }
  parsed.timestamp = std::strtoll(timestamp->c_str(), nullptr, 10);
  if (!ValidNonce(*nonce)) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "X-Tinymlops-Nonce must be 16 to 64 characters of [0-9a-zA-Z_-]");
  }
  parsed.nonce = *nonce;
  if (!FromHex(*signature, parsed.signature.data(), parsed.signature.size())) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "X-Tinymlops-Signature must be 128 hex digits (an Ed25519 signature)");
  }
  return parsed;
}

std::map<std::string, std::string> SignDeviceRequest(const crypto::SigningKeyPair& key,
                                                     const std::string& device_id,
                                                     const std::string& method,
                                                     const std::string& target, int64_t timestamp,
                                                     const std::string& nonce,
                                                     const std::string& body) {
  const std::string message = DeviceRequestMessage(method, target, timestamp, nonce, body);
  const crypto::Signature signature =
      key.Sign(reinterpret_cast<const uint8_t*>(message.data()), message.size());
  return {{"X-Tinymlops-Device", device_id},
          {"X-Tinymlops-Timestamp", std::to_string(timestamp)},
          {"X-Tinymlops-Nonce", nonce},
          {"X-Tinymlops-Signature", ToHex(signature.data(), signature.size())}};
}

}  // namespace tinymlops::server
