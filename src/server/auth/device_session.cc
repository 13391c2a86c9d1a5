#include "server/auth/device_session.h"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "crypto/sodium_init.h"
#include "server/auth/opaque_token.h"

namespace tinymlops::server {
namespace {

constexpr const char* kSessionPrefix = "tms2.";

bool ParseDecimal(const std::string& text, int64_t* value) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  *value = std::strtoll(text.c_str(), nullptr, 10);
  return true;
}

bool ValidDeviceId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsHex(const std::string& text, size_t digits) {
  return text.size() == digits &&
         text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Splits "tms2.DEVICE.EXPIRY.INSTANCE.RANDOM"; false when it is not one.
bool ParseSessionId(const std::string& id, DeviceSessionHeaders* parsed) {
  if (id.size() > 200 || id.rfind(kSessionPrefix, 0) != 0) return false;
  std::string parts[4];
  size_t start = std::strlen(kSessionPrefix);
  for (int i = 0; i < 4; ++i) {
    const size_t dot = i < 3 ? id.find('.', start) : id.size();
    if (dot == std::string::npos) return false;
    parts[i] = id.substr(start, dot - start);
    start = dot + 1;
  }
  parsed->device_id = parts[0];
  parsed->instance = parts[2];
  return ValidDeviceId(parts[0]) && ParseDecimal(parts[1], &parsed->expires_unix) &&
         IsHex(parts[2], 16) && IsHex(parts[3], 32);
}

}  // namespace

bool HasDeviceSessionHeader(const std::map<std::string, std::string>& headers) {
  return headers.count("x-tinymlops-session") != 0;
}

Result<DeviceSessionHeaders> ParseDeviceSessionHeaders(
    const std::map<std::string, std::string>& headers) {
  auto get = [&](const char* name) -> const std::string* {
    auto it = headers.find(name);
    return it == headers.end() ? nullptr : &it->second;
  };
  const std::string* session = get("x-tinymlops-session");
  const std::string* device = get("x-tinymlops-device");
  const std::string* timestamp = get("x-tinymlops-timestamp");
  const std::string* counter = get("x-tinymlops-counter");
  const std::string* mac = get("x-tinymlops-mac");
  if (!session || !device || !timestamp || !counter || !mac) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "a session request needs the headers X-Tinymlops-Session, "
                         "X-Tinymlops-Device, X-Tinymlops-Timestamp, X-Tinymlops-Counter and "
                         "X-Tinymlops-Mac");
  }
  DeviceSessionHeaders parsed;
  if (!ParseSessionId(*session, &parsed)) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "X-Tinymlops-Session is not a session id: open a session with "
                         "POST /v1/device/session");
  }
  if (*device != parsed.device_id) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "the session belongs to another device than X-Tinymlops-Device");
  }
  parsed.session_id = *session;
  if (!ParseDecimal(*timestamp, &parsed.timestamp)) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "X-Tinymlops-Timestamp must be unix seconds in decimal");
  }
  if (!ParseDecimal(*counter, &parsed.counter) || parsed.counter == 0) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "X-Tinymlops-Counter must be a decimal from 1 to 10^18-1");
  }
  if (!FromHex(*mac, parsed.mac.data(), parsed.mac.size())) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "X-Tinymlops-Mac must be 64 hex digits (crypto_auth under the session key)");
  }
  return parsed;
}

std::string DeviceSessionMessage(const std::string& method, const std::string& target,
                                 int64_t timestamp, int64_t counter, const std::string& body) {
  return "tinymlops-device-session-v1\n" + method + "\n" + target + "\n" +
         std::to_string(timestamp) + "\n" + std::to_string(counter) + "\n" +
         Blake2bHex(body.data(), body.size());
}

std::map<std::string, std::string> MacDeviceRequest(const DeviceSessionKey& key,
                                                    const std::string& session_id,
                                                    const std::string& device_id,
                                                    const std::string& method,
                                                    const std::string& target, int64_t timestamp,
                                                    int64_t counter, const std::string& body) {
  const std::string message = DeviceSessionMessage(method, target, timestamp, counter, body);
  DeviceSessionMac mac{};
  crypto_auth(mac.data(), reinterpret_cast<const unsigned char*>(message.data()), message.size(),
              key.data());
  return {{"X-Tinymlops-Session", session_id},
          {"X-Tinymlops-Device", device_id},
          {"X-Tinymlops-Timestamp", std::to_string(timestamp)},
          {"X-Tinymlops-Counter", std::to_string(counter)},
          {"X-Tinymlops-Mac", ToHex(mac.data(), mac.size())}};
}

Result<DeviceSessionKey> DeviceSessionKeyFromHex(const std::string& hex) {
  TMM_ASSIGN_OR_RETURN(DeviceSessionKey key, crypto::SecureBuffer::Allocate(kDeviceSessionKeyBytes));
  if (!FromHex(hex, key.data(), key.size())) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "a session key must be %zu bytes in hex", kDeviceSessionKeyBytes);
  }
  return key;
}

static_assert(kDeviceSessionKeyBytes == crypto_auth_KEYBYTES, "crypto_auth takes the session key");
static_assert(kDeviceSessionMacBytes == crypto_auth_BYTES, "a MAC is one crypto_auth tag");

Status DeviceSessions::Ready() {
  std::call_once(ready_once_, [this] { ready_ = DrawSecret(); });
  return ready_;
}

Status DeviceSessions::DrawSecret() {
  TMM_RETURN_IF_ERROR(crypto::InitializeSodium());
  TMM_ASSIGN_OR_RETURN(secret_, crypto::SecureBuffer::Allocate(crypto_generichash_KEYBYTES));
  randombytes_buf(secret_.data(), secret_.size());
  instance_ = NewRecordId("");
  return Status::Ok();
}

Status DeviceSessions::DeriveKey(const std::string& session_id, uint8_t* key) {
  if (crypto_generichash(key, kDeviceSessionKeyBytes,
                         reinterpret_cast<const unsigned char*>(session_id.data()),
                         session_id.size(), secret_.data(), secret_.size()) != 0) {
    return Status::Error(StatusCode::kInternal, "cannot derive the session key");
  }
  return Status::Ok();
}

Result<DeviceSessions::NewSession> DeviceSessions::Open(const std::string& device_id,
                                                        int64_t now) {
  NewSession session;
  session.expires_unix = now + kDeviceSessionSeconds;
  TMM_ASSIGN_OR_RETURN(session.key, crypto::SecureBuffer::Allocate(kDeviceSessionKeyBytes));
  std::lock_guard<std::mutex> lock(mutex_);
  TMM_RETURN_IF_ERROR(Ready());
  session.id = kSessionPrefix + device_id + "." + std::to_string(session.expires_unix) + "." +
               instance_ + "." + NewRecordId("") + NewRecordId("");
  TMM_RETURN_IF_ERROR(DeriveKey(session.id, session.key.data()));
  if (sessions_.size() >= next_purge_) {
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      it = it->second.expires_unix <= now ? sessions_.erase(it) : std::next(it);
    }
    next_purge_ = std::max<size_t>(1024, 2 * sessions_.size());
  }
  sessions_[session.id] = OpenSession{session.expires_unix, 0};
  return session;
}

Status DeviceSessions::Accept(const DeviceSessionHeaders& headers, const std::string& message,
                              int64_t now) {
  TMM_RETURN_IF_ERROR(Ready());
  // The MAC is checked before the lock is taken (the secret never changes once drawn), so that
  // the threads of the process verify their requests side by side; what it means is told
  // after the session's own checks, whose errors say more.
  uint8_t key[kDeviceSessionKeyBytes];
  TMM_RETURN_IF_ERROR(DeriveKey(headers.session_id, key));
  const bool verifies = crypto_auth_verify(headers.mac.data(),
                                           reinterpret_cast<const unsigned char*>(message.data()),
                                           message.size(), key) == 0;
  sodium_memzero(key, sizeof key);
  std::lock_guard<std::mutex> lock(mutex_);
  auto open = sessions_.find(headers.session_id);
  if (headers.instance != instance_ || open == sessions_.end()) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "the session was opened by another server process, or before this one "
                         "restarted: open a new one with POST /v1/device/session");
  }
  if (open->second.expires_unix <= now) {
    sessions_.erase(open);
    return Status::Error(StatusCode::kInvalidArgument,
                         "the session has expired: open a new one with POST /v1/device/session");
  }
  if (!verifies) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "the request MAC does not verify under the session's key");
  }
  if (headers.counter <= open->second.last_counter) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "replayed request: X-Tinymlops-Counter must be larger than the last "
                         "one used in this session");
  }
  open->second.last_counter = headers.counter;
  return Status::Ok();
}

}  // namespace tinymlops::server
