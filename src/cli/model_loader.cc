#include "cli/model_loader.h"

#include "cli/command_output.h"
#include "format/model_file.h"
#include "runtime/op_resolver.h"
#include "toolchain/graph/tmm_writer.h"

namespace tinymlops::cli {
namespace {

// Maps `path` and checks that it holds a .tmm model before anything else reads it.
Result<std::unique_ptr<toolchain::MappedFile>> OpenModelFile(const std::string& path) {
  TMM_ASSIGN_OR_RETURN(std::unique_ptr<toolchain::MappedFile> file,
                       toolchain::MappedFile::Open(path));
  auto verified = format::VerifyModel(file->data(), file->size());
  if (!verified.ok())
    return WithContext("'" + path + "' is not a valid .tmm model", verified.status());
  return file;
}

}  // namespace

void AddKernelsOption(CLI::App& command, std::string& kernels) {
  kernels = "optimized";
  command.add_option("--kernels", kernels, "Kernel set: reference (portable oracle) or optimized")
      ->check(CLI::IsMember({"reference", "optimized"}))
      ->capture_default_str();
}

toolchain::KernelSet KernelSetFromName(const std::string& name) {
  return name == "reference" ? toolchain::KernelSet::kReference : toolchain::KernelSet::kOptimized;
}

void AddKernelSet(toolchain::KernelSet kernels, runtime::OpResolver& resolver) {
  if (kernels == toolchain::KernelSet::kReference)
    runtime::AddReferenceKernels(resolver);
  else
    runtime::AddOptimizedKernels(resolver);
}

Result<LoadedModel> LoadModel(const std::string& path, toolchain::KernelSet kernels) {
  LoadedModel model;
  TMM_ASSIGN_OR_RETURN(model.file, OpenModelFile(path));
  runtime::OpResolver resolver;
  AddKernelSet(kernels, resolver);
  auto interpreter = runtime::Interpreter::Create(model.file->data(), model.file->size(), resolver);
  if (!interpreter.ok()) return WithContext("cannot load '" + path + "'", interpreter.status());
  model.interpreter = std::move(*interpreter);
  return model;
}

Result<toolchain::Graph> ReadModelGraph(const std::string& path) {
  TMM_ASSIGN_OR_RETURN(std::unique_ptr<toolchain::MappedFile> file, OpenModelFile(path));
  auto graph = toolchain::ReadTmm(file->data(), file->size());
  if (!graph.ok()) return WithContext("cannot read '" + path + "'", graph.status());
  return graph;
}

}  // namespace tinymlops::cli
