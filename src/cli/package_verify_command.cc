// `tinymlops package verify IN.tpkg --trust VENDOR.pub [--keys DEVICE_DIR] [--state DIR]`:
// checks a package as a device would. Always: the signature against the trusted keys and the
// payload's hash. With --keys (needed for an encrypted package) or for a clear package: the
// whole device-side load as well, in memory: decrypt, decompress, load, self-tests, and one
// integrity-guard pass, reported with the verification period it implies at the guard's budget.
// Exit 1 with the reason when any check fails.
#include <chrono>
#include <memory>
#include <string>

#include "cli/command_output.h"
#include "cli/model_loader.h"
#include "cli/package_commands.h"
#include "cli/package_files.h"
#include "cli/package_opening.h"
#include "format/package_reader.h"

namespace tinymlops::cli {
namespace {

struct VerifyArguments {
  std::string input_path;
  DeviceArguments device;
  std::string kernels;
  bool json = false;
};

Status Verify(const VerifyArguments& arguments) {
  TMM_ASSIGN_OR_RETURN(const std::vector<crypto::SigningPublicKey> trusted,
                       ReadTrustedKeys(arguments.device.trusted));
  TMM_ASSIGN_OR_RETURN(auto source, format::FileByteSource::Open(arguments.input_path));
  auto reader = format::PackageReader::Open(std::move(source), trusted);
  if (!reader.ok()) return WithContext("'" + arguments.input_path + "'", reader.status());
  const Status payload = (*reader)->VerifyPayload();
  if (!payload.ok()) return WithContext("'" + arguments.input_path + "'", payload);

  JsonValue report = JsonValue::Object();
  report.Set("file", arguments.input_path);
  report.Set("signature", "valid, by " + (*reader)->signer().key_id());
  report.Set("payload_hash", "matches the signed manifest");
  const bool can_open = !(*reader)->encrypted() || !arguments.device.keys.empty();
  if (can_open) {
    TMM_ASSIGN_OR_RETURN(
        const OpenedPackage opened,
        OpenPackage(arguments.input_path, arguments.device, KernelSetFromName(arguments.kernels)));
    report.Set("opened", "decrypted, decompressed and loaded in memory");
    report.Set("self_tests_passed", opened.loader->manifest()->self_tests.size());
    // One full guard pass at full speed here gives the verification period at the budget: the
    // time within which a changed weight is detected on a device like this one.
    device::IntegrityGuard& guard = *opened.loader->guard();
    guard.Stop();
    const auto start = std::chrono::steady_clock::now();
    TMM_RETURN_IF_ERROR(guard.VerifyAll());
    const double pass_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    JsonValue guard_report = JsonValue::Object();
    guard_report.Set("guarded_weight_bytes", guard.guarded_bytes());
    guard_report.Set("slices", guard.slice_count());
    guard_report.Set("cpu_budget", guard.options().cpu_budget);
    guard_report.Set("full_pass_seconds", pass_seconds);
    guard_report.Set("verification_period_seconds", pass_seconds / guard.options().cpu_budget);
    report.Set("integrity_guard", std::move(guard_report));
  } else {
    report.Set("opened", "not tried: the package is encrypted; give --keys DEVICE_DIR");
  }
  report.Set("manifest", DescribeManifest((*reader)->manifest()));
  PrintReport(report, arguments.json);
  return Status::Ok();
}

}  // namespace

void AddPackageVerifyCommand(CLI::App& package, Status& outcome) {
  auto arguments = std::make_shared<VerifyArguments>();
  CLI::App* command = package.add_subcommand(
      "verify",
      "Check a package as a device would: signature, payload hash, and (with the "
      "device's keys) decryption, loading and self-tests");
  command->add_option("IN.tpkg", arguments->input_path, "Package to verify")->required();
  AddDeviceOptions(*command, arguments->device);
  command->get_option("--trust")->required();
  AddKernelsOption(*command, arguments->kernels);
  command->add_flag("--json", arguments->json, "Print the report as JSON");
  command->callback([arguments, &outcome] { outcome = Verify(*arguments); });
}

}  // namespace tinymlops::cli
