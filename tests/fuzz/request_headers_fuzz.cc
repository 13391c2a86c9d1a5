// libFuzzer target: the untrusted request parts other than JSON bodies: the request target
// (path and query), the Range header, the variant upload's query parameters and the signed
// device request headers (server/api/http_message.h, request_bodies.h,
// server/auth/device_request_signature.h). Lines of the input feed them in turn. An accepted
// range must lie within the resource; nothing may crash, read out of bounds or leak.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "server/api/http_message.h"
#include "server/api/request_bodies.h"
#include "server/auth/device_request_signature.h"

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
  HttpRequest request;
  if (ParseTarget(lines[0], request)) {
    auto upload = ParseVariantUpload(request.query);
    if (upload.ok() && upload->accuracy && (*upload->accuracy < 0 || *upload->accuracy > 1))
      __builtin_trap();
  }
  const uint64_t resource = size * 37;
  if (lines.size() > 1) {
    auto range = ParseByteRange(lines[1], resource);
    if (range.ok() && (range->length == 0 || range->first + range->length > resource))
      __builtin_trap();
  }
  std::map<std::string, std::string> headers;
  const char* names[] = {"x-tinymlops-device", "x-tinymlops-timestamp", "x-tinymlops-nonce",
                         "x-tinymlops-signature"};
  for (size_t i = 2; i < lines.size() && i < 6; ++i) headers[names[i - 2]] = lines[i];
  auto parsed = ParseDeviceRequestHeaders(headers);
  if (parsed.ok() && (parsed->nonce.size() < 16 || parsed->nonce.size() > 64)) __builtin_trap();
  return 0;
}
