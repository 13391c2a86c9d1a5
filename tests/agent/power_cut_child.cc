// agent_power_cut_child: performs one real install, as tinymlops-agent would, so that
// power_cut_test.cc can SIGKILL it at a random moment. Recover, then Apply the release described
// by DESIRED.json (a slot manifest) from the server, with the device identity in
// DATA/identity and the release counters in DATA/releases.
// Usage: agent_power_cut_child DATA SERVER_URL DEVICE_ID VENDOR.pub DESIRED.json
// It writes "recovered\n" to stdout (flushed) when Recover is done and the update path
// begins, so the parent can time its kills on that path alone.
// Exit status: 0 installed or unchanged, 1 anything else (the reason on stderr).
#include <cstdio>
#include <ctime>

#include "agent/device_client.h"
#include "agent/durable_file.h"
#include "agent/package_download.h"
#include "agent/update_installer.h"
#include "crypto/key_file.h"
#include "device/file_key_store.h"
#include "device/file_release_counter_store.h"

namespace {

int Fail(const tinymlops::Status& status) {
  std::fprintf(stderr, "error: %s\n", status.message());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tinymlops;
  using namespace tinymlops::agent;
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s DATA SERVER_URL DEVICE_ID VENDOR.pub DESIRED.json\n", argv[0]);
    return 1;
  }
  const std::string data = argv[1];
  DeviceIdentity identity;
  identity.device_id = argv[3];
  auto key = crypto::ReadSecretKeyFile(data + "/identity/device.key");
  if (!key.ok()) return Fail(key.status());
  identity.key = std::move(*key);
  auto vendor = crypto::ReadPublicKeyFile(argv[4]);
  if (!vendor.ok()) return Fail(vendor.status());
  auto desired_json = ReadFile(argv[5]);
  if (!desired_json.ok()) return Fail(desired_json.status());
  auto desired = ParseSlotManifest(*desired_json);
  if (!desired.ok()) return Fail(desired.status());
  auto key_store = device::FileKeyStore::Open(data + "/identity");
  if (!key_store.ok()) return Fail(key_store.status());
  auto client = DeviceClient::Create(argv[2]);
  if (!client.ok()) return Fail(client.status());
  device::FileReleaseCounterStore counters(data + "/releases");
  runtime::OpResolver resolver;
  runtime::AddReferenceKernels(resolver);
  auto outbox = ReportOutbox::Open(data);
  if (!outbox.ok()) return Fail(outbox.status());

  InstallerOptions options;
  options.data_folder = data;
  options.loader.trusted_vendors = {*vendor};
  options.loader.key_store = key_store->get();
  options.loader.release_counters = &counters;
  options.loader.resolver = &resolver;
  options.loader.start_guard = false;
  options.now = [] { return static_cast<int64_t>(std::time(nullptr)); };
  options.fetch = [&](const SlotVariant& variant, const std::string& destination) {
    return DownloadPackage(
        *client, identity,
        {variant.package, destination, variant.artifact_hash, variant.artifact_bytes},
        static_cast<int64_t>(std::time(nullptr)));
  };
  auto installer = UpdateInstaller::Open(std::move(options), outbox->get());
  if (!installer.ok()) return Fail(installer.status());
  const Status recovered = (*installer)->Recover();
  if (!recovered.ok()) return Fail(recovered);
  std::fputs("recovered\n", stdout);
  std::fflush(stdout);
  auto result = (*installer)->Apply(*desired);
  if (!result.ok()) return Fail(result.status());
  if (*result != InstallResult::kInstalled && *result != InstallResult::kUnchanged) {
    std::fprintf(stderr, "error: the install ended %s\n", InstallResultName(*result));
    return 1;
  }
  return 0;
}
