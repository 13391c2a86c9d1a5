#include "server/fleet/device_authenticator.h"

#include "crypto/signing_key.h"
#include "server/auth/device_request_signature.h"
#include "server/auth/opaque_token.h"

namespace tinymlops::server {
namespace {

Status CheckWindow(int64_t timestamp, int64_t now) {
  const int64_t skew = timestamp - now;
  if (skew > kDeviceRequestWindowSeconds || skew < -kDeviceRequestWindowSeconds) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "the request timestamp is %lld s from the server's clock (at most %lld "
                         "allowed): check the device's clock",
                         static_cast<long long>(skew),
                         static_cast<long long>(kDeviceRequestWindowSeconds));
  }
  return Status::Ok();
}

Result<AuthenticatedDevice> AuthenticateSession(Transaction& tx, DeviceSessionKeys& sessions,
                                                const std::string& method,
                                                const std::string& target,
                                                const std::map<std::string, std::string>& headers,
                                                const std::string& body, int64_t now) {
  TMM_ASSIGN_OR_RETURN(DeviceSessionHeaders session, ParseDeviceSessionHeaders(headers));
  TMM_RETURN_IF_ERROR(CheckWindow(session.timestamp, now));
  if (session.expires_unix <= now) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "the session has expired: open a new one with POST /v1/device/session");
  }
  const std::string message =
      DeviceSessionMessage(method, target, session.timestamp, session.counter, body);
  TMM_ASSIGN_OR_RETURN(bool verifies,
                       sessions.Verifies(tx, session.session_id, message, session.mac));
  if (!verifies) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "the request MAC does not verify under the session's key");
  }
  // The counter and last_seen_unix in one conditional write: of two requests with one counter,
  // in any processes, one changes the row.
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query("UPDATE devices SET request_counter = ?, "
                                           "last_seen_unix = ? WHERE id = ? AND "
                                           "request_counter < ? RETURNING project_id",
                                           {session.counter, now, session.device_id,
                                            session.counter}));
  if (rows.empty()) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "replayed request: X-Tinymlops-Counter must be larger than the last "
                         "one this device used (POST /v1/device/session answers it)");
  }
  return AuthenticatedDevice{session.device_id, rows[0].Text(0), true};
}

}  // namespace

Result<AuthenticatedDevice> AuthenticateDevice(Transaction& tx, DeviceSessionKeys& sessions,
                                               const std::string& method,
                                               const std::string& target,
                                               const std::map<std::string, std::string>& headers,
                                               const std::string& body, int64_t now) {
  if (HasDeviceSessionHeader(headers)) {
    return AuthenticateSession(tx, sessions, method, target, headers, body, now);
  }
  TMM_ASSIGN_OR_RETURN(DeviceRequestHeaders signed_headers, ParseDeviceRequestHeaders(headers));
  TMM_RETURN_IF_ERROR(CheckWindow(signed_headers.timestamp, now));
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT project_id, public_key FROM devices WHERE id = ?",
                                           {signed_headers.device_id}));
  if (rows.empty()) {
    return Status::Error(StatusCode::kInvalidArgument, "unknown device: enroll it first");
  }
  uint8_t key_bytes[crypto::kSigningPublicKeyBytes];
  if (!FromHex(rows[0].Text(1), key_bytes, sizeof key_bytes)) {
    return Status::Error(StatusCode::kInternal, "the stored key of the device is malformed");
  }
  TMM_ASSIGN_OR_RETURN(auto key, crypto::SigningPublicKey::FromBytes(key_bytes, sizeof key_bytes));
  const std::string message = DeviceRequestMessage(method, target, signed_headers.timestamp,
                                                   signed_headers.nonce, body);
  if (!key.Verifies(reinterpret_cast<const uint8_t*>(message.data()), message.size(),
                    signed_headers.signature)) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "the request signature does not verify under the device's key");
  }
  TMM_RETURN_IF_ERROR(tx.Execute("DELETE FROM device_nonces WHERE seen_unix < ?",
                                 {now - 2 * kDeviceRequestWindowSeconds})
                          .status());
  TMM_ASSIGN_OR_RETURN(int64_t recorded,
                       tx.Execute("INSERT INTO device_nonces (device_id, nonce, seen_unix) "
                                  "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                                  {signed_headers.device_id, signed_headers.nonce, now}));
  if (recorded == 0) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "replayed request: this nonce was already used");
  }
  TMM_RETURN_IF_ERROR(tx.Execute("UPDATE devices SET last_seen_unix = ? WHERE id = ?",
                                 {now, signed_headers.device_id})
                          .status());
  return AuthenticatedDevice{signed_headers.device_id, rows[0].Text(0)};
}

}  // namespace tinymlops::server
