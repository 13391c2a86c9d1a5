#include "cli/model_commands.h"

namespace tinymlops::cli {

void AddModelCommands(CLI::App& app, Status& outcome) {
  CLI::App* model = app.add_subcommand("model",
                                       "Import, quantize, inspect, run and benchmark "
                                       "models (.onnx -> .tmm)");
  model->require_subcommand(1);
  AddModelImportCommand(*model, outcome);
  AddModelQuantizeCommand(*model, outcome);
  AddModelInspectCommand(*model, outcome);
  AddModelRunCommand(*model, outcome);
  AddModelBenchCommand(*model, outcome);
}

}  // namespace tinymlops::cli
