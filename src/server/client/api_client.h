// CallApi: one synchronous HTTP/1.1 request to a tinymlops-server (Boost.Beast, kept out of
// this header), for the operator CLI, agents and tests. `base_url` is "http://HOST:PORT"
// (HTTPS is a later step); `target` is the path and query. A new connection per call.
// Response header names are lowercase. An HTTP error status is a successful call: the caller
// reads `status` and the {"error": ...} body.
// Errors: kInvalidArgument (a URL that is not http://HOST:PORT), kIoError (cannot connect,
// the connection broke, or no answer within 60 s).
// Thread-safety: a pure function; call from any thread.
#ifndef TINYMLOPS_SERVER_CLIENT_API_CLIENT_H_
#define TINYMLOPS_SERVER_CLIENT_API_CLIENT_H_

#include <map>
#include <string>

#include "runtime/status.h"

namespace tinymlops::server {

// The parts of a base URL "http://HOST:PORT" (also for clients that stream, agent/).
// Errors: kInvalidArgument naming the URL and the form it must take.
struct ServerAddress {
  std::string host, port, authority;  // authority: "HOST:PORT", the Host header
};
Result<ServerAddress> ParseServerUrl(const std::string& base_url);

struct ApiResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
};

Result<ApiResponse> CallApi(const std::string& base_url, const std::string& method,
                            const std::string& target, const std::string& body = "",
                            const std::map<std::string, std::string>& headers = {});

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_CLIENT_API_CLIENT_H_
