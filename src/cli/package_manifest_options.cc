#include "cli/package_manifest_options.h"

#include <map>
#include <memory>

#include "cli/command_output.h"
#include "cli/input_files.h"
#include "cli/model_loader.h"
#include "cli/package_files.h"
#include "format/semantic_version.h"
#include "toolchain/io/npy.h"
#include "toolchain/package/self_test_vectors.h"

namespace tinymlops::cli {
namespace {

Result<std::unique_ptr<tpkg::SelfTestT>> SelfTest(const ManifestArguments& arguments,
                                                  const std::string& model_path,
                                                  const std::vector<uint8_t>& model) {
  TMM_ASSIGN_OR_RETURN(LoadedModel loaded, LoadModel(model_path, toolchain::KernelSet::kReference));
  std::vector<std::string> input_names;
  for (int i = 0; i < loaded.interpreter->input_count(); ++i)
    input_names.push_back(loaded.interpreter->input(i)->name);
  TMM_ASSIGN_OR_RETURN(auto files,
                       BindInputFiles(arguments.self_test_inputs, input_names, "--self-test"));
  std::map<std::string, toolchain::TensorDef> inputs;
  for (const auto& [name, path] : files) {
    TMM_ASSIGN_OR_RETURN(inputs[name], toolchain::ReadNpyFile(path));
  }
  auto test = toolchain::MakeSelfTest(model, inputs);
  if (!test.ok()) return WithContext("cannot compute the self-test outputs", test.status());
  return test;
}

}  // namespace

void AddManifestOptions(CLI::App& command, ManifestArguments& arguments) {
  command.add_option("-o,--output", arguments.output_path, "Package to write (.tpkg)")->required();
  command.add_option("--model-id", arguments.model_id, "Stable name of the model, e.g. digits")
      ->required();
  command.add_option("--version", arguments.version, "Semantic version of the model, e.g. 1.2.0")
      ->required();
  command
      .add_option("--release", arguments.release,
                  "Release counter: higher than every earlier package of this model")
      ->required();
  command.add_flag("--allow-downgrade", arguments.allow_downgrade,
                   "Let devices install it below their installed release (signed)");
  command.add_option("--variant", arguments.variant, "Variant, e.g. fp32 or int8")
      ->capture_default_str();
  command.add_option("--target", arguments.target, "Target, e.g. linux-x86_64")
      ->capture_default_str();
  command.add_option("--min-runtime", arguments.min_runtime, "Oldest runtime that may load it")
      ->capture_default_str();
  command
      .add_option("--self-test", arguments.self_test_inputs,
                  "[NAME=]FILE.npy: a self-test input (repeat per input); the outputs the "
                  "model gives here are what devices must reproduce")
      ->allow_extra_args(false);
  command
      .add_option("--tolerance", arguments.tolerance,
                  "Relative tolerance of float self-test outputs")
      ->capture_default_str();
  command.add_option("--chunk-kib", arguments.chunk_kib, "Payload chunk size in KiB")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  command.add_option("--key", arguments.key_path, "VENDOR.key: sign the package now");
  command.add_flag("--json", arguments.json, "Print the report as JSON");
}

Result<tpkg::ManifestT> MakeManifest(const ManifestArguments& arguments,
                                     const std::string& model_path,
                                     const std::vector<uint8_t>& model) {
  tpkg::ManifestT manifest;
  manifest.model_id = arguments.model_id;
  manifest.version = arguments.version;
  manifest.release = arguments.release;
  manifest.allow_downgrade = arguments.allow_downgrade;
  manifest.variant = arguments.variant;
  manifest.target = arguments.target;
  manifest.min_runtime_version = arguments.min_runtime;
  manifest.self_test_tolerance = arguments.tolerance;
  for (const std::string& version : {arguments.version, arguments.min_runtime}) {
    auto parsed = format::ParseSemanticVersion(version);
    if (!parsed.ok()) return parsed.status();
  }
  if (!arguments.self_test_inputs.empty()) {
    TMM_ASSIGN_OR_RETURN(std::unique_ptr<tpkg::SelfTestT> test,
                         SelfTest(arguments, model_path, model));
    manifest.self_tests.push_back(std::move(test));
  }
  return manifest;
}

Status WritePackageAndReport(const ManifestArguments& arguments, format::PackageContents& package) {
  crypto::SigningKeyPair key;
  if (!arguments.key_path.empty()) {
    TMM_ASSIGN_OR_RETURN(key, ReadVendorKey(arguments.key_path));
  }
  TMM_ASSIGN_OR_RETURN(
      const size_t bytes,
      WritePackage(arguments.output_path, package, arguments.key_path.empty() ? nullptr : &key));
  JsonValue report = JsonValue::Object();
  report.Set("output", arguments.output_path);
  report.Set("package_bytes", bytes);
  report.Set("signed", !arguments.key_path.empty());
  report.Set("manifest", DescribeManifest(package.manifest));
  PrintReport(report, arguments.json);
  return Status::Ok();
}

}  // namespace tinymlops::cli
