// `tinymlops model import IN.onnx -o OUT.tmm`: converts an ONNX model to a .tmm model.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/command_output.h"
#include "cli/model_commands.h"
#include "toolchain/graph/tmm_writer.h"
#include "toolchain/io/file_io.h"
#include "toolchain/io/npy.h"
#include "toolchain/onnx/onnx_importer.h"

namespace tinymlops::cli {
namespace {

struct ImportArguments {
  std::string input_path;
  std::string output_path;
  std::string name;
  std::string version;
  int dynamic_dim = 1;
  std::vector<std::string> bindings;  // NAME=FILE.npy
  bool json = false;
};

Status Import(const ImportArguments& arguments) {
  toolchain::OnnxImportOptions options;
  options.name = arguments.name;
  options.version = arguments.version;
  options.default_dynamic_dim = arguments.dynamic_dim;
  for (const std::string& binding : arguments.bindings) {
    const size_t equals = binding.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == binding.size())
      return Status::Error(StatusCode::kInvalidArgument,
                           "--bind '%s' is not NAME=FILE.npy; write --bind shape=shape.npy",
                           binding.c_str());
    TMM_ASSIGN_OR_RETURN(toolchain::TensorDef value,
                         toolchain::ReadNpyFile(binding.substr(equals + 1)));
    const std::string name = binding.substr(0, equals);
    value.name = name;
    options.constant_inputs[name] = std::move(value);
  }

  TMM_ASSIGN_OR_RETURN(std::string onnx_bytes, toolchain::ReadFile(arguments.input_path));
  auto graph = toolchain::ImportOnnx(onnx_bytes, options);
  if (!graph.ok())
    return WithContext("cannot import '" + arguments.input_path + "'", graph.status());
  auto tmm_bytes = toolchain::WriteTmm(*graph);
  if (!tmm_bytes.ok())
    return WithContext("cannot convert '" + arguments.input_path + "'", tmm_bytes.status());
  TMM_RETURN_IF_ERROR(
      toolchain::WriteFileAtomically(arguments.output_path, tmm_bytes->data(), tmm_bytes->size()));

  JsonValue report = JsonValue::Object();
  report.Set("output", arguments.output_path);
  report.Set("name", graph->name);
  report.Set("version", graph->version);
  report.Set("source", graph->source);
  report.Set("op_count", graph->ops.size());
  report.Set("bytes", tmm_bytes->size());
  PrintReport(report, arguments.json);
  return Status::Ok();
}

}  // namespace

void AddModelImportCommand(CLI::App& model, Status& outcome) {
  auto arguments = std::make_shared<ImportArguments>();
  CLI::App* command = model.add_subcommand("import", "Convert an ONNX model (opset 11-17) to .tmm");
  command->add_option("IN.onnx", arguments->input_path, "ONNX model to import")->required();
  command->add_option("-o,--output", arguments->output_path, "The .tmm file to write")->required();
  command->add_option("--name", arguments->name, "Model name (default: the ONNX graph name)");
  command->add_option("--version", arguments->version, "Semantic version (default: 1.0.0)");
  command
      ->add_option("--dynamic-dim", arguments->dynamic_dim,
                   "Value of every symbolic input dimension, e.g. the batch")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      ->add_option("--bind", arguments->bindings,
                   "NAME=FILE.npy: make graph input NAME the constant in FILE (repeatable)")
      ->allow_extra_args(false);
  command->add_flag("--json", arguments->json, "Print the report as JSON");
  command->callback([arguments, &outcome] { outcome = Import(*arguments); });
}

}  // namespace tinymlops::cli
