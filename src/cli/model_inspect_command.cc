// `tinymlops model inspect IN.tmm`: what a model is and what it needs: metadata, ops used,
// parameters, arena size against its lower bound, and the inputs and outputs.
#include <map>
#include <memory>
#include <string>

#include "cli/command_output.h"
#include "cli/model_commands.h"
#include "cli/model_loader.h"
#include "cli/tensor_description.h"

namespace tinymlops::cli {
namespace {

struct InspectArguments {
  std::string input_path;
  bool json = false;
};

std::string MetadataString(const flatbuffers::String* text) { return text ? text->str() : ""; }

Status Inspect(const InspectArguments& arguments) {
  TMM_ASSIGN_OR_RETURN(LoadedModel loaded,
                       LoadModel(arguments.input_path, toolchain::KernelSet::kReference));
  runtime::Interpreter& interpreter = *loaded.interpreter;
  const tmm::Model& model = interpreter.model();
  const tmm::Metadata* metadata = model.metadata();

  JsonValue report = JsonValue::Object();
  report.Set("file", arguments.input_path);
  report.Set("file_bytes", loaded.file->size());
  report.Set("name", MetadataString(metadata ? metadata->name() : nullptr));
  report.Set("version", MetadataString(metadata ? metadata->version() : nullptr));
  report.Set("description", MetadataString(metadata ? metadata->description() : nullptr));
  report.Set("format_version", model.format_version());
  report.Set("producer", MetadataString(metadata ? metadata->producer() : nullptr));
  report.Set("source", MetadataString(metadata ? metadata->source() : nullptr));

  std::map<std::string, int> op_counts;
  const int op_total = model.operators() ? static_cast<int>(model.operators()->size()) : 0;
  for (int i = 0; i < op_total; ++i)
    ++op_counts[tmm::EnumNameOpType(model.operators()->Get(i)->type())];
  JsonValue ops = JsonValue::Object();
  for (const auto& [name, count] : op_counts) ops.Set(name, count);
  report.Set("op_count", op_total);
  report.Set("ops", std::move(ops));

  int64_t parameter_count = 0;
  size_t parameter_bytes = 0;
  for (int i = 0; i < interpreter.tensor_count(); ++i) {
    const runtime::Tensor& tensor = *interpreter.tensor(i);
    if (!tensor.is_constant) continue;
    parameter_count += tensor.ElementCount();
    parameter_bytes += tensor.bytes;
  }
  JsonValue parameters = JsonValue::Object();
  parameters.Set("count", parameter_count);
  parameters.Set("bytes", parameter_bytes);
  report.Set("parameters", std::move(parameters));

  JsonValue arena = JsonValue::Object();
  arena.Set("bytes", interpreter.arena_bytes());
  arena.Set("liveness_lower_bound", interpreter.liveness_lower_bound());
  if (interpreter.liveness_lower_bound() > 0)
    arena.Set("ratio", static_cast<double>(interpreter.arena_bytes()) /
                           static_cast<double>(interpreter.liveness_lower_bound()));
  report.Set("arena", std::move(arena));

  JsonValue inputs = JsonValue::Array(), outputs = JsonValue::Array();
  for (int i = 0; i < interpreter.input_count(); ++i)
    inputs.Append(DescribeTensor(*interpreter.input(i)));
  for (int i = 0; i < interpreter.output_count(); ++i)
    outputs.Append(DescribeTensor(*interpreter.output(i)));
  report.Set("inputs", std::move(inputs));
  report.Set("outputs", std::move(outputs));
  PrintReport(report, arguments.json);
  return Status::Ok();
}

}  // namespace

void AddModelInspectCommand(CLI::App& model, Status& outcome) {
  auto arguments = std::make_shared<InspectArguments>();
  CLI::App* command = model.add_subcommand(
      "inspect", "Show a .tmm model's metadata, ops, parameters, arena and inputs/outputs");
  command->add_option("IN.tmm", arguments->input_path, "Model to inspect")->required();
  command->add_flag("--json", arguments->json, "Print the report as JSON");
  command->callback([arguments, &outcome] { outcome = Inspect(*arguments); });
}

}  // namespace tinymlops::cli
