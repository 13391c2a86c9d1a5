#include "cli/named_number.h"

#include <cstdlib>

namespace tinymlops::cli {

std::optional<NamedNumber> ParseNamedNumber(const std::string& argument) {
  const size_t equals = argument.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == argument.size()) {
    return std::nullopt;
  }
  const char* number = argument.c_str() + equals + 1;
  char* end = nullptr;
  const double value = std::strtod(number, &end);
  if (end == number || *end != '\0') return std::nullopt;
  return NamedNumber{argument.substr(0, equals), value};
}

}  // namespace tinymlops::cli
