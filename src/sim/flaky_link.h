// FlakyLink: a real loopback TCP proxy in front of the server for the simulated devices whose
// link is flaky. Each connection to port() is forwarded to the upstream port; with probability
// `drop_probability` a connection is cut, both ways, after a random number of bytes of the
// server's answer (uniform in [0, max_bytes_before_drop)): a transfer broken in the middle, as
// on a cellular link. Agents see real resets and short reads and must resume (HTTP Range) or
// retry. Serves any number of connections at once (Boost.Asio, one thread of its own).
// Errors: Start fails when it cannot listen on loopback (kIoError).
// Thread-safety: counters may be read from any thread; Stop() (or the destructor) once.
#ifndef TINYMLOPS_SIM_FLAKY_LINK_H_
#define TINYMLOPS_SIM_FLAKY_LINK_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "runtime/status.h"

namespace tinymlops::sim {

struct FlakyLinkOptions {
  uint16_t upstream_port = 0;
  double drop_probability = 0.3;
  uint64_t max_bytes_before_drop = 64 * 1024;
  uint64_t seed = 1;
};

class FlakyLink {
 public:
  static Result<std::unique_ptr<FlakyLink>> Start(const FlakyLinkOptions& options);
  ~FlakyLink();
  FlakyLink(const FlakyLink&) = delete;
  FlakyLink& operator=(const FlakyLink&) = delete;

  uint16_t port() const;
  uint64_t connections() const;
  uint64_t dropped() const;
  void Stop();

 private:
  struct Running;
  explicit FlakyLink(std::unique_ptr<Running> running);
  std::unique_ptr<Running> running_;
};

}  // namespace tinymlops::sim

#endif  // TINYMLOPS_SIM_FLAKY_LINK_H_
