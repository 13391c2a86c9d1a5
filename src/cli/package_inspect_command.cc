// `tinymlops package inspect IN.tpkg [--trust VENDOR.pub]`: what a package holds (its
// manifest), and whether its signature verifies when a vendor key is given. Without --trust
// the manifest is shown unverified, and the report says so.
#include <memory>
#include <string>
#include <vector>

#include "cli/command_output.h"
#include "cli/package_commands.h"
#include "cli/package_files.h"
#include "cli/package_opening.h"
#include "format/package_reader.h"

namespace tinymlops::cli {
namespace {

struct InspectArguments {
  std::string input_path;
  std::vector<std::string> trusted;
  bool json = false;
};

Status Inspect(const InspectArguments& arguments) {
  TMM_ASSIGN_OR_RETURN(const format::PackageContents package,
                       ReadPackageUnverified(arguments.input_path));
  std::string signature = "not checked (give --trust VENDOR.pub)";
  if (!arguments.trusted.empty()) {
    TMM_ASSIGN_OR_RETURN(const std::vector<crypto::SigningPublicKey> trusted,
                         ReadTrustedKeys(arguments.trusted));
    TMM_ASSIGN_OR_RETURN(auto source, format::FileByteSource::Open(arguments.input_path));
    auto reader = format::PackageReader::Open(std::move(source), trusted);
    signature = reader.ok() ? "valid, by " + (*reader)->signer().key_id()
                            : std::string("INVALID: ") + reader.status().message();
  }
  JsonValue report = JsonValue::Object();
  report.Set("file", arguments.input_path);
  report.Set("signature", signature);
  report.Set("manifest", DescribeManifest(package.manifest));
  PrintReport(report, arguments.json);
  return Status::Ok();
}

}  // namespace

void AddPackageInspectCommand(CLI::App& package, Status& outcome) {
  auto arguments = std::make_shared<InspectArguments>();
  CLI::App* command =
      package.add_subcommand("inspect", "Show a package's manifest (and check its signature)");
  command->add_option("IN.tpkg", arguments->input_path, "Package to inspect")->required();
  command->add_option("--trust", arguments->trusted, "VENDOR.pub: check the signature with it");
  command->add_flag("--json", arguments->json, "Print the report as JSON");
  command->callback([arguments, &outcome] { outcome = Inspect(*arguments); });
}

}  // namespace tinymlops::cli
