#include "cli/package_opening.h"

#include "cli/command_output.h"
#include "cli/model_loader.h"
#include "crypto/key_file.h"

namespace tinymlops::cli {

void AddDeviceOptions(CLI::App& command, DeviceArguments& arguments) {
  command.add_option("--trust", arguments.trusted,
                     "VENDOR.pub: a vendor key the package must be signed by (repeatable)");
  command.add_option("--keys", arguments.keys,
                     "Device key folder (from 'tinymlops device keygen'); needed for encrypted "
                     "packages");
  command.add_option("--state", arguments.state,
                     "Folder of the device's release counters (refuses rollbacks); none: no "
                     "rollback check");
}

Result<std::vector<crypto::SigningPublicKey>> ReadTrustedKeys(
    const std::vector<std::string>& paths) {
  if (paths.empty())
    return Status::Error(StatusCode::kInvalidArgument,
                         "a package is opened only with a trusted vendor key: add --trust "
                         "VENDOR.pub");
  std::vector<crypto::SigningPublicKey> keys;
  for (const std::string& path : paths) {
    TMM_ASSIGN_OR_RETURN(crypto::SigningPublicKey key, crypto::ReadPublicKeyFile(path));
    keys.push_back(key);
  }
  return keys;
}

Result<OpenedPackage> OpenPackage(const std::string& path, const DeviceArguments& arguments,
                                  toolchain::KernelSet kernels) {
  OpenedPackage opened;
  device::LoaderOptions options;
  TMM_ASSIGN_OR_RETURN(options.trusted_vendors, ReadTrustedKeys(arguments.trusted));
  if (!arguments.keys.empty()) {
    auto store = device::FileKeyStore::Open(arguments.keys);
    if (!store.ok()) return WithContext("cannot use the device keys", store.status());
    opened.key_store = std::move(*store);
    options.key_store = opened.key_store.get();
  }
  if (!arguments.state.empty()) {
    opened.release_counters = std::make_unique<device::FileReleaseCounterStore>(arguments.state);
    options.release_counters = opened.release_counters.get();
  }
  opened.resolver = std::make_unique<runtime::OpResolver>();
  AddKernelSet(kernels, *opened.resolver);
  options.resolver = opened.resolver.get();
  opened.loader = std::make_unique<device::PackageLoader>(std::move(options));
  TMM_RETURN_IF_ERROR(opened.loader->Load(path));
  return opened;
}

}  // namespace tinymlops::cli
