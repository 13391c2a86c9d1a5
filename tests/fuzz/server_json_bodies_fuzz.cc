// libFuzzer target: arbitrary bytes as the JSON body of each operator and enrollment request
// (server/api/request_bodies.h). The first byte picks the parser, the rest is the body. Every
// parser must return a value or a Status; nothing may throw, crash, read out of bounds or leak.
// Accepted values must keep the parsers' promises (valid names, roles, ranges).
#include <cstdint>
#include <string>

#include "server/api/request_bodies.h"

using namespace tinymlops::server;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0: {
      auto r = ParseNamedRequest(body);
      if (r.ok() && !ValidName(r->name)) __builtin_trap();
      break;
    }
    case 1: {
      auto r = ParseTokenRequest(body);
      if (r.ok() && r->role != "viewer" && r->role != "deployer" && r->role != "admin")
        __builtin_trap();
      break;
    }
    case 2: {
      auto r = ParseEnrollmentTokenRequest(body);
      if (r.ok() && (r->ttl_seconds < 1 || r->ttl_seconds > 30 * 86400)) __builtin_trap();
      break;
    }
    case 3: {
      auto r = ParseKeyRequest(body);
      if (r.ok() && r->public_key.size() > 64) __builtin_trap();
      break;
    }
    case 4: {
      auto r = ParseEnrollRequest(body);
      if (r.ok() && (r->token.empty() || r->public_key.empty())) __builtin_trap();
      break;
    }
    default: {
      auto r = ParseTagsRequest(body);
      if (r.ok() && r->empty()) __builtin_trap();
      break;
    }
  }
  return 0;
}
