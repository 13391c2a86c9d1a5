// Parsers of the API's request bodies (JSON, nlohmann-json) and of the other untrusted request
// parts (the Range header, upload query parameters). Each checks types, lengths and ranges and
// returns a typed struct, or kInvalidArgument with a message naming the field; none throws or
// crashes on any input (each has a libFuzzer target in tests/fuzz/). Names of projects and
// models are 1 to 64 characters of [a-z0-9._-] starting with a letter or digit.
// Thread-safety: pure functions.
#ifndef TINYMLOPS_SERVER_API_REQUEST_BODIES_H_
#define TINYMLOPS_SERVER_API_REQUEST_BODIES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/status.h"
#include "server/fleet/device_directory.h"
#include "server/registry/model_registry.h"
#include "server/rollout/deployment.h"
#include "server/rollout/device_checkin.h"

namespace tinymlops::server {

constexpr size_t kMaxJsonBodyBytes = 1 << 20;

struct NamedRequest {  // POST /v1/projects, POST .../models
  std::string name;
  std::string description;
};
struct TokenRequest {  // POST .../tokens
  std::string name;
  std::string role;
};
struct EnrollmentTokenRequest {  // POST .../enrollment-tokens
  int64_t ttl_seconds = 3600;
};
struct KeyRequest {  // POST .../keys
  std::string name;
  std::string public_key;
};
struct EnrollRequest {  // POST /v1/enroll
  std::string token, public_key, name, profile_json;
};

bool ValidName(const std::string& name);

Result<NamedRequest> ParseNamedRequest(const std::string& body);
Result<TokenRequest> ParseTokenRequest(const std::string& body);
Result<EnrollmentTokenRequest> ParseEnrollmentTokenRequest(const std::string& body);
Result<KeyRequest> ParseKeyRequest(const std::string& body);
Result<EnrollRequest> ParseEnrollRequest(const std::string& body);
// A device's report: {"profile": {...}, "context": {...}, "health": {...}, "installed": {...}},
// each optional; returned as normalized JSON texts.
Result<DeviceReport> ParseDeviceReport(const std::string& body);
// POST /v1/device/checkin (docs/device-protocol.md): the report's fields as ParseDeviceReport,
// and at most 256 outcomes {deployment, version, event, detail, unix, sequence}.
Result<CheckinRequest> ParseCheckinRequest(const std::string& body);
// POST .../deployments: {name, model, version, variants, policy, target: {tags}, strategy,
// split: {version, percent}, gates} (server/rollout/deployment.h). The policy is checked for
// its shape here and against the version's variants when the deployment is created.
Result<DeploymentRequest> ParseDeploymentRequest(const std::string& body);
// POST .../deployments/{deployment}/rollback: {"reason": "..."} (optional; empty body: none).
Result<std::string> ParseRollbackRequest(const std::string& body);
// {"tags": ["a", "b"]}: returned as a JSON array text.
Result<std::string> ParseTagsRequest(const std::string& body);
// Query parameters of a variant upload: dtype (required), arena_bytes, ops (comma-separated),
// accuracy (0..1).
Result<VariantUpload> ParseVariantUpload(const std::map<std::string, std::string>& query);

struct ByteRange {
  uint64_t first = 0, length = 0;
};
// A "bytes=A-B", "bytes=A-" or "bytes=-N" Range header (one range) over a resource of `size`
// bytes. Errors: kInvalidArgument (malformed: ignore the header), kOutOfRange (unsatisfiable:
// 416).
Result<ByteRange> ParseByteRange(const std::string& header, uint64_t size);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_API_REQUEST_BODIES_H_
