// JSON responses: a body and its status code, errors as {"error": "..."}. StatusResponse maps
// a Status from the modules below the API to HTTP: kInvalidArgument 400, kNotFound 404,
// kFailedPrecondition 409, kOutOfRange 416, kUnsupported 422, others 500.
// Thread-safety: pure functions.
#ifndef TINYMLOPS_SERVER_API_JSON_RESPONSE_H_
#define TINYMLOPS_SERVER_API_JSON_RESPONSE_H_

#include <nlohmann/json.hpp>
#include <string>

#include "runtime/status.h"
#include "server/api/http_message.h"

namespace tinymlops::server {

HttpResponse JsonResponse(int status, const nlohmann::json& body);
HttpResponse ErrorResponse(int status, const std::string& message);
HttpResponse StatusResponse(const Status& status);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_API_JSON_RESPONSE_H_
