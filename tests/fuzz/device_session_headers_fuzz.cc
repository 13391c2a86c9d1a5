// libFuzzer target: the session headers of a MACed device request
// (server/auth/device_session.h: ParseDeviceSessionHeaders), fed from the input's lines in turn
// (session id, device, timestamp, counter, MAC). An accepted set must name the session's own
// device and a counter of at least 1; nothing may crash, read out of bounds or leak.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "server/auth/device_session.h"

using namespace tinymlops::server;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> lines(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      lines.emplace_back();
    } else {
      lines.back() += static_cast<char>(data[i]);
    }
  }
  const char* names[] = {"x-tinymlops-session", "x-tinymlops-device", "x-tinymlops-timestamp",
                         "x-tinymlops-counter", "x-tinymlops-mac"};
  std::map<std::string, std::string> headers;
  for (size_t i = 0; i < lines.size() && i < 5; ++i) headers[names[i]] = lines[i];
  auto parsed = ParseDeviceSessionHeaders(headers);
  if (parsed.ok()) {
    if (parsed->counter < 1 || parsed->device_id != headers["x-tinymlops-device"] ||
        parsed->session_id != headers["x-tinymlops-session"] || parsed->timestamp < 0) {
      __builtin_trap();
    }
  }
  return 0;
}
