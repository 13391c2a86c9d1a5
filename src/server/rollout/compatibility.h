// Compatibility of a model variant with a device, from the capability profile the device
// reported (docs/device-protocol.md): a variant is refused for a device whose profile lacks an
// op the variant uses, whose RAM is below the variant's arena_bytes plus its model size, or
// whose runtime_version is older than the variant's min_runtime_version (from its package
// manifest). A fact the device has not reported is not held against it. The reason is a
// sentence for the operator: "device dev_x lacks op Softmax needed by digits 1.1.0 int8".
// Thread-safety: pure functions.
#ifndef TINYMLOPS_SERVER_ROLLOUT_COMPATIBILITY_H_
#define TINYMLOPS_SERVER_ROLLOUT_COMPATIBILITY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/registry/model_registry.h"

namespace tinymlops::server {

struct DeviceProfile {
  std::string device_class;  // profile.device_class, else profile.architecture, else "unknown"
  std::optional<int64_t> ram_bytes;
  std::optional<std::vector<std::string>> ops;
  std::string runtime_version;  // "" when not reported
};

// The profile from its stored JSON text (validated when it was reported); fields of the wrong
// type count as not reported.
DeviceProfile ParseDeviceProfile(const std::string& profile_json);

// Why `variant` cannot run on the device, or nullopt when it can.
std::optional<std::string> IncompatibilityReason(const std::string& device_id,
                                                 const DeviceProfile& profile,
                                                 const VariantRecord& variant);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_ROLLOUT_COMPATIBILITY_H_
