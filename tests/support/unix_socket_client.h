// UnixSocketCall: one HTTP/1.1 request over the Unix socket at `path` (Connection: close), its
// status and JSON body parsed, with plain sockets (no Beast), as a local application of the
// agent's endpoint (agent/local_endpoint.h) would send it. Status 0: the connection failed or
// the answer was not HTTP.
#ifndef TINYMLOPS_TESTS_SUPPORT_UNIX_SOCKET_CLIENT_H_
#define TINYMLOPS_TESTS_SUPPORT_UNIX_SOCKET_CLIENT_H_

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

namespace tinymlops::test_support {

struct UnixSocketReply {
  int status = 0;
  nlohmann::json body;
};

inline UnixSocketReply UnixSocketCall(const std::string& path, const std::string& method,
                                      const std::string& target, const std::string& body = "") {
  UnixSocketReply reply;
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return reply;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return reply;
  }
  const std::string request = method + " " + target + " HTTP/1.1\r\nHost: local\r\n" +
                              "Content-Type: application/json\r\nConnection: close\r\n" +
                              "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  for (size_t sent = 0; sent < request.size();) {
    // MSG_NOSIGNAL: the endpoint may close early (413); that must not kill the test.
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof(buffer))) > 0;) response.append(buffer, n);
  ::close(fd);
  if (response.size() < 12 || response.rfind("HTTP/1.1 ", 0) != 0) return reply;
  reply.status = std::atoi(response.substr(9, 3).c_str());
  const size_t start = response.find("\r\n\r\n");
  if (start != std::string::npos)
    reply.body = nlohmann::json::parse(response.substr(start + 4), nullptr, false);
  return reply;
}

}  // namespace tinymlops::test_support

#endif  // TINYMLOPS_TESTS_SUPPORT_UNIX_SOCKET_CLIENT_H_
