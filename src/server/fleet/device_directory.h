// The fleet's devices, per project: enrollment and what each device reports.
//
// Enrollment: an operator creates a single-use enrollment token that expires (its hash is
// stored); a device presents it once with its Ed25519 identity public key and becomes a device
// of the token's project. The token is consumed by a conditional UPDATE, so of two concurrent
// enrollments with one token exactly one succeeds, in any server process. A device that lost
// the answer may present the same token with the same key again until the token expires, and
// gets the same enrollment back (so a broken link never strands a device).
// Reports: a device's capability profile (architecture, RAM, storage, ops, runtime version),
// context (battery %, charging, network), health and installed model per slot, each a JSON
// object kept as the agent sent it (validated by server/api/request_bodies.h), plus tags set by
// operators. Every lookup is scoped to one project: another project's devices are not found.
// Errors: kInvalidArgument (a token that is unknown, used or expired; a key already enrolled),
// kNotFound (no such device in the project), store errors.
// Thread-safety: functions over a caller's Transaction.
#ifndef TINYMLOPS_SERVER_FLEET_DEVICE_DIRECTORY_H_
#define TINYMLOPS_SERVER_FLEET_DEVICE_DIRECTORY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/status.h"
#include "server/store/store.h"

namespace tinymlops::server {

struct DeviceRecord {
  std::string id, project_id, name, public_key, key_id;
  std::string tags = "[]", profile = "{}", context = "{}", health = "{}", installed = "{}";
  int64_t enrolled_unix = 0, last_seen_unix = 0;
};

struct EnrollmentToken {
  std::string token;  // the secret, shown once
  int64_t expires_unix = 0;
};

Result<EnrollmentToken> CreateEnrollmentToken(Transaction& tx, const std::string& project_id,
                                              int64_t ttl_seconds, int64_t now);
// `public_key_hex`: the device's Ed25519 public key, 64 hex digits.
Result<DeviceRecord> EnrollDevice(Transaction& tx, const std::string& token,
                                  const std::string& public_key_hex, const std::string& name,
                                  const std::string& profile_json, int64_t now);

struct DeviceReport {  // JSON texts; empty: unchanged
  std::string profile, context, health, installed;
};
// Writes the report's non-empty fields to the device's row, in one UPDATE.
Status RecordDeviceReport(Transaction& tx, const std::string& device_id,
                          const DeviceReport& report);
// The same for a device read in this transaction: writes only the fields that differ from
// `device`'s (no statement when none does: a routine check-in often repeats its context), and
// updates `device` to what the row now holds.
Status RecordDeviceReport(Transaction& tx, DeviceRecord& device, const DeviceReport& report);
Status SetDeviceTags(Transaction& tx, const std::string& project_id, const std::string& device_id,
                     const std::string& tags_json);
Result<DeviceRecord> FindDevice(Transaction& tx, const std::string& project_id,
                                const std::string& device_id);
Result<std::vector<DeviceRecord>> ListDevices(Transaction& tx, const std::string& project_id);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_FLEET_DEVICE_DIRECTORY_H_
