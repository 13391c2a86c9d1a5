// HttpServer: an asynchronous HTTP/1.1 server on Boost.Beast (kept out of this header). One
// io_context per thread (one per core by default); one acceptor hands connections round-robin
// to them, and each connection then lives on its own io_context. Requests are read with a
// header limit of 16 KiB and a body limit of `max_body_bytes` (413 beyond it), answered by the
// Handler, and kept alive as the client asks. Handler exceptions become 500 {"error": ...}.
// The Handler runs on the connection's thread and may block briefly (store calls).
// Errors: Start fails (kIoError) when the address cannot be bound.
// Thread-safety: Start/Stop from one thread; the Handler is called from all server threads.
#ifndef TINYMLOPS_SERVER_API_HTTP_SERVER_H_
#define TINYMLOPS_SERVER_API_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "runtime/status.h"
#include "server/api/http_message.h"

namespace tinymlops::server {

using HttpHandler = std::function<HttpResponse(HttpRequest&)>;

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see HttpServer::port())
  int threads = 0;       // 0: one per core
  uint64_t max_body_bytes = 256ull << 20;
};

class HttpServer {
 public:
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   HttpHandler handler);
  ~HttpServer();  // stops
  uint16_t port() const;
  // Stops accepting, closes connections and joins the threads.
  void Stop();
  // Blocks until Stop() is called from another thread or a signal handler ends the process.
  void Wait();

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_API_HTTP_SERVER_H_
