#include "cli/input_files.h"

#include <algorithm>

namespace tinymlops::cli {
namespace {

std::string JoinNames(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "'" : ", '") + name + "'";
  return joined;
}

}  // namespace

Result<std::map<std::string, std::string>> BindInputFiles(
    const std::vector<std::string>& arguments, const std::vector<std::string>& input_names,
    const std::string& option) {
  std::map<std::string, std::string> files;
  for (const std::string& argument : arguments) {
    const size_t equals = argument.find('=');
    std::string name, path;
    if (equals != std::string::npos) {
      name = argument.substr(0, equals);
      path = argument.substr(equals + 1);
    } else if (input_names.size() == 1) {
      name = input_names[0];
      path = argument;
    } else {
      return Status::Error(StatusCode::kInvalidArgument,
                           "%s '%s' names no input; the model has inputs %s: write %s NAME=FILE",
                           option.c_str(), argument.c_str(), JoinNames(input_names).c_str(),
                           option.c_str());
    }
    if (std::find(input_names.begin(), input_names.end(), name) == input_names.end())
      return Status::Error(StatusCode::kNotFound,
                           "%s '%s': the model has no input '%s'; its "
                           "inputs are %s",
                           option.c_str(), argument.c_str(), name.c_str(),
                           JoinNames(input_names).c_str());
    if (path.empty())
      return Status::Error(StatusCode::kInvalidArgument, "%s '%s' gives no file after '='",
                           option.c_str(), argument.c_str());
    if (!files.emplace(name, path).second)
      return Status::Error(StatusCode::kInvalidArgument, "%s gives input '%s' twice",
                           option.c_str(), name.c_str());
  }
  for (const std::string& name : input_names)
    if (files.count(name) == 0)
      return Status::Error(StatusCode::kInvalidArgument,
                           "no %s for model input '%s'; add %s %s=FILE.npy", option.c_str(),
                           name.c_str(), option.c_str(), name.c_str());
  return files;
}

}  // namespace tinymlops::cli
