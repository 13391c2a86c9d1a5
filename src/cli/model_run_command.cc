// `tinymlops model run IN.tmm --input [NAME=]FILE.npy ... -o DIR`: runs a model once on .npy
// inputs and writes each output to DIR/NAME.npy (characters other than letters, digits, '.',
// '-' and '_' in NAME become '_'). `tinymlops model run PACKAGE.tpkg --trust VENDOR.pub --keys
// DEVICE_DIR ...` opens a signed (and encrypted) package as a device does, in locked memory,
// and runs it: the clear model is never written to disk.
#include <cctype>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/command_output.h"
#include "cli/input_files.h"
#include "cli/model_commands.h"
#include "cli/model_loader.h"
#include "cli/package_opening.h"
#include "cli/tensor_description.h"
#include "toolchain/io/npy.h"

namespace tinymlops::cli {
namespace {

struct RunArguments {
  std::string input_path;
  std::vector<std::string> inputs;  // [NAME=]FILE.npy
  std::string output_folder;
  std::string kernels;
  DeviceArguments device;
  bool json = false;
};

bool IsPackagePath(const std::string& path) {
  const std::string suffix = ".tpkg";
  return path.size() >= suffix.size() &&
         path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string FileNameFor(const std::string& tensor_name) {
  std::string name = tensor_name.empty() ? "output" : tensor_name;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  if (name == "." || name == "..") name = "_" + name;
  return name + ".npy";
}

Status MakeFolder(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (std::filesystem::is_directory(path)) return Status::Ok();
  return Status::Error(StatusCode::kIoError, "cannot create output folder '%s': %s", path.c_str(),
                       error ? error.message().c_str() : "a file of that name exists");
}

Status BindInput(const std::string& path, runtime::Tensor& input) {
  TMM_ASSIGN_OR_RETURN(toolchain::TensorDef value, toolchain::ReadNpyFile(path));
  const std::vector<int32_t> shape = ShapeOf(input);
  if (value.dtype != input.dtype || value.shape != shape)
    return Status::Error(StatusCode::kInvalidArgument,
                         "input '%s' must be %s %s, but '%s' holds %s %s; reshape or convert "
                         "it with numpy",
                         input.name, runtime::DTypeName(input.dtype), ShapeText(shape).c_str(),
                         path.c_str(), runtime::DTypeName(value.dtype),
                         ShapeText(value.shape).c_str());
  std::memcpy(input.data, value.data.data(), input.bytes);
  return Status::Ok();
}

Status RunInterpreter(const RunArguments& arguments, runtime::Interpreter& interpreter) {
  std::vector<std::string> input_names;
  for (int i = 0; i < interpreter.input_count(); ++i)
    input_names.push_back(interpreter.input(i)->name);
  TMM_ASSIGN_OR_RETURN(auto files, BindInputFiles(arguments.inputs, input_names, "--input"));
  for (int i = 0; i < interpreter.input_count(); ++i)
    TMM_RETURN_IF_ERROR(BindInput(files[input_names[i]], *interpreter.input(i)));

  TMM_RETURN_IF_ERROR(interpreter.Invoke());

  TMM_RETURN_IF_ERROR(MakeFolder(arguments.output_folder));
  JsonValue outputs = JsonValue::Array();
  std::set<std::string> file_names;
  for (int i = 0; i < interpreter.output_count(); ++i) {
    const runtime::Tensor& output = *interpreter.output(i);
    const std::string file_name = FileNameFor(output.name);
    if (!file_names.insert(file_name).second)
      return Status::Error(StatusCode::kUnsupported,
                           "two outputs of '%s' would both be written to '%s'; rename them",
                           arguments.input_path.c_str(), file_name.c_str());
    toolchain::TensorDef value;
    value.name = output.name;
    value.dtype = output.dtype;
    value.shape = ShapeOf(output);
    const auto* bytes = static_cast<const uint8_t*>(output.data);
    value.data.assign(bytes, bytes + output.bytes);
    const std::string path = arguments.output_folder + "/" + file_name;
    TMM_RETURN_IF_ERROR(toolchain::WriteNpyFile(path, value));
    JsonValue description = DescribeTensor(output);
    description.Set("file", path);
    outputs.Append(std::move(description));
  }
  JsonValue report = JsonValue::Object();
  report.Set("model", arguments.input_path);
  report.Set("kernels", arguments.kernels);
  report.Set("outputs", std::move(outputs));
  PrintReport(report, arguments.json);
  return Status::Ok();
}

Status Run(const RunArguments& arguments) {
  const toolchain::KernelSet kernels = KernelSetFromName(arguments.kernels);
  if (IsPackagePath(arguments.input_path)) {
    TMM_ASSIGN_OR_RETURN(OpenedPackage opened,
                         OpenPackage(arguments.input_path, arguments.device, kernels));
    TMM_ASSIGN_OR_RETURN(runtime::Interpreter* interpreter, opened.loader->interpreter());
    TMM_RETURN_IF_ERROR(RunInterpreter(arguments, *interpreter));
    // The guard's last word: a model whose weights changed during the run is reported.
    return opened.loader->guard()->VerifyAll();
  }
  if (!arguments.device.trusted.empty() || !arguments.device.keys.empty())
    return Status::Error(StatusCode::kInvalidArgument,
                         "--trust and --keys apply to packages (.tpkg), not to '%s'",
                         arguments.input_path.c_str());
  TMM_ASSIGN_OR_RETURN(LoadedModel loaded, LoadModel(arguments.input_path, kernels));
  return RunInterpreter(arguments, *loaded.interpreter);
}

}  // namespace

void AddModelRunCommand(CLI::App& model, Status& outcome) {
  auto arguments = std::make_shared<RunArguments>();
  CLI::App* command = model.add_subcommand(
      "run", "Run a .tmm model or a .tpkg package once on .npy inputs; write one NAME.npy per "
             "output");
  command->add_option("IN.tmm", arguments->input_path, "Model (.tmm) or package (.tpkg) to run")
      ->required();
  command
      ->add_option("-i,--input", arguments->inputs,
                   "[NAME=]FILE.npy: value of model input NAME (repeat per input; NAME= optional "
                   "for one-input models)")
      ->allow_extra_args(false);
  command
      ->add_option("-o,--output", arguments->output_folder,
                   "Folder for the outputs (created if missing)")
      ->required();
  AddKernelsOption(*command, arguments->kernels);
  AddDeviceOptions(*command, arguments->device);
  command->add_flag("--json", arguments->json, "Print the report as JSON");
  command->callback([arguments, &outcome] { outcome = Run(*arguments); });
}

}  // namespace tinymlops::cli
