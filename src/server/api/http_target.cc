#include <string>

#include "server/api/http_message.h"

namespace tinymlops::server {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Decode(const std::string& in, bool plus_is_space, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexDigit(in[i + 1]), lo = HexDigit(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return false;
    out += c;
  }
  return true;
}

}  // namespace

bool ParseTarget(const std::string& target, HttpRequest& request) {
  if (target.empty() || target[0] != '/') return false;
  const size_t question = target.find('?');
  if (!Decode(target.substr(0, question), false, request.path)) return false;
  request.query.clear();
  if (question == std::string::npos) return true;
  const std::string query = target.substr(question + 1);
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(start, end - start);
    if (!pair.empty()) {
      const size_t equals = pair.find('=');
      std::string key, value;
      if (!Decode(pair.substr(0, equals), true, key)) return false;
      if (equals != std::string::npos && !Decode(pair.substr(equals + 1), true, value)) {
        return false;
      }
      request.query[key] = value;
    }
    start = end + 1;
  }
  return true;
}

}  // namespace tinymlops::server
