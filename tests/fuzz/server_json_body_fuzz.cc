// libFuzzer targets: arbitrary bytes as the JSON body of one operator or enrollment request
// (server/api/request_bodies.h). Built once per parser, chosen by TINYMLOPS_FUZZ_PARSER (see
// CMakeLists.txt): named_request, token_request, enrollment_token_request, key_request,
// enroll_request, tags_request, deployment_request (with its variant policy, evaluated on an
// arbitrary context), checkin_request, rollback_request. The parser must return a value or a Status; nothing may throw,
// crash, read out of bounds or leak, and an accepted value must keep the parser's promises.
#include <cstdint>
#include <string>

#include "agent/variant_policy.h"
#include "server/api/request_bodies.h"

using namespace tinymlops::server;

#define PARSER_named_request 1
#define PARSER_token_request 2
#define PARSER_enrollment_token_request 3
#define PARSER_key_request 4
#define PARSER_enroll_request 5
#define PARSER_tags_request 6
#define PARSER_deployment_request 7
#define PARSER_checkin_request 8
#define PARSER_rollback_request 9
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
#elif PARSER_ID(TINYMLOPS_FUZZ_PARSER) == PARSER_deployment_request
  auto r = ParseDeploymentRequest(body);
  if (r.ok()) {
    if (r->model.empty() || r->version.empty() || r->strategy.stages.empty() ||
        r->strategy.stages.back() != 100 || (!r->split_version.empty() &&
                                              (r->split_percent < 1 || r->split_percent > 99))) {
      __builtin_trap();
    }
    for (int64_t bucket : {int64_t{0}, int64_t{4999}, int64_t{9999}}) {
      const int64_t stage = r->strategy.StageOf(bucket, bucket == 0);
      if (stage < 0 || stage >= r->strategy.StageCount()) __builtin_trap();
    }
    if (!r->policy_json.empty()) {
      const std::vector<std::string> variants = {"fp32", "int8"};
      auto policy = tinymlops::agent::ParseVariantPolicy(r->policy_json, variants);
      if (policy.ok()) {
        tinymlops::agent::DeviceContext context;
        context.battery_percent = static_cast<double>(size % 101);
        context.charging = (size & 1) != 0;
        context.network = "wifi";
        context.latency_p95_us = static_cast<double>(size);
        const std::string chosen = tinymlops::agent::SelectVariant(*policy, context, variants);
        if (chosen != "fp32" && chosen != "int8") __builtin_trap();
      }
    }
  }
#elif PARSER_ID(TINYMLOPS_FUZZ_PARSER) == PARSER_checkin_request
  auto r = ParseCheckinRequest(body);
  if (r.ok()) {
    if (r->outcomes.size() > 256) __builtin_trap();
    for (const auto& o : r->outcomes) {
      if (!IsOutcomeEvent(o.event) || o.sequence < 0 || o.deployment.empty()) __builtin_trap();
    }
  }
#elif PARSER_ID(TINYMLOPS_FUZZ_PARSER) == PARSER_rollback_request
  auto r = ParseRollbackRequest(body);
  if (r.ok() && r->size() > 1024) __builtin_trap();
#else
#error "TINYMLOPS_FUZZ_PARSER names no parser"
#endif
  return 0;
}
