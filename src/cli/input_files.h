// Binding "[NAME=]FILE.npy" command-line arguments (model run --input, model quantize
// --calibration) to a model's input names. NAME= may be left out when the model has exactly one
// input. Every input must be given exactly once.
// Errors: an unknown input name (the message lists the model's inputs), an input given twice,
// an input left out, a file without a name for a model with several inputs.
// Thread-safety: pure function.
#ifndef TINYMLOPS_CLI_INPUT_FILES_H_
#define TINYMLOPS_CLI_INPUT_FILES_H_

#include <map>
#include <string>
#include <vector>

#include "runtime/status.h"

namespace tinymlops::cli {

// Returns input name -> file path. `option` names the flag in messages (e.g. "--input").
Result<std::map<std::string, std::string>> BindInputFiles(
    const std::vector<std::string>& arguments, const std::vector<std::string>& input_names,
    const std::string& option);

}  // namespace tinymlops::cli

#endif  // TINYMLOPS_CLI_INPUT_FILES_H_
