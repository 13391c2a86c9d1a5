#include "server/api/router.h"

#include "server/api/json_response.h"

namespace tinymlops::server {

std::vector<std::string> PathSegments(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

void Router::Add(const std::string& method, const std::string& pattern, Handler handler) {
  routes_.push_back({method, pattern, PathSegments(pattern), std::move(handler)});
}

HttpResponse Router::Dispatch(HttpRequest& request) const {
  const std::vector<std::string> segments = PathSegments(request.path);
  std::string allowed;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool match = true;
    for (size_t i = 0; i < segments.size() && match; ++i) {
      const std::string& want = route.segments[i];
      if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
        params[want.substr(1, want.size() - 2)] = segments[i];
      } else {
        match = want == segments[i];
      }
    }
    if (!match) continue;
    if (route.method != request.method) {
      allowed += (allowed.empty() ? "" : ", ") + route.method;
      continue;
    }
    request.params = std::move(params);
    request.route = route.pattern;
    return route.handler(request);
  }
  if (!allowed.empty()) {
    HttpResponse response = ErrorResponse(405, request.method + " is not allowed on " +
                                                   request.path + "; allowed: " + allowed);
    response.headers.emplace_back("Allow", allowed);
    return response;
  }
  return ErrorResponse(404, "no such resource: " + request.path);
}

}  // namespace tinymlops::server
