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

Result<AuthenticatedDevice> AuthenticateSession(Transaction& tx, DeviceSessions& sessions,
                                                LastSeenRecorder& last_seen,
                                                const std::string& method,
                                                const std::string& target,
                                                const std::map<std::string, std::string>& headers,
                                                const std::string& body, int64_t now) {
  TMM_ASSIGN_OR_RETURN(DeviceSessionHeaders session, ParseDeviceSessionHeaders(headers));
  TMM_RETURN_IF_ERROR(CheckWindow(session.timestamp, now));
  TMM_RETURN_IF_ERROR(sessions.Accept(
      session, DeviceSessionMessage(method, target, session.timestamp, session.counter, body),
      now));
  static const std::string kSelectDevice = std::string("SELECT project_id, last_seen_unix, ") +
                                           kAnswerRevisionColumns + " FROM devices WHERE id = ?";
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query(kSelectDevice, {session.device_id}));
  if (rows.empty()) {
    return Status::Error(StatusCode::kInvalidArgument, "unknown device: enroll it first");
  }
  if (now - rows[0].Int(1) >= kLastSeenResolutionSeconds) last_seen.Note(session.device_id, now);
  return AuthenticatedDevice{session.device_id, rows[0].Text(0), true,
                             AnswerRevisions{rows[0].Int(3), rows[0].Int(2)}};
}

}  // namespace

Result<AuthenticatedDevice> AuthenticateDevice(Transaction& tx, DeviceSessions& sessions,
                                               LastSeenRecorder& last_seen,
                                               const std::string& method,
                                               const std::string& target,
                                               const std::map<std::string, std::string>& headers,
                                               const std::string& body, int64_t now) {
  if (HasDeviceSessionHeader(headers)) {
    return AuthenticateSession(tx, sessions, last_seen, method, target, headers, body, now);
  }
  TMM_ASSIGN_OR_RETURN(DeviceRequestHeaders signed_headers, ParseDeviceRequestHeaders(headers));
  TMM_RETURN_IF_ERROR(CheckWindow(signed_headers.timestamp, now));
  static const std::string kSelectDevice = std::string("SELECT project_id, public_key, ") +
                                           kAnswerRevisionColumns + " FROM devices WHERE id = ?";
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query(kSelectDevice, {signed_headers.device_id}));
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
  return AuthenticatedDevice{signed_headers.device_id, rows[0].Text(0), false,
                             AnswerRevisions{rows[0].Int(3), rows[0].Int(2)}};
}

}  // namespace tinymlops::server
