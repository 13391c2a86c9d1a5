#include "sim/flaky_link.h"

#include <array>
#include <boost/asio.hpp>
#include <mutex>
#include <random>
#include <thread>

namespace tinymlops::sim {

namespace asio = boost::asio;
using asio::ip::tcp;

struct FlakyLink::Running {
  FlakyLinkOptions options;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::mutex random_mutex;
  std::mt19937_64 random;
  std::atomic<uint64_t> connections{0}, dropped{0};
  uint16_t port = 0;

  // The byte budget of the server's answer on one connection (UINT64_MAX: never cut).
  uint64_t DrawAnswerBudget() {
    std::lock_guard<std::mutex> lock(random_mutex);
    if (std::uniform_real_distribution<double>(0, 1)(random) >= options.drop_probability)
      return UINT64_MAX;
    return std::uniform_int_distribution<uint64_t>(
        0, options.max_bytes_before_drop == 0 ? 0 : options.max_bytes_before_drop - 1)(random);
  }

  void Accept();
};

namespace {

// One proxied connection: two pumps (client -> server, server -> client); the answer's pump
// stops both sockets once its budget is spent.
class ProxiedConnection : public std::enable_shared_from_this<ProxiedConnection> {
 public:
  ProxiedConnection(tcp::socket client, asio::io_context& io, uint64_t answer_budget,
                    std::atomic<uint64_t>& dropped)
      : client_(std::move(client)), server_(io), answer_budget_(answer_budget),
        dropped_(dropped) {}

  void Start(uint16_t upstream) {
    auto self = shared_from_this();
    server_.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), upstream),
                          [self](const boost::system::error_code& error) {
                            if (error) return self->Close();
                            self->Pump(self->client_, self->server_, self->upstream_buffer_,
                                       false);
                            self->Pump(self->server_, self->client_, self->answer_buffer_, true);
                          });
  }

 private:
  void Pump(tcp::socket& from, tcp::socket& to, std::array<char, 16384>& buffer, bool answer) {
    auto self = shared_from_this();
    from.async_read_some(asio::buffer(buffer), [self, &from, &to, &buffer, answer](
                                                   const boost::system::error_code& error,
                                                   size_t n) {
      if (error) return self->Close();
      size_t forward = n;
      bool cut = false;
      if (answer) {
        if (self->answer_budget_ <= n) {
          forward = static_cast<size_t>(self->answer_budget_);
          cut = true;
        }
        if (self->answer_budget_ != UINT64_MAX) self->answer_budget_ -= forward;
      }
      asio::async_write(to, asio::buffer(buffer.data(), forward),
                        [self, &from, &to, &buffer, answer, cut](
                            const boost::system::error_code& write_error, size_t) {
                          if (write_error) return self->Close();
                          if (cut) {
                            self->dropped_.fetch_add(1);
                            return self->Close();
                          }
                          self->Pump(from, to, buffer, answer);
                        });
    });
  }

  void Close() {
    boost::system::error_code ignored;
    client_.close(ignored);
    server_.close(ignored);
  }

  tcp::socket client_, server_;
  std::array<char, 16384> upstream_buffer_{}, answer_buffer_{};
  uint64_t answer_budget_;
  std::atomic<uint64_t>& dropped_;
};

}  // namespace

void FlakyLink::Running::Accept() {
  acceptor.async_accept([this](const boost::system::error_code& error, tcp::socket socket) {
    if (error) return;  // stopped
    connections.fetch_add(1);
    std::make_shared<ProxiedConnection>(std::move(socket), io, DrawAnswerBudget(), dropped)
        ->Start(options.upstream_port);
    Accept();
  });
}

Result<std::unique_ptr<FlakyLink>> FlakyLink::Start(const FlakyLinkOptions& options) {
  auto running = std::make_unique<Running>();
  running->options = options;
  running->random.seed(options.seed);
  boost::system::error_code error;
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), 0);
  running->acceptor.open(endpoint.protocol(), error);
  if (!error) running->acceptor.bind(endpoint, error);
  if (!error) running->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return Status::Error(StatusCode::kIoError, "the flaky link cannot listen on loopback: %s",
                         error.message().c_str());
  }
  running->port = running->acceptor.local_endpoint().port();
  running->Accept();
  Running* raw = running.get();
  running->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<FlakyLink>(new FlakyLink(std::move(running)));
}

FlakyLink::FlakyLink(std::unique_ptr<Running> running) : running_(std::move(running)) {}
FlakyLink::~FlakyLink() { Stop(); }

uint16_t FlakyLink::port() const { return running_->port; }
uint64_t FlakyLink::connections() const { return running_->connections.load(); }
uint64_t FlakyLink::dropped() const { return running_->dropped.load(); }

void FlakyLink::Stop() {
  if (!running_->thread.joinable()) return;
  asio::post(running_->io, [raw = running_.get()] {
    boost::system::error_code ignored;
    raw->acceptor.close(ignored);
    raw->io.stop();
  });
  running_->thread.join();
}

}  // namespace tinymlops::sim
