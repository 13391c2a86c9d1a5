// libFuzzer target: arbitrary bytes as a device's signed report body (POST /v1/device/report,
// server/api/request_bodies.h). An accepted report's fields must each be a JSON object text
// that parses again; nothing may throw, crash, read out of bounds or leak.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "server/api/request_bodies.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto report = tinymlops::server::ParseDeviceReport(body);
  if (report.ok()) {
    for (const std::string* field :
         {&report->profile, &report->context, &report->health, &report->installed}) {
      if (field->empty()) continue;
      const auto again = nlohmann::json::parse(*field, nullptr, false);
      if (again.is_discarded() || !again.is_object()) __builtin_trap();
    }
  }
  return 0;
}
