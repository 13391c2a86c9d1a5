// `tinymlops package build IN.tmm -o OUT.tpkg --model-id ID --release N ...`: compresses a
// model into a package with its manifest and optional self-test vectors (the model's outputs on
// given inputs, computed here with the reference kernels). Signed when --key is given; else
// sign it with `tinymlops package sign`.
#include <memory>
#include <string>
#include <vector>

#include "cli/command_output.h"
#include "cli/package_commands.h"
#include "cli/package_manifest_options.h"
#include "toolchain/io/file_io.h"

namespace tinymlops::cli {
namespace {

struct BuildArguments {
  std::string input_path;
  ManifestArguments manifest;
};

Status Build(const BuildArguments& arguments) {
  TMM_ASSIGN_OR_RETURN(const std::string file, toolchain::ReadFile(arguments.input_path));
  const std::vector<uint8_t> model(file.begin(), file.end());
  TMM_ASSIGN_OR_RETURN(tpkg::ManifestT manifest,
                       MakeManifest(arguments.manifest, arguments.input_path, model));
  auto package = format::BuildPackage(model.data(), model.size(), std::move(manifest),
                                      arguments.manifest.chunk_kib << 10);
  if (!package.ok())
    return WithContext("cannot package '" + arguments.input_path + "'", package.status());
  return WritePackageAndReport(arguments.manifest, *package);
}

}  // namespace

void AddPackageBuildCommand(CLI::App& package, Status& outcome) {
  auto arguments = std::make_shared<BuildArguments>();
  CLI::App* command = package.add_subcommand(
      "build", "Package a .tmm model: zstd-compressed payload, manifest, optional self-tests");
  command->add_option("IN.tmm", arguments->input_path, "Model to package")->required();
  AddManifestOptions(*command, arguments->manifest);
  command->callback([arguments, &outcome] { outcome = Build(*arguments); });
}

}  // namespace tinymlops::cli
