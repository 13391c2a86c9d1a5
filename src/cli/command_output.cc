#include "cli/command_output.h"

#include <cstdio>

namespace tinymlops::cli {

void PrintReport(const JsonValue& report, bool as_json) {
  const std::string text = as_json ? report.ToJson() : report.ToText();
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void PrintError(const std::string& message) {
  std::string line = "error: " + message;
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  while (!line.empty() && line.back() == ' ') line.pop_back();
  std::fprintf(stderr, "%s\n", line.c_str());
}

Status WithContext(const std::string& context, const Status& status) {
  return Status::Error(status.code(), "%s: %s", context.c_str(), status.message());
}

}  // namespace tinymlops::cli
