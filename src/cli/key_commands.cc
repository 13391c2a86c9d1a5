#include "cli/key_commands.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "cli/command_output.h"
#include "crypto/key_file.h"
#include "device/file_key_store.h"

namespace tinymlops::cli {
namespace {

struct KeyArguments {
  std::string name;
  std::string folder = ".";
  bool json = false;
};

Status MakePrivateFolder(const std::string& folder) {
  if (::mkdir(folder.c_str(), 0700) == 0 || errno == EEXIST) return Status::Ok();
  return Status::Error(StatusCode::kIoError, "cannot create folder '%s': %s", folder.c_str(),
                       std::strerror(errno));
}

// Writes FOLDER/NAME.key and FOLDER/NAME.pub for a new key and reports them.
Status WriteNewKey(const std::string& folder, const std::string& name, const char* kind,
                   bool json) {
  TMM_RETURN_IF_ERROR(MakePrivateFolder(folder));
  TMM_ASSIGN_OR_RETURN(const crypto::SigningKeyPair key, crypto::SigningKeyPair::Generate());
  const std::string secret_path = folder + "/" + name + ".key";
  const std::string public_path = folder + "/" + name + ".pub";
  TMM_RETURN_IF_ERROR(crypto::WriteSecretKeyFile(secret_path, key));
  TMM_RETURN_IF_ERROR(crypto::WritePublicKeyFile(public_path, key.public_key()));
  JsonValue report = JsonValue::Object();
  report.Set("kind", kind);
  report.Set("key_id", key.public_key().key_id());
  report.Set("secret_key", secret_path);
  report.Set("public_key", public_path);
  PrintReport(report, json);
  return Status::Ok();
}

}  // namespace

void AddKeysCommands(CLI::App& app, Status& outcome) {
  CLI::App* keys = app.add_subcommand("keys", "Vendor signing keys (Ed25519)");
  keys->require_subcommand(1);
  auto arguments = std::make_shared<KeyArguments>();
  CLI::App* command = keys->add_subcommand(
      "new", "Make a vendor signing key: DIR/NAME.key (secret, mode 0600) and DIR/NAME.pub");
  command->add_option("NAME", arguments->name, "Key name, e.g. vendor")->required();
  command->add_option("-d,--dir", arguments->folder, "Folder for the key files")
      ->capture_default_str();
  command->add_flag("--json", arguments->json, "Print the report as JSON");
  command->callback([arguments, &outcome] {
    outcome =
        WriteNewKey(arguments->folder, arguments->name, "vendor signing key", arguments->json);
  });
}

void AddDeviceCommands(CLI::App& app, Status& outcome) {
  CLI::App* device_noun = app.add_subcommand("device", "Device identity");
  device_noun->require_subcommand(1);
  auto arguments = std::make_shared<KeyArguments>();
  CLI::App* command = device_noun->add_subcommand(
      "keygen",
      "Make a device identity key (Ed25519; its X25519 key opens packages encrypted to it): "
      "DIR/device.key (mode 0600) and DIR/device.pub");
  command->add_option("-d,--dir", arguments->folder, "The device's key folder")->required();
  command->add_flag("--json", arguments->json, "Print the report as JSON");
  command->callback([arguments, &outcome] {
    outcome = WriteNewKey(arguments->folder, device::kDeviceKeyName, "device identity key",
                          arguments->json);
  });
}

}  // namespace tinymlops::cli
