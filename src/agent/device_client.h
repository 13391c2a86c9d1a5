// DeviceClient: how an agent talks to tinymlops-server: requests signed with the device's
// identity (server/auth/device_request_signature.h, a fresh random nonce each), the unsigned
// enrollment, and a streamed GET for package downloads (Boost.Beast in device_client.cc only)
// that starts at a byte offset ("Range: bytes=N-") and hands the body over chunk by chunk.
// One DeviceClient holds only the server's address and timeouts, so many agents (tinymlops-sim)
// share one; the identity and the time come with each call.
// Errors: kInvalidArgument (a server URL that is not http://HOST:PORT), kIoError (cannot
// connect, the connection broke, nothing received for `idle_timeout`); an HTTP error status
// is a successful Call (the caller reads it), and a failed Fetch naming the status and the
// server's message (kNotFound for 404, kIoError otherwise).
// Thread-safety: const methods; call from any number of threads.
#ifndef TINYMLOPS_AGENT_DEVICE_CLIENT_H_
#define TINYMLOPS_AGENT_DEVICE_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include "crypto/signing_key.h"
#include "runtime/status.h"
#include "server/client/api_client.h"

namespace tinymlops::agent {

struct DeviceIdentity {
  crypto::SigningKeyPair key;
  std::string device_id;  // what the server answered at enrollment
};

// What a streamed GET reports before its body: 200 (whole file) or 206 (from `first_byte`).
struct FetchHead {
  int status = 0;
  uint64_t first_byte = 0;
};

class DeviceClient {
 public:
  using HeadSink = std::function<Status(const FetchHead&)>;
  using BodySink = std::function<Status(const uint8_t* data, size_t size)>;

  static Result<DeviceClient> Create(const std::string& base_url,
                                     std::chrono::seconds idle_timeout = std::chrono::seconds(30));

  Result<server::ApiResponse> Call(const DeviceIdentity& identity, const std::string& method,
                                   const std::string& target, const std::string& body,
                                   int64_t now_unix) const;
  Result<server::ApiResponse> CallUnsigned(const std::string& method, const std::string& target,
                                           const std::string& body) const;
  // GET `target` from byte `offset` (0: the whole file). `on_head` sees the status first; then
  // `on_body` gets the bytes; an error of either ends the transfer with that error.
  Status Fetch(const DeviceIdentity& identity, const std::string& target, uint64_t offset,
               int64_t now_unix, const HeadSink& on_head, const BodySink& on_body) const;

  const std::string& base_url() const { return base_url_; }
  DeviceClient() = default;  // unusable until assigned from Create (Result<T> needs it)

 private:
  std::string base_url_;
  server::ServerAddress address_;
  std::chrono::seconds idle_timeout_{30};
};

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_DEVICE_CLIENT_H_
