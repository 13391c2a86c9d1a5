#include "server/client/api_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace tinymlops::server {

Result<ServerAddress> ParseServerUrl(const std::string& base_url) {
  const std::string scheme = "http://";
  std::string authority = base_url.rfind(scheme, 0) == 0 ? base_url.substr(scheme.size()) : "";
  while (!authority.empty() && authority.back() == '/') authority.pop_back();
  const size_t colon = authority.rfind(':');
  if (authority.empty() || colon == std::string::npos || colon == 0 ||
      authority.find('/') != std::string::npos) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "server URL '%s' must be http://HOST:PORT, e.g. http://127.0.0.1:8080",
                         base_url.c_str());
  }
  return ServerAddress{authority.substr(0, colon), authority.substr(colon + 1), authority};
}

Result<ApiResponse> CallApi(const std::string& base_url, const std::string& method,
                            const std::string& target, const std::string& body,
                            const std::map<std::string, std::string>& headers) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  auto address = ParseServerUrl(base_url);
  if (!address.ok()) return address.status();
  const std::string& host = address->host;
  const std::string& port = address->port;
  const std::string& authority = address->authority;
  ApiResponse out;
  try {
    boost::asio::io_context context;
    tcp::resolver resolver(context);
    beast::tcp_stream stream(context);
    stream.expires_after(std::chrono::seconds(60));
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> request(http::string_to_verb(method), target, 11);
    request.set(http::field::host, authority);
    request.set(http::field::user_agent, "tinymlops");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 32);
    http::read(stream, buffer, parser);
    auto response = parser.release();
    out.status = static_cast<int>(response.result_int());
    out.body = std::move(response.body());
    for (const auto& field : response) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(field.value());
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  } catch (const std::exception& error) {
    return Status::Error(StatusCode::kIoError, "cannot reach the server at %s: %s",
                         base_url.c_str(), error.what());
  }
  return out;
}

}  // namespace tinymlops::server
