// The device identity on disk and its one-time enrollment. DATA/identity holds device.key
// (the Ed25519 identity, mode 0600, crypto/key_file.h; generated on the device, never sent),
// device.pub, and device_id (the id the server gave at enrollment, written durably).
// LoadIdentity reads an enrolled identity; EnrollDevice generates the key if there is none,
// sends POST /v1/enroll with the enrollment token, and records the device id.
// A cut between the server's answer and the durable device_id leaves a key the server knows
// and a device that cannot name itself: EnrollDevice then fails with what to do (remove the
// identity folder and enroll with a new token).
// Errors: kNotFound (not enrolled yet), kFailedPrecondition (the server refused the
// enrollment: its message), kIoError (server unreachable, files).
// Thread-safety: one user per data folder.
#ifndef TINYMLOPS_AGENT_DEVICE_ENROLLMENT_H_
#define TINYMLOPS_AGENT_DEVICE_ENROLLMENT_H_

#include <string>

#include "agent/device_client.h"
#include "runtime/status.h"

namespace tinymlops::agent {

Result<DeviceIdentity> LoadIdentity(const std::string& identity_folder);
// `profile_json`: the device profile object sent with the enrollment.
Result<DeviceIdentity> EnrollDevice(const DeviceClient& client, const std::string& identity_folder,
                                    const std::string& token, const std::string& name,
                                    const std::string& profile_json);

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_DEVICE_ENROLLMENT_H_
