// `tinymlops package delta --from OLD.tmm --to NEW.tmm -o DELTA.tpkg --model-id ID ...`: a
// delta package (toolchain/package/model_delta.h) that turns the installed OLD model into NEW
// on the device, with the manifest of NEW (identity, release, self-tests on NEW). Sign and
// encrypt it like any package. `tinymlops package apply-delta DELTA.tpkg --base OLD.tpkg
// --trust VENDOR.pub [--keys DEVICE_DIR] [--state DIR]` checks one end to end as a device
// would: loads the base package, applies the delta to it in memory (signature, base hash,
// patch, result hash), then self-tests the result; nothing clear is written to disk.
#include <memory>
#include <string>
#include <vector>

#include "cli/command_output.h"
#include "cli/model_loader.h"
#include "cli/package_commands.h"
#include "cli/package_files.h"
#include "cli/package_manifest_options.h"
#include "cli/package_opening.h"
#include "toolchain/io/file_io.h"
#include "toolchain/package/model_delta.h"

namespace tinymlops::cli {
namespace {

struct DeltaArguments {
  std::string from_path;
  std::string to_path;
  ManifestArguments manifest;
};

Result<std::vector<uint8_t>> ReadModelFile(const std::string& path) {
  TMM_ASSIGN_OR_RETURN(const std::string file, toolchain::ReadFile(path));
  return std::vector<uint8_t>(file.begin(), file.end());
}

Status MakeDelta(const DeltaArguments& arguments) {
  TMM_ASSIGN_OR_RETURN(const std::vector<uint8_t> base, ReadModelFile(arguments.from_path));
  TMM_ASSIGN_OR_RETURN(const std::vector<uint8_t> model, ReadModelFile(arguments.to_path));
  TMM_ASSIGN_OR_RETURN(tpkg::ManifestT manifest,
                       MakeManifest(arguments.manifest, arguments.to_path, model));
  auto package =
      toolchain::BuildDeltaPackage(base.data(), base.size(), model.data(), model.size(),
                                   std::move(manifest), arguments.manifest.chunk_kib << 10);
  if (!package.ok())
    return WithContext(
        "cannot make a delta from '" + arguments.from_path + "' to '" + arguments.to_path + "'",
        package.status());
  return WritePackageAndReport(arguments.manifest, *package);
}

struct ApplyArguments {
  std::string delta_path;
  std::string base_path;
  DeviceArguments device;
  std::string kernels;
  bool json = false;
};

Status ApplyDelta(const ApplyArguments& arguments) {
  TMM_ASSIGN_OR_RETURN(
      const OpenedPackage opened,
      OpenPackage(arguments.base_path, arguments.device, KernelSetFromName(arguments.kernels)));
  TMM_ASSIGN_OR_RETURN(auto source, format::FileByteSource::Open(arguments.delta_path));
  TMM_RETURN_IF_ERROR(opened.loader->LoadDelta(std::move(source), arguments.delta_path));
  JsonValue report = JsonValue::Object();
  report.Set("delta", arguments.delta_path);
  report.Set("base", arguments.base_path);
  report.Set("applied",
             "signature, base hash, patch and result hash verified; result loaded in memory");
  report.Set("self_tests_passed", opened.loader->manifest()->self_tests.size());
  report.Set("manifest", DescribeManifest(*opened.loader->manifest()));
  PrintReport(report, arguments.json);
  return Status::Ok();
}

}  // namespace

void AddPackageDeltaCommand(CLI::App& package, Status& outcome) {
  auto arguments = std::make_shared<DeltaArguments>();
  CLI::App* command = package.add_subcommand(
      "delta",
      "Make a delta package: NEW.tmm as a zstd patch against OLD.tmm, the model devices have");
  command->add_option("--from", arguments->from_path, "OLD.tmm: the model devices have installed")
      ->required();
  command->add_option("--to", arguments->to_path, "NEW.tmm: the model the delta produces")
      ->required();
  AddManifestOptions(*command, arguments->manifest);
  command->callback([arguments, &outcome] { outcome = MakeDelta(*arguments); });
}

void AddPackageApplyDeltaCommand(CLI::App& package, Status& outcome) {
  auto arguments = std::make_shared<ApplyArguments>();
  CLI::App* command = package.add_subcommand(
      "apply-delta",
      "Check a delta package end to end as a device would: load the base package, apply the "
      "delta in memory, self-test the result");
  command->add_option("DELTA.tpkg", arguments->delta_path, "Delta package to apply")->required();
  command->add_option("--base", arguments->base_path, "BASE.tpkg: the package the delta applies to")
      ->required();
  AddDeviceOptions(*command, arguments->device);
  command->get_option("--trust")->required();
  AddKernelsOption(*command, arguments->kernels);
  command->add_flag("--json", arguments->json, "Print the report as JSON");
  command->callback([arguments, &outcome] { outcome = ApplyDelta(*arguments); });
}

}  // namespace tinymlops::cli
