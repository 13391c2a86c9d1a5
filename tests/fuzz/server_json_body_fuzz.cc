// libFuzzer targets: arbitrary bytes as the JSON body of one operator or enrollment request
// (server/api/request_bodies.h). Built once per parser, chosen by TINYMLOPS_FUZZ_PARSER (see
// CMakeLists.txt): named_request, token_request, enrollment_token_request, key_request,
// enroll_request, tags_request. The parser must return a value or a Status; nothing may throw,
// crash, read out of bounds or leak, and an accepted value must keep the parser's promises.
#include <cstdint>
#include <string>

#include "server/api/request_bodies.h"

using namespace tinymlops::server;

#define PARSER_named_request 1
#define PARSER_token_request 2
#define PARSER_enrollment_token_request 3
#define PARSER_key_request 4
#define PARSER_enroll_request 5
#define PARSER_tags_request 6
#define PARSER_ID_(name) PARSER_##name
#define PARSER_ID(name) PARSER_ID_(name)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
#if PARSER_ID(TINYMLOPS_FUZZ_PARSER) == PARSER_named_request
  auto r = ParseNamedRequest(body);
  if (r.ok() && !ValidName(r->name)) __builtin_trap();
#elif PARSER_ID(TINYMLOPS_FUZZ_PARSER) == PARSER_token_request
  auto r = ParseTokenRequest(body);
  if (r.ok() && r->role != "viewer" && r->role != "deployer" && r->role != "admin")
    __builtin_trap();
#elif PARSER_ID(TINYMLOPS_FUZZ_PARSER) == PARSER_enrollment_token_request
  auto r = ParseEnrollmentTokenRequest(body);
  if (r.ok() && (r->ttl_seconds < 1 || r->ttl_seconds > 30 * 86400)) __builtin_trap();
#elif PARSER_ID(TINYMLOPS_FUZZ_PARSER) == PARSER_key_request
  auto r = ParseKeyRequest(body);
  if (r.ok() && r->public_key.size() > 64) __builtin_trap();
#elif PARSER_ID(TINYMLOPS_FUZZ_PARSER) == PARSER_enroll_request
  auto r = ParseEnrollRequest(body);
  if (r.ok() && (r->token.empty() || r->public_key.empty())) __builtin_trap();
#elif PARSER_ID(TINYMLOPS_FUZZ_PARSER) == PARSER_tags_request
  auto r = ParseTagsRequest(body);
  if (r.ok() && r->empty()) __builtin_trap();
#else
#error "TINYMLOPS_FUZZ_PARSER names no parser"
#endif
  return 0;
}
