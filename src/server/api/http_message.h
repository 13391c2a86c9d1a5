// HttpRequest / HttpResponse: the server's view of one HTTP exchange, free of Boost.Beast so
// that handlers, the router and their tests compile without it (only http_server.cc includes
// Beast). Header names are lowercase. A response body is either `body` or, when `file` is set,
// `file_length` bytes of that file from `file_offset` (artifact downloads), streamed from the
// file 64 KiB at a time, never held whole in memory.
// Thread-safety: value types.
#ifndef TINYMLOPS_SERVER_API_HTTP_MESSAGE_H_
#define TINYMLOPS_SERVER_API_HTTP_MESSAGE_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace tinymlops::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as sent ("/v1/projects?x=1")
  std::string path;    // target before '?', percent-decoded
  std::map<std::string, std::string> query;    // decoded query parameters
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
  std::map<std::string, std::string> params;  // path parameters, filled by the Router
  std::string route;                          // the matched route pattern, filled by the Router

  std::string Header(const std::string& lowercase_name) const {
    auto it = headers.find(lowercase_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string file;  // non-empty: send this file's bytes instead of `body`
  uint64_t file_offset = 0;
  uint64_t file_length = 0;
};

// Splits `target` into path and query (percent-decoding both) into `request`; false when the
// target is malformed (bad escapes, a NUL, not starting with '/').
bool ParseTarget(const std::string& target, HttpRequest& request);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_API_HTTP_MESSAGE_H_
