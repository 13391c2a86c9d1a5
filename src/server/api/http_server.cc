#include "server/api/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/file.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <condition_variable>
#include <algorithm>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace tinymlops::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string ErrorJson(const std::string& message) {
  std::string escaped;
  for (char c : message) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) escaped += c;
  }
  return "{\"error\":\"" + escaped + "\"}";
}

// A Beast body of `length` bytes of a file from `offset` (a download or a Range of one), read
// 64 KiB at a time as the socket takes them.
struct FileSliceBody {
  struct value_type {
    beast::file file;
    uint64_t offset = 0;
    uint64_t length = 0;
  };
  static uint64_t size(const value_type& body) { return body.length; }

  class writer {
   public:
    using const_buffers_type = asio::const_buffer;
    template <bool isRequest, class Fields>
    writer(http::header<isRequest, Fields>&, value_type& body) : body_(body) {}
    void init(beast::error_code& ec) {
      body_.file.seek(body_.offset, ec);
      remain_ = body_.length;
    }
    boost::optional<std::pair<const_buffers_type, bool>> get(beast::error_code& ec) {
      ec = {};
      if (remain_ == 0) return boost::none;
      const size_t wanted = static_cast<size_t>(std::min<uint64_t>(sizeof buffer_, remain_));
      const size_t got = body_.file.read(buffer_, wanted, ec);
      if (ec) return boost::none;
      if (got == 0) {  // the file shrank under us
        ec = http::error::short_read;
        return boost::none;
      }
      remain_ -= got;
      return {{const_buffers_type(buffer_, got), remain_ > 0}};
    }

   private:
    value_type& body_;
    uint64_t remain_ = 0;
    char buffer_[64 * 1024];
  };
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, const HttpHandler& handler, uint64_t max_body)
      : stream_(std::move(socket)), handler_(handler), max_body_(max_body) {
    // Room for a whole ordinary request, so that Beast reads it with one recvmsg, not with a
    // first one of 512 bytes.
    buffer_.reserve(8 * 1024);
  }

  void Start() { Read(); }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    parser_->body_limit(max_body_);
    stream_.expires_after(std::chrono::seconds(60));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      return Reply(Plain(413, ErrorJson("the request body is larger than the server's limit of " +
                                        std::to_string(max_body_) + " bytes")),
                   false);
    }
    if (ec) return Reply(Plain(400, ErrorJson("malformed HTTP request: " + ec.message())), false);
    http::request<http::string_body> request = parser_->release();
    HttpRequest in;
    in.method = std::string(request.method_string());
    in.target = std::string(request.target());
    for (const auto& field : request) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      in.headers[name] = std::string(field.value());
    }
    in.body = std::move(request.body());
    HttpResponse out;
    if (!ParseTarget(in.target, in)) {
      out = Plain(400, ErrorJson("malformed request target"));
    } else {
      try {
        out = handler_(in);
      } catch (const std::exception& error) {
        out = Plain(500, ErrorJson(std::string("internal error: ") + error.what()));
      }
    }
    Reply(std::move(out), request.keep_alive());
  }

  static HttpResponse Plain(int status, std::string body) {
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    return response;
  }

  template <class Body>
  void Send(std::shared_ptr<http::response<Body>> response, const HttpResponse& out,
            bool keep_alive) {
    response->version(11);
    response->result(static_cast<unsigned>(out.status));
    response->set(http::field::server, "tinymlops-server");
    response->set(http::field::content_type, out.content_type);
    for (const auto& [name, value] : out.headers) response->set(name, value);
    response->keep_alive(keep_alive);
    response->prepare_payload();
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response, keep_alive](beast::error_code ec,
                                                                        size_t) {
                        if (ec || !keep_alive) return self->Close();
                        self->Read();
                      });
  }

  void Reply(HttpResponse out, bool keep_alive) {
    if (!out.file.empty()) {  // streamed from the file, a chunk at a time
      auto response = std::make_shared<http::response<FileSliceBody>>();
      beast::error_code ec;
      response->body().file.open(out.file.c_str(), beast::file_mode::read, ec);
      response->body().offset = out.file_offset;
      response->body().length = out.file_length;
      if (!ec) return Send(std::move(response), out, keep_alive);
      out = Plain(500, ErrorJson("the artifact cannot be read"));
    }
    auto response = std::make_shared<http::response<http::string_body>>();
    response->body() = std::move(out.body);
    Send(std::move(response), out, keep_alive);
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const HttpHandler& handler_;
  uint64_t max_body_;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(const HttpServerOptions& options, HttpHandler handler)
      : options_(options), handler_(std::move(handler)) {
    const int threads = options.threads > 0
                            ? options.threads
                            : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    for (int i = 0; i < threads; ++i) contexts_.push_back(std::make_unique<asio::io_context>(1));
  }

  Status Listen() {
    beast::error_code ec;
    const auto address = asio::ip::make_address(options_.address, ec);
    if (ec) {
      return Status::Error(StatusCode::kInvalidArgument, "'%s' is not an IP address",
                           options_.address.c_str());
    }
    acceptor_.emplace(*contexts_[0]);
    const tcp::endpoint endpoint(address, options_.port);
    acceptor_->open(endpoint.protocol(), ec);
    if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint, ec);
    if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::Error(StatusCode::kIoError, "cannot listen on %s:%u: %s",
                           options_.address.c_str(), options_.port, ec.message().c_str());
    }
    port_ = acceptor_->local_endpoint().port();
    Accept();
    for (auto& context : contexts_) {
      guards_.emplace_back(asio::make_work_guard(*context));
      threads_.emplace_back([&context = *context] { context.run(); });
    }
    return Status::Ok();
  }

  void Accept() {
    asio::io_context& target = *contexts_[next_++ % contexts_.size()];
    acceptor_->async_accept(target, [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
      if (!ec) {
        std::make_shared<Connection>(std::move(socket), handler_, options_.max_body_bytes)
            ->Start();
      }
      Accept();
    });
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopped_) return;
      stopped_ = true;
    }
    asio::post(*contexts_[0], [this] {
      beast::error_code ignored;
      if (acceptor_) acceptor_->close(ignored);
    });
    guards_.clear();
    for (auto& context : contexts_) context->stop();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
    stopped_cv_.notify_all();
  }

  void Wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    stopped_cv_.wait(lock, [&] { return stopped_; });
  }

  uint16_t port() const { return port_; }

 private:
  HttpServerOptions options_;
  HttpHandler handler_;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::optional<tcp::acceptor> acceptor_;
  size_t next_ = 0;
  uint16_t port_ = 0;
  std::mutex mutex_;
  std::condition_variable stopped_cv_;
  bool stopped_ = false;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Stop() { impl_->Stop(); }
void HttpServer::Wait() { impl_->Wait(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                      HttpHandler handler) {
  auto impl = std::make_unique<Impl>(options, std::move(handler));
  TMM_RETURN_IF_ERROR(impl->Listen());
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

}  // namespace tinymlops::server
