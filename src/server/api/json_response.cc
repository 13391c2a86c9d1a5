#include "server/api/json_response.h"

namespace tinymlops::server {

HttpResponse JsonResponse(int status, const nlohmann::json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse ErrorResponse(int status, const std::string& message) {
  return JsonResponse(status, {{"error", message}});
}

HttpResponse StatusResponse(const Status& status) {
  int code = 500;
  switch (status.code()) {
    case StatusCode::kOk: code = 200; break;
    case StatusCode::kInvalidArgument: code = 400; break;
    case StatusCode::kNotFound: code = 404; break;
    case StatusCode::kFailedPrecondition: code = 409; break;
    case StatusCode::kOutOfRange: code = 416; break;
    case StatusCode::kUnsupported: code = 422; break;
    default: code = 500;
  }
  return ErrorResponse(code, status.message());
}

}  // namespace tinymlops::server
