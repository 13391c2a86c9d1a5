// HttpCall: a synchronous HTTP/1.1 request to a test server on 127.0.0.1:`port`, through the
// server's own client (server/client/api_client.h). Header names in the response are
// lowercase; status 0 means the connection failed (the body then says why).
#ifndef TINYMLOPS_TESTS_SUPPORT_HTTP_CLIENT_H_
#define TINYMLOPS_TESTS_SUPPORT_HTTP_CLIENT_H_

#include <cstdint>
#include <map>
#include <string>

#include "server/client/api_client.h"

namespace tinymlops::test_support {

struct ClientResponse {
  int status = 0;  // 0: the connection failed (see body)
  std::string body;
  std::map<std::string, std::string> headers;
};

inline ClientResponse HttpCall(uint16_t port, const std::string& method,
                               const std::string& target, const std::string& body = "",
                               const std::map<std::string, std::string>& headers = {}) {
  auto response = server::CallApi("http://127.0.0.1:" + std::to_string(port), method, target,
                                  body, headers);
  if (!response.ok()) return {0, response.status().message(), {}};
  return {response->status, std::move(response->body), std::move(response->headers)};
}

}  // namespace tinymlops::test_support

#endif  // TINYMLOPS_TESTS_SUPPORT_HTTP_CLIENT_H_
