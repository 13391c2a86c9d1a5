#include "agent/device_client.h"

#include <sodium.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "crypto/sodium_init.h"
#include "server/auth/device_request_signature.h"

namespace tinymlops::agent {
namespace {

std::string NewNonce() {
  uint8_t bytes[16];
  randombytes_buf(bytes, sizeof(bytes));
  static const char kHex[] = "0123456789abcdef";
  std::string nonce;
  for (uint8_t b : bytes) {
    nonce.push_back(kHex[b >> 4]);
    nonce.push_back(kHex[b & 15]);
  }
  return nonce;
}

// The first byte of "bytes FIRST-LAST/TOTAL".
uint64_t ContentRangeFirst(const std::string& value) {
  const std::string prefix = "bytes ";
  if (value.rfind(prefix, 0) != 0) return UINT64_MAX;
  uint64_t first = 0;
  size_t i = prefix.size();
  if (i >= value.size() || value[i] < '0' || value[i] > '9') return UINT64_MAX;
  for (; i < value.size() && value[i] >= '0' && value[i] <= '9'; ++i) {
    if (first > (UINT64_MAX - 9) / 10) return UINT64_MAX;
    first = first * 10 + static_cast<uint64_t>(value[i] - '0');
  }
  return first;
}

}  // namespace

Result<DeviceClient> DeviceClient::Create(const std::string& base_url,
                                          std::chrono::seconds idle_timeout) {
  TMM_RETURN_IF_ERROR(crypto::InitializeSodium());
  TMM_ASSIGN_OR_RETURN(server::ServerAddress address, server::ParseServerUrl(base_url));
  DeviceClient client;
  client.base_url_ = base_url;
  client.address_ = address;
  client.idle_timeout_ = idle_timeout;
  return client;
}

Result<server::ApiResponse> DeviceClient::Call(const DeviceIdentity& identity,
                                               const std::string& method, const std::string& target,
                                               const std::string& body, int64_t now_unix) const {
  const auto headers = server::SignDeviceRequest(identity.key, identity.device_id, method, target,
                                                 now_unix, NewNonce(), body);
  return server::CallApi(base_url_, method, target, body, headers);
}

Result<server::ApiResponse> DeviceClient::CallUnsigned(const std::string& method,
                                                       const std::string& target,
                                                       const std::string& body) const {
  return server::CallApi(base_url_, method, target, body);
}

Status DeviceClient::Fetch(const DeviceIdentity& identity, const std::string& target,
                           uint64_t offset, int64_t now_unix, const HeadSink& on_head,
                           const BodySink& on_body) const {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  try {
    boost::asio::io_context context;
    tcp::resolver resolver(context);
    beast::tcp_stream stream(context);
    stream.expires_after(idle_timeout_);
    stream.connect(resolver.resolve(address_.host, address_.port));
    http::request<http::empty_body> request(http::verb::get, target, 11);
    request.set(http::field::host, address_.authority);
    request.set(http::field::user_agent, "tinymlops-agent");
    for (const auto& [name, value] : server::SignDeviceRequest(
             identity.key, identity.device_id, "GET", target, now_unix, NewNonce(), ""))
      request.set(name, value);
    if (offset > 0) request.set(http::field::range, "bytes=" + std::to_string(offset) + "-");
    stream.expires_after(idle_timeout_);
    http::write(stream, request);

    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    stream.expires_after(idle_timeout_);
    http::read_header(stream, buffer, parser);
    const int status = static_cast<int>(parser.get().result_int());
    uint8_t chunk[64 * 1024];
    if (status != 200 && status != 206) {
      std::string message;  // the {"error": ...} body, at most one chunk of it
      beast::error_code ec;
      parser.get().body().data = chunk;
      parser.get().body().size = sizeof(chunk);
      http::read(stream, buffer, parser, ec);
      message.assign(reinterpret_cast<const char*>(chunk),
                     sizeof(chunk) - parser.get().body().size);
      return Status::Error(status == 404 ? StatusCode::kNotFound : StatusCode::kIoError,
                           "the server answered %d to GET %s: %.120s", status, target.c_str(),
                           message.c_str());
    }
    FetchHead head;
    head.status = status;
    if (status == 206) {
      const auto range = parser.get().find(http::field::content_range);
      head.first_byte =
          range == parser.get().end() ? UINT64_MAX : ContentRangeFirst(std::string(range->value()));
    }
    TMM_RETURN_IF_ERROR(on_head(head));
    while (!parser.is_done()) {
      parser.get().body().data = chunk;
      parser.get().body().size = sizeof(chunk);
      beast::error_code ec;
      stream.expires_after(idle_timeout_);
      http::read(stream, buffer, parser, ec);
      if (ec == http::error::need_buffer) ec = {};
      const size_t received = sizeof(chunk) - parser.get().body().size;
      if (received > 0) TMM_RETURN_IF_ERROR(on_body(chunk, received));
      if (ec)
        return Status::Error(StatusCode::kIoError, "the download of %s broke: %s", target.c_str(),
                             ec.message().c_str());
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  } catch (const std::exception& error) {
    return Status::Error(StatusCode::kIoError, "cannot download %s from %s: %s", target.c_str(),
                         base_url_.c_str(), error.what());
  }
  return Status::Ok();
}

}  // namespace tinymlops::agent
