// Opening a package the way a device does, for `tinymlops package verify` and `tinymlops model
// run PACKAGE.tpkg`: --trust VENDOR.pub (repeatable), --keys DEVICE_DIR (the device identity,
// needed for encrypted packages) and --state DIR (release counters; without it there is no
// rollback check) become a device::PackageLoader that loads the package into locked memory.
// The clear model is never written to disk.
// Errors: a key file cannot be read; the package is refused (the loader's message).
// Thread-safety: one caller at a time.
#ifndef TINYMLOPS_CLI_PACKAGE_OPENING_H_
#define TINYMLOPS_CLI_PACKAGE_OPENING_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "device/file_key_store.h"
#include "device/file_release_counter_store.h"
#include "device/package_loader.h"
#include "runtime/status.h"
#include "toolchain/graph/model_session.h"

namespace tinymlops::cli {

struct DeviceArguments {
  std::vector<std::string> trusted;  // VENDOR.pub files
  std::string keys;                  // device key folder
  std::string state;                 // release-counter folder
};

// Adds --trust, --keys and --state to `command`.
void AddDeviceOptions(CLI::App& command, DeviceArguments& arguments);

struct OpenedPackage {
  std::unique_ptr<device::FileKeyStore> key_store;
  std::unique_ptr<device::FileReleaseCounterStore> release_counters;
  std::unique_ptr<runtime::OpResolver> resolver;
  std::unique_ptr<device::PackageLoader> loader;  // last: it uses the members above
};

Result<std::vector<crypto::SigningPublicKey>> ReadTrustedKeys(
    const std::vector<std::string>& paths);
Result<OpenedPackage> OpenPackage(const std::string& path, const DeviceArguments& arguments,
                                  toolchain::KernelSet kernels);

}  // namespace tinymlops::cli

#endif  // TINYMLOPS_CLI_PACKAGE_OPENING_H_
