// The options every package-making command shares (`package build`, `package delta`): the
// manifest's identity fields, self-test inputs, chunk size, the vendor key that signs it now,
// --json; and writing the finished package with its report.
// Errors: a version is not semantic, a self-test input does not fit the model, a file cannot
// be read or written; the message names the option or file. Thread-safety: one caller at a time.
#ifndef TINYMLOPS_CLI_PACKAGE_MANIFEST_OPTIONS_H_
#define TINYMLOPS_CLI_PACKAGE_MANIFEST_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "format/package_writer.h"
#include "runtime/status.h"

namespace tinymlops::cli {

struct ManifestArguments {
  std::string output_path;
  std::string model_id;
  std::string version;
  uint64_t release = 0;
  bool allow_downgrade = false;
  std::string variant = "fp32";
  std::string target = "any";
  std::string min_runtime = "0.1.0";
  std::vector<std::string> self_test_inputs;  // [NAME=]FILE.npy
  float tolerance = 1e-4f;
  uint32_t chunk_kib = 64;
  std::string key_path;
  bool json = false;
};

// Adds -o, --model-id, --version, --release, --allow-downgrade, --variant, --target,
// --min-runtime, --self-test, --tolerance, --chunk-kib, --key and --json to `command`.
void AddManifestOptions(CLI::App& command, ManifestArguments& arguments);

// The manifest for the model at `model_path` (its bytes: `model`), self-tests computed on it.
Result<tpkg::ManifestT> MakeManifest(const ManifestArguments& arguments,
                                     const std::string& model_path,
                                     const std::vector<uint8_t>& model);

// Writes `package` to arguments.output_path (signed when --key was given) and prints the report.
Status WritePackageAndReport(const ManifestArguments& arguments, format::PackageContents& package);

}  // namespace tinymlops::cli

#endif  // TINYMLOPS_CLI_PACKAGE_MANIFEST_OPTIONS_H_
