// Loading a .tmm file for the CLI's model commands, and choosing its kernel set: the file is
// mmap'ed read-only (toolchain/io/mapped_file.h) and handed zero-copy to a runtime Interpreter with
// the chosen kernel set, or read back into a toolchain Graph for commands that rewrite the model.
// Errors: the file cannot be read, is not a valid .tmm model, or a kernel rejects it; the
// message names the file. Thread-safety: pure functions.
#ifndef TINYMLOPS_CLI_MODEL_LOADER_H_
#define TINYMLOPS_CLI_MODEL_LOADER_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "runtime/interpreter.h"
#include "runtime/status.h"
#include "toolchain/graph/graph.h"
#include "toolchain/graph/model_session.h"
#include "toolchain/io/mapped_file.h"

namespace tinymlops::cli {

// Adds "--kernels reference|optimized" to `command`, stored in `kernels` (default: optimized).
void AddKernelsOption(CLI::App& command, std::string& kernels);
toolchain::KernelSet KernelSetFromName(const std::string& name);
// Registers the kernels of `kernels` in `resolver`.
void AddKernelSet(toolchain::KernelSet kernels, runtime::OpResolver& resolver);

struct LoadedModel {
  std::unique_ptr<toolchain::MappedFile> file;        // the model bytes
  std::unique_ptr<runtime::Interpreter> interpreter;  // reads from `file`
};

Result<LoadedModel> LoadModel(const std::string& path, toolchain::KernelSet kernels);
Result<toolchain::Graph> ReadModelGraph(const std::string& path);

}  // namespace tinymlops::cli

#endif  // TINYMLOPS_CLI_MODEL_LOADER_H_
