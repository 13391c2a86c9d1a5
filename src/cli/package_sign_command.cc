// `tinymlops package sign IN.tpkg --key VENDOR.key [-o OUT.tpkg]` and `tinymlops package
// encrypt IN.tpkg --to DEVICE.pub... --key VENDOR.key [-o OUT.tpkg]`. Both rewrite the package
// with a fresh signature over its manifest; encrypt first replaces the clear payload with
// secretstream chunks under a new content key sealed to each device, so the signature covers
// the recipients. Without -o the package is replaced in place (atomically).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/command_output.h"
#include "cli/package_commands.h"
#include "cli/package_files.h"
#include "crypto/key_file.h"

namespace tinymlops::cli {
namespace {

struct SignArguments {
  std::string input_path;
  std::string output_path;
  std::string key_path;
  std::vector<std::string> devices;  // DEVICE.pub files (encrypt)
  bool json = false;
};

// Reads the package, applies `change`, signs it with the vendor key and writes it.
Status Resign(const SignArguments& arguments,
              const std::function<Status(format::PackageContents&)>& change) {
  TMM_ASSIGN_OR_RETURN(const crypto::SigningKeyPair key, ReadVendorKey(arguments.key_path));
  TMM_ASSIGN_OR_RETURN(format::PackageContents package,
                       ReadPackageUnverified(arguments.input_path));
  TMM_RETURN_IF_ERROR(change(package));
  const std::string output =
      arguments.output_path.empty() ? arguments.input_path : arguments.output_path;
  TMM_ASSIGN_OR_RETURN(const size_t bytes, WritePackage(output, package, &key));
  JsonValue report = JsonValue::Object();
  report.Set("output", output);
  report.Set("package_bytes", bytes);
  report.Set("manifest", DescribeManifest(package.manifest));
  PrintReport(report, arguments.json);
  return Status::Ok();
}

Status Encrypt(const SignArguments& arguments, format::PackageContents& package) {
  std::vector<crypto::SigningPublicKey> devices;
  for (const std::string& path : arguments.devices) {
    TMM_ASSIGN_OR_RETURN(crypto::SigningPublicKey device, crypto::ReadPublicKeyFile(path));
    devices.push_back(device);
  }
  const Status status = format::EncryptPackage(package, devices);
  if (!status.ok()) return WithContext("cannot encrypt '" + arguments.input_path + "'", status);
  return Status::Ok();
}

CLI::App* AddRewriteCommand(CLI::App& package, const char* name, const char* description,
                            SignArguments& arguments) {
  CLI::App* command = package.add_subcommand(name, description);
  command->add_option("IN.tpkg", arguments.input_path, "Package to rewrite")->required();
  command->add_option("-o,--output", arguments.output_path,
                      "Package to write (default: replace IN.tpkg)");
  command->add_option("--key", arguments.key_path, "VENDOR.key: the vendor key that signs it")
      ->required();
  command->add_flag("--json", arguments.json, "Print the report as JSON");
  return command;
}

}  // namespace

void AddPackageSignCommand(CLI::App& package, Status& outcome) {
  auto arguments = std::make_shared<SignArguments>();
  CLI::App* command = AddRewriteCommand(
      package, "sign", "Sign a package's manifest with a vendor key (Ed25519)", *arguments);
  command->callback([arguments, &outcome] {
    outcome = Resign(*arguments, [](format::PackageContents&) { return Status::Ok(); });
  });
}

void AddPackageEncryptCommand(CLI::App& package, Status& outcome) {
  auto arguments = std::make_shared<SignArguments>();
  CLI::App* command = AddRewriteCommand(
      package, "encrypt",
      "Encrypt a package to one or more devices (XChaCha20-Poly1305, key sealed to each "
      "device) and sign it again",
      *arguments);
  command->add_option("--to", arguments->devices, "DEVICE.pub: a device that may open it (repeat)")
      ->required();
  command->callback([arguments, &outcome] {
    outcome = Resign(*arguments, [arguments](format::PackageContents& contents) {
      return Encrypt(*arguments, contents);
    });
  });
}

}  // namespace tinymlops::cli
