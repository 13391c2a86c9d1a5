// How every tinymlops command reports: a successful command prints its report on stdout, as
// JSON with --json or as indented text otherwise; a failed command prints one line
// "error: <what failed, on what input, what to do>" on stderr and exits non-zero.
// Exit codes: 0 success, 1 the command failed, 2 the command line was wrong.
// Thread-safety: writes to the process's stdout/stderr; call from one thread.
#ifndef TINYMLOPS_CLI_COMMAND_OUTPUT_H_
#define TINYMLOPS_CLI_COMMAND_OUTPUT_H_

#include <string>

#include "cli/json_value.h"
#include "runtime/status.h"

namespace tinymlops::cli {

constexpr int kExitSuccess = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

void PrintReport(const JsonValue& report, bool as_json);
// Prints "error: `message`" as one line (newlines in `message` become spaces).
void PrintError(const std::string& message);
// `status` with "`context`: " before its message, keeping its code.
Status WithContext(const std::string& context, const Status& status);

}  // namespace tinymlops::cli

#endif  // TINYMLOPS_CLI_COMMAND_OUTPUT_H_
