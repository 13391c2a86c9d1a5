// Reading "NAME=NUMBER" command-line arguments (model publish --accuracy VARIANT=X, deploy
// create --gate NAME=VALUE). The callers say in their own messages what NAME and the range of
// NUMBER must be.
// Thread-safety: pure function.
#ifndef TINYMLOPS_CLI_NAMED_NUMBER_H_
#define TINYMLOPS_CLI_NAMED_NUMBER_H_

#include <optional>
#include <string>

namespace tinymlops::cli {

struct NamedNumber {
  std::string name;
  double value = 0;
};

// The name before the first '=' and the number after it; nullopt when there is no '=', the name
// is empty, or the rest is not entirely a number (strtod's syntax).
std::optional<NamedNumber> ParseNamedNumber(const std::string& argument);

}  // namespace tinymlops::cli

#endif  // TINYMLOPS_CLI_NAMED_NUMBER_H_
