#include "server/auth/device_session.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>

#include "crypto/sodium_init.h"
#include "server/auth/opaque_token.h"

namespace tinymlops::server {
namespace {

constexpr const char* kSessionPrefix = "tms1.";
constexpr const char* kSecretName = "device_session";
constexpr size_t kSecretBytes = 32;

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

// Splits "tms1.DEVICE.EXPIRY.RANDOM"; false when it is not one.
bool ParseSessionId(const std::string& id, std::string* device, int64_t* expires) {
  if (id.size() > 160 || id.rfind(kSessionPrefix, 0) != 0) return false;
  const size_t start = std::strlen(kSessionPrefix);
  const size_t dot1 = id.find('.', start);
  if (dot1 == std::string::npos) return false;
  const size_t dot2 = id.find('.', dot1 + 1);
  if (dot2 == std::string::npos) return false;
  *device = id.substr(start, dot1 - start);
  const std::string random = id.substr(dot2 + 1);
  uint8_t bytes[16];
  return ValidDeviceId(*device) && ParseDecimal(id.substr(dot1 + 1, dot2 - dot1 - 1), expires) &&
         FromHex(random, bytes, sizeof bytes);
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
  if (!ParseSessionId(*session, &parsed.device_id, &parsed.expires_unix)) {
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

// Copies the store's secret into `secret`. The first process to need it creates it in the
// caller's transaction; it is kept in memory only once read back as a row someone committed, so
// a transaction that inserts it and then rolls back leaves no secret behind in any process.
Status DeviceSessionKeys::Secret(Transaction& tx, uint8_t* secret) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!secret_.empty()) {
      std::memcpy(secret, secret_.data(), kSecretBytes);
      return Status::Ok();
    }
  }
  TMM_RETURN_IF_ERROR(crypto::InitializeSodium());
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT secret FROM server_secrets WHERE name = ?",
                                           {std::string(kSecretName)}));
  bool committed = !rows.empty();
  if (!committed) {
    randombytes_buf(secret, kSecretBytes);
    std::string fresh_hex = ToHex(secret, kSecretBytes);
    auto inserted = tx.Execute(
        "INSERT INTO server_secrets (name, secret, created_unix) VALUES (?, ?, 0) "
        "ON CONFLICT DO NOTHING",
        {std::string(kSecretName), fresh_hex});
    sodium_memzero(&fresh_hex[0], fresh_hex.size());
    TMM_RETURN_IF_ERROR(inserted.status());
    if (*inserted == 1) return Status::Ok();
    // Another process created it meanwhile (PostgreSQL): read theirs.
    TMM_ASSIGN_OR_RETURN(rows, tx.Query("SELECT secret FROM server_secrets WHERE name = ?",
                                        {std::string(kSecretName)}));
    if (rows.empty()) return Status::Error(StatusCode::kInternal, "the session secret is missing");
    committed = true;
  }
  std::string stored = rows[0].Text(0);
  const bool decoded = FromHex(stored, secret, kSecretBytes);
  sodium_memzero(&stored[0], stored.size());
  if (!decoded) {
    return Status::Error(StatusCode::kInternal, "the stored session secret is malformed");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (secret_.empty()) {
    TMM_ASSIGN_OR_RETURN(secret_, crypto::SecureBuffer::Allocate(kSecretBytes));
    std::memcpy(secret_.data(), secret, kSecretBytes);
  }
  return Status::Ok();
}

Status DeviceSessionKeys::DeriveKey(Transaction& tx, const std::string& session_id,
                                    uint8_t* key) {
  uint8_t secret[kSecretBytes];
  Status status = Secret(tx, secret);
  if (status.ok() &&
      crypto_generichash(key, kDeviceSessionKeyBytes,
                         reinterpret_cast<const unsigned char*>(session_id.data()),
                         session_id.size(), secret, sizeof secret) != 0) {
    status = Status::Error(StatusCode::kInternal, "cannot derive the session key");
  }
  sodium_memzero(secret, sizeof secret);
  return status;
}

Result<DeviceSessionKeys::NewSession> DeviceSessionKeys::Open(Transaction& tx,
                                                               const std::string& device_id,
                                                               int64_t now) {
  NewSession session;
  session.expires_unix = now + kDeviceSessionSeconds;
  session.id = kSessionPrefix + device_id + "." + std::to_string(session.expires_unix) + "." +
               NewRecordId("") + NewRecordId("");
  TMM_ASSIGN_OR_RETURN(session.key, crypto::SecureBuffer::Allocate(kDeviceSessionKeyBytes));
  TMM_RETURN_IF_ERROR(DeriveKey(tx, session.id, session.key.data()));
  return session;
}

Result<bool> DeviceSessionKeys::Verifies(Transaction& tx, const std::string& session_id,
                                         const std::string& message, const DeviceSessionMac& mac) {
  uint8_t key[kDeviceSessionKeyBytes];
  TMM_RETURN_IF_ERROR(DeriveKey(tx, session_id, key));
  const bool ok = crypto_auth_verify(mac.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key) == 0;
  sodium_memzero(key, sizeof key);
  return ok;
}

}  // namespace tinymlops::server
