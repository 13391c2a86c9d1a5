// Router: maps a method and a path pattern ("/v1/projects/{project}/models/{model}") to a
// handler. A `{name}` segment matches one non-empty path segment and is stored in
// request.params[name]. Unknown paths answer 404, known paths with another method 405 (with an
// Allow header), both as {"error": ...}.
// Thread-safety: Add() before serving; Dispatch() from any thread.
#ifndef TINYMLOPS_SERVER_API_ROUTER_H_
#define TINYMLOPS_SERVER_API_ROUTER_H_

#include <functional>
#include <string>
#include <vector>

#include "server/api/http_message.h"

namespace tinymlops::server {

class Router {
 public:
  using Handler = std::function<HttpResponse(HttpRequest&)>;
  void Add(const std::string& method, const std::string& pattern, Handler handler);
  HttpResponse Dispatch(HttpRequest& request) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// Splits "/a/b/" into {"a", "b"}.
std::vector<std::string> PathSegments(const std::string& path);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_API_ROUTER_H_
