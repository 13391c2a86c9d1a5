// DroppingTcpProxy: a loopback TCP proxy for tests of interrupted transfers. Each connection
// to port() is forwarded to 127.0.0.1:`upstream`; on the first `drop_connections` connections
// the proxy closes both sides once `drop_after_bytes` bytes of the server's answer went through
// (a connection that breaks in the middle of a download). It keeps the head of every request
// it forwarded (up to the blank line) so a test can check what the client asked for, and how
// many bytes of the server's answer it passed on for each.
// Connections are served one at a time, in a background thread.
#ifndef TINYMLOPS_TESTS_SUPPORT_DROPPING_TCP_PROXY_H_
#define TINYMLOPS_TESTS_SUPPORT_DROPPING_TCP_PROXY_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tinymlops::test_support {

class DroppingTcpProxy {
 public:
  DroppingTcpProxy(uint16_t upstream, uint64_t drop_after_bytes, int drop_connections)
      : upstream_(upstream), drop_after_(drop_after_bytes), drops_left_(drop_connections) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = Loopback(0);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    ::listen(listener_, 8);
    socklen_t length = sizeof(address);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~DroppingTcpProxy() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }
  DroppingTcpProxy(const DroppingTcpProxy&) = delete;
  DroppingTcpProxy& operator=(const DroppingTcpProxy&) = delete;

  uint16_t port() const { return port_; }
  // From now on, break the next `connections` connections (after `drop_after_bytes`).
  void DropNext(int connections) { drops_left_ = connections; }
  std::vector<std::string> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  // The bytes of the answer to each of requests(), in the same order, once its connection
  // closed.
  std::vector<uint64_t> answered_bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return answered_bytes_;
  }

 private:
  static sockaddr_in Loopback(uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
  }

  void Serve() {
    while (!stop_) {
      pollfd wait{listener_, POLLIN, 0};
      if (::poll(&wait, 1, 50) <= 0) continue;
      const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in address = Loopback(upstream_);
      if (::connect(server, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
        const uint64_t answered =
            Forward(client, server, drops_left_-- > 0 ? drop_after_ : UINT64_MAX);
        std::lock_guard<std::mutex> lock(mutex_);
        if (answered_bytes_.size() < requests_.size()) answered_bytes_.push_back(answered);
      }
      ::close(server);
      ::close(client);
    }
  }

  // The bytes of the answer passed on.
  uint64_t Forward(int client, int server, uint64_t answer_limit) {
    std::string head;
    bool head_done = false;
    uint64_t answered = 0;
    char buffer[8192];
    while (!stop_) {
      pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      if (::poll(fds, 2, 50) <= 0) continue;
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = ::read(client, buffer, sizeof(buffer));
        if (n <= 0) return answered;
        if (!head_done) {
          head.append(buffer, static_cast<size_t>(n));
          const size_t end = head.find("\r\n\r\n");
          if (end != std::string::npos) {
            head_done = true;
            std::lock_guard<std::mutex> lock(mutex_);
            requests_.push_back(head.substr(0, end));
          }
        }
        if (::send(server, buffer, static_cast<size_t>(n), MSG_NOSIGNAL) != n) return answered;
      }
      if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = ::read(server, buffer, sizeof(buffer));
        if (n <= 0) return answered;
        const uint64_t allowed =
            std::min<uint64_t>(static_cast<uint64_t>(n), answer_limit - answered);
        if (allowed > 0 &&
            ::send(client, buffer, allowed, MSG_NOSIGNAL) != static_cast<ssize_t>(allowed))
          return answered;
        answered += allowed;
        if (answered >= answer_limit) return answered;  // the drop
      }
    }
    return answered;
  }

  uint16_t upstream_;
  uint64_t drop_after_;
  std::atomic<int> drops_left_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::vector<uint64_t> answered_bytes_;
  std::thread thread_;
};

}  // namespace tinymlops::test_support

#endif  // TINYMLOPS_TESTS_SUPPORT_DROPPING_TCP_PROXY_H_
