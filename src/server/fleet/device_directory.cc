#include "server/fleet/device_directory.h"

#include "crypto/signing_key.h"
#include "server/auth/opaque_token.h"

namespace tinymlops::server {
namespace {

constexpr const char* kDeviceColumns =
    "SELECT id, project_id, name, public_key, key_id, tags, profile, context, health, installed, "
    "enrolled_unix, last_seen_unix FROM devices ";

DeviceRecord FromRow(const Row& row) {
  DeviceRecord d;
  d.id = row.Text(0);
  d.project_id = row.Text(1);
  d.name = row.Text(2);
  d.public_key = row.Text(3);
  d.key_id = row.Text(4);
  d.tags = row.Text(5);
  d.profile = row.Text(6);
  d.context = row.Text(7);
  d.health = row.Text(8);
  d.installed = row.Text(9);
  d.enrolled_unix = row.Int(10);
  d.last_seen_unix = row.Int(11);
  return d;
}

}  // namespace

Result<EnrollmentToken> CreateEnrollmentToken(Transaction& tx, const std::string& project_id,
                                              int64_t ttl_seconds, int64_t now) {
  EnrollmentToken created{NewSecretToken("tme_"), now + ttl_seconds};
  TMM_RETURN_IF_ERROR(tx.Execute("INSERT INTO enrollment_tokens (token_hash, project_id, "
                                 "created_unix, expires_unix) VALUES (?, ?, ?, ?)",
                                 {HashToken(created.token), project_id, now, created.expires_unix})
                          .status());
  return created;
}

Result<DeviceRecord> EnrollDevice(Transaction& tx, const std::string& token,
                                  const std::string& public_key_hex, const std::string& name,
                                  const std::string& profile_json, int64_t now) {
  uint8_t key_bytes[crypto::kSigningPublicKeyBytes];
  if (!FromHex(public_key_hex, key_bytes, sizeof key_bytes)) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "public_key must be the device's Ed25519 public key as 64 hex digits");
  }
  TMM_ASSIGN_OR_RETURN(auto key, crypto::SigningPublicKey::FromBytes(key_bytes, sizeof key_bytes));
  DeviceRecord device;
  device.id = NewRecordId("dev_");
  const std::string hash = HashToken(token);
  TMM_ASSIGN_OR_RETURN(int64_t consumed,
                       tx.Execute("UPDATE enrollment_tokens SET used_unix = ?, device_id = ? "
                                  "WHERE token_hash = ? AND used_unix IS NULL AND expires_unix > ?",
                                  {now, device.id, hash, now}));
  if (consumed != 1) {
    // A device whose answer was lost retries with the same token and key: it gets its
    // enrollment again (until the token expires), nobody else does.
    TMM_ASSIGN_OR_RETURN(
        auto retried,
        tx.Query("SELECT t.project_id, t.device_id FROM enrollment_tokens t JOIN devices d ON "
                 "d.id = t.device_id WHERE t.token_hash = ? AND t.expires_unix > ? AND "
                 "d.public_key = ?",
                 {hash, now, ToHex(key.bytes().data(), key.bytes().size())}));
    if (!retried.empty()) return FindDevice(tx, retried[0].Text(0), retried[0].Text(1));
    return Status::Error(StatusCode::kInvalidArgument,
                         "the enrollment token is unknown, already used or expired: ask an "
                         "operator for a new one");
  }
  TMM_ASSIGN_OR_RETURN(auto project,
                       tx.Query("SELECT project_id FROM enrollment_tokens WHERE token_hash = ?",
                                {hash}));
  device.project_id = project[0].Text(0);
  device.name = name.empty() ? device.id : name;
  device.public_key = ToHex(key.bytes().data(), key.bytes().size());
  device.key_id = key.key_id();
  device.profile = profile_json.empty() ? "{}" : profile_json;
  device.enrolled_unix = device.last_seen_unix = now;
  auto inserted = tx.Execute(
      "INSERT INTO devices (id, project_id, public_key, key_id, name, profile, enrolled_unix, "
      "last_seen_unix) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {device.id, device.project_id, device.public_key, device.key_id, device.name, device.profile,
       now, now});
  if (!inserted.ok() && inserted.status().code() == StatusCode::kFailedPrecondition) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "this identity key is already enrolled: a device enrolls once");
  }
  TMM_RETURN_IF_ERROR(inserted.status());
  return device;
}

Status RecordDeviceReport(Transaction& tx, const std::string& device_id,
                          const DeviceReport& report) {
  DeviceRecord unknown;  // nothing known of the row: every non-empty field is written
  unknown.id = device_id;
  unknown.profile = unknown.context = unknown.health = unknown.installed = std::string();
  return RecordDeviceReport(tx, unknown, report);
}

Status RecordDeviceReport(Transaction& tx, DeviceRecord& device, const DeviceReport& report) {
  const std::pair<const char*, std::pair<const std::string*, std::string*>> fields[] = {
      {"profile", {&report.profile, &device.profile}},
      {"context", {&report.context, &device.context}},
      {"health", {&report.health, &device.health}},
      {"installed", {&report.installed, &device.installed}}};
  std::string sql = "UPDATE devices SET ";
  std::vector<SqlValue> params;
  for (const auto& [column, value] : fields) {
    const auto& [reported, held] = value;
    if (reported->empty() || *reported == *held) continue;
    if (!params.empty()) sql += ", ";
    sql += column;
    sql += " = ?";
    params.emplace_back(*reported);
    *held = *reported;
  }
  if (params.empty()) return Status::Ok();
  sql += ", answer_revision = answer_revision + 1 WHERE id = ?";
  params.emplace_back(device.id);
  return tx.Execute(sql, params).status();
}

Status SetDeviceTags(Transaction& tx, const std::string& project_id, const std::string& device_id,
                     const std::string& tags_json) {
  TMM_ASSIGN_OR_RETURN(int64_t changed,
                       tx.Execute("UPDATE devices SET tags = ?, answer_revision = answer_revision + 1 "
                                  "WHERE id = ? AND project_id = ?",
                                  {tags_json, device_id, project_id}));
  if (changed == 0) {
    return Status::Error(StatusCode::kNotFound, "no device %s in this project", device_id.c_str());
  }
  return Status::Ok();
}

Result<DeviceRecord> FindDevice(Transaction& tx, const std::string& project_id,
                                const std::string& device_id) {
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kDeviceColumns) +
                                               "WHERE id = ? AND project_id = ?",
                                           {device_id, project_id}));
  if (rows.empty()) {
    return Status::Error(StatusCode::kNotFound, "no device %s in this project", device_id.c_str());
  }
  return FromRow(rows[0]);
}

Result<std::vector<DeviceRecord>> ListDevices(Transaction& tx, const std::string& project_id) {
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kDeviceColumns) +
                                               "WHERE project_id = ? ORDER BY enrolled_unix, id",
                                           {project_id}));
  std::vector<DeviceRecord> devices;
  for (const Row& row : rows) devices.push_back(FromRow(row));
  return devices;
}

}  // namespace tinymlops::server
