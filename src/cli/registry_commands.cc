// Operator commands of the registry: `model publish` (a version's variants, each a signed
// package with the .tmm it was built from) and the lower-level `variant upload|list`
// (src/cli/control_plane_commands.h lists them); `variant upload --delta-from BASE_VERSION`
// uploads a delta package (`package delta`) of a variant already uploaded.
#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include "cli/command_output.h"
#include "cli/control_plane_commands.h"
#include "cli/model_loader.h"
#include "cli/named_number.h"
#include "cli/package_files.h"
#include "cli/server_connection.h"
#include "toolchain/io/file_io.h"

namespace tinymlops::cli {
namespace {

// What the server records of a variant beyond what its (maybe encrypted) package says.
struct VariantFacts {
  std::string dtype;
  int64_t arena_bytes = 0;
  std::string ops;  // comma-separated
  double accuracy = -1;
};

struct RegistryArguments {
  ServerConnection connection;
  std::string project, path, model;
  std::string delta_from;  // variant upload: the package is a delta against this version
  VariantFacts facts;
  std::vector<std::string> pairs;       // PACKAGE.tpkg:MODEL.tmm
  std::vector<std::string> accuracies;  // VARIANT=X
};

// dtype "int8" when the model computes on int8 tensors, else the dtype of its first input;
// the arena the reference planner needs; the distinct ops, sorted.
Result<VariantFacts> ReadModelFacts(const std::string& path, uint64_t expected_bytes) {
  TMM_ASSIGN_OR_RETURN(LoadedModel loaded, LoadModel(path, toolchain::KernelSet::kReference));
  if (loaded.file->size() != expected_bytes) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "'%s' has %zu bytes but its package says the model has %llu: pass the "
                         ".tmm the package was built from",
                         path.c_str(), loaded.file->size(),
                         static_cast<unsigned long long>(expected_bytes));
  }
  runtime::Interpreter& interpreter = *loaded.interpreter;
  VariantFacts facts;
  facts.arena_bytes = static_cast<int64_t>(interpreter.arena_bytes());
  bool quantized = false;
  for (int i = 0; i < interpreter.tensor_count(); ++i) {
    quantized |= interpreter.tensor(i)->dtype == runtime::DType::kInt8;
  }
  facts.dtype = quantized || interpreter.input_count() == 0
                    ? "int8"
                    : runtime::DTypeName(interpreter.input(0)->dtype);
  std::set<std::string> ops;
  const tmm::Model& model = interpreter.model();
  if (model.operators() != nullptr) {
    for (const tmm::Operator* op : *model.operators()) ops.insert(tmm::EnumNameOpType(op->type()));
  }
  for (const std::string& op : ops) facts.ops += (facts.ops.empty() ? "" : ",") + op;
  return facts;
}

Result<nlohmann::json> UploadVariant(const ServerConnection& c, const std::string& project,
                                     const std::string& package_path, const VariantFacts& facts) {
  TMM_ASSIGN_OR_RETURN(format::PackageContents package, ReadPackageUnverified(package_path));
  TMM_ASSIGN_OR_RETURN(std::string bytes, toolchain::ReadFile(package_path));
  const auto& m = package.manifest;
  std::string target = ProjectPath(project) + "/models/" + EscapeUrlPart(m.model_id) +
                       "/versions/" + EscapeUrlPart(m.version) + "/variants/" +
                       EscapeUrlPart(m.variant) + "?dtype=" + EscapeUrlPart(facts.dtype) +
                       "&arena_bytes=" + std::to_string(facts.arena_bytes);
  if (!facts.ops.empty()) target += "&ops=" + EscapeUrlPart(facts.ops);
  if (facts.accuracy >= 0) target += "&accuracy=" + std::to_string(facts.accuracy);
  // The model is created on its first upload.
  auto created = CallServer(c, "POST", ProjectPath(project) + "/models",
                            nlohmann::json{{"name", m.model_id}}.dump());
  if (!created.ok() &&
      std::string(created.status().message()).find("already exists") == std::string::npos) {
    return created.status();
  }
  return CallServer(c, "PUT", target, bytes, "application/octet-stream");
}

Result<nlohmann::json> UploadDelta(const ServerConnection& c, const std::string& project,
                                   const std::string& package_path,
                                   const std::string& base_version) {
  TMM_ASSIGN_OR_RETURN(format::PackageContents package, ReadPackageUnverified(package_path));
  const auto& m = package.manifest;
  if (!m.delta) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "'%s' is a whole-model package, not a delta: upload it without "
                         "--delta-from, or build the delta with `tinymlops package delta`",
                         package_path.c_str());
  }
  TMM_ASSIGN_OR_RETURN(std::string bytes, toolchain::ReadFile(package_path));
  return CallServer(c, "PUT",
                    ProjectPath(project) + "/models/" + EscapeUrlPart(m.model_id) + "/versions/" +
                        EscapeUrlPart(m.version) + "/variants/" + EscapeUrlPart(m.variant) +
                        "/deltas/" + EscapeUrlPart(base_version),
                    bytes, "application/octet-stream");
}

struct PublishItem {
  std::string package_path;
  format::PackageContents package;
  VariantFacts facts;
};

Status Publish(const RegistryArguments& a) {
  std::map<std::string, double> accuracy;
  for (const std::string& entry : a.accuracies) {
    const std::optional<NamedNumber> parsed = ParseNamedNumber(entry);
    if (!parsed || parsed->value < 0 || parsed->value > 1) {
      return Status::Error(StatusCode::kInvalidArgument,
                           "--accuracy '%s' must be VARIANT=X with X from 0 to 1", entry.c_str());
    }
    accuracy[parsed->name] = parsed->value;
  }
  // Read and check everything before uploading anything.
  std::vector<PublishItem> items;
  for (const std::string& pair : a.pairs) {
    const size_t colon = pair.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == pair.size()) {
      return Status::Error(StatusCode::kInvalidArgument,
                           "'%s' must be PACKAGE.tpkg:MODEL.tmm (the package and the .tmm it "
                           "was built from)",
                           pair.c_str());
    }
    PublishItem item;
    item.package_path = pair.substr(0, colon);
    TMM_ASSIGN_OR_RETURN(item.package, ReadPackageUnverified(item.package_path));
    const auto& m = item.package.manifest;
    if (!items.empty() && (m.model_id != items[0].package.manifest.model_id ||
                           m.version != items[0].package.manifest.version)) {
      return Status::Error(StatusCode::kInvalidArgument,
                           "'%s' is %s %s but '%s' is %s %s: publish one version at a time",
                           item.package_path.c_str(), m.model_id.c_str(), m.version.c_str(),
                           items[0].package_path.c_str(),
                           items[0].package.manifest.model_id.c_str(),
                           items[0].package.manifest.version.c_str());
    }
    TMM_ASSIGN_OR_RETURN(item.facts, ReadModelFacts(pair.substr(colon + 1), m.model_bytes));
    if (auto it = accuracy.find(m.variant); it != accuracy.end()) {
      item.facts.accuracy = it->second;
      accuracy.erase(it);
    }
    items.push_back(std::move(item));
  }
  if (!accuracy.empty()) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "--accuracy names the variant '%s', which none of the packages is",
                         accuracy.begin()->first.c_str());
  }
  JsonValue variants = JsonValue::Array();
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& m = items[i].package.manifest;
    if (!a.connection.json) {
      std::fprintf(stderr, "[%zu/%zu] publishing %s %s %s (%s, %lld arena bytes)\n", i + 1,
                   items.size(), m.model_id.c_str(), m.version.c_str(), m.variant.c_str(),
                   items[i].facts.dtype.c_str(),
                   static_cast<long long>(items[i].facts.arena_bytes));
    }
    auto uploaded = UploadVariant(a.connection, a.project, items[i].package_path, items[i].facts);
    if (!uploaded.ok()) {
      return WithContext("publishing '" + items[i].package_path + "'", uploaded.status());
    }
    variants.Append(ReportOf(*uploaded));
  }
  JsonValue report = JsonValue::Object();
  report.Set("model", items[0].package.manifest.model_id);
  report.Set("version", items[0].package.manifest.version);
  report.Set("variants", std::move(variants));
  PrintReport(report, a.connection.json);
  return Status::Ok();
}

}  // namespace

void AddRegistryCommands(CLI::App& app, Status& outcome) {
  auto a = std::make_shared<RegistryArguments>();
  auto verb = [&](CLI::App* noun, const char* name, const char* help) {
    CLI::App* command = noun->add_subcommand(name, help);
    AddConnectionOptions(command, a->connection);
    command->add_option("-p,--project", a->project, "Project name")->required();
    return command;
  };

  CLI::App* model = app.get_subcommand("model");
  CLI::App* publish =
      verb(model, "publish",
           "Publish a model version: its variants' signed packages, each with the .tmm it was "
           "built from (for the dtype, arena and ops the server records); the server "
           "re-verifies every package");
  publish->add_option("PACKAGE:MODEL", a->pairs, "e.g. digits-fp32.tpkg:digits.tmm")
      ->required();
  publish->add_option("--accuracy", a->accuracies,
                      "A variant's measured accuracy, VARIANT=X with X from 0 to 1 (repeatable)")
      ->allow_extra_args(false);  // one value per --flag, so positionals may follow
  publish->callback([a, &outcome] { outcome = Publish(*a); });

  CLI::App* variant = app.add_subcommand("variant", "Model variants in the registry");
  variant->require_subcommand(1);
  CLI::App* upload = verb(variant, "upload",
                          "Upload one signed package as the variant its manifest names, with the "
                          "facts given here (model publish reads them from the .tmm); with "
                          "--delta-from, a delta package of a variant uploaded before");
  upload->add_option("PACKAGE", a->path, "The .tpkg package")->required();
  upload->add_option("--dtype", a->facts.dtype,
                     "The variant's dtype, e.g. int8, float32 (required but with --delta-from)");
  upload->add_option("--delta-from", a->delta_from,
                     "The package is a delta (`package delta`) against this version of the "
                     "variant; devices on that version download it instead of the full package");
  upload->add_option("--arena-bytes", a->facts.arena_bytes, "The model's arena size")
      ->check(CLI::NonNegativeNumber);
  upload->add_option("--ops", a->facts.ops, "Comma-separated ops the model uses");
  upload->add_option("--accuracy", a->facts.accuracy, "Measured accuracy, 0 to 1")
      ->check(CLI::Range(0.0, 1.0));
  upload->callback([a, &outcome] {
    if (a->delta_from.empty() && a->facts.dtype.empty()) {
      outcome = Status::Error(StatusCode::kInvalidArgument,
                              "--dtype is required to upload a variant (not with --delta-from)");
      return;
    }
    auto uploaded = a->delta_from.empty()
                        ? UploadVariant(a->connection, a->project, a->path, a->facts)
                        : UploadDelta(a->connection, a->project, a->path, a->delta_from);
    outcome = uploaded.status();
    if (uploaded.ok()) PrintReport(ReportOf(*uploaded), a->connection.json);
  });
  CLI::App* variant_list = verb(variant, "list", "List a model's variants, newest first");
  variant_list->add_option("-m,--model", a->model, "Model name")->required();
  variant_list->callback([a, &outcome] {
    outcome = CallServerAndReport(
        a->connection, "GET",
        ProjectPath(a->project) + "/models/" + EscapeUrlPart(a->model) + "/variants");
  });
}

}  // namespace tinymlops::cli
