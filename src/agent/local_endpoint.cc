#include "agent/local_endpoint.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

namespace tinymlops::agent {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;
using local = asio::local::stream_protocol;

namespace {

LocalResponse Error(int status, const std::string& message) {
  return {status, json{{"error", message}}.dump()};
}

json Identity(const ServingStatus& status) {
  return {{"model_id", status.model_id},
          {"version", status.version},
          {"variant", status.variant},
          {"release", status.release}};
}

// The range of integer values `dtype` holds; float32 takes any finite number.
bool Fits(runtime::DType dtype, double value) {
  if (!std::isfinite(value)) return false;
  if (dtype == runtime::DType::kFloat32)
    return std::fabs(value) <= std::numeric_limits<float>::max();
  if (value != std::floor(value)) return false;
  switch (dtype) {
    case runtime::DType::kInt8:
      return value >= -128 && value <= 127;
    case runtime::DType::kUInt8:
      return value >= 0 && value <= 255;
    case runtime::DType::kInt32:
      return value >= -2147483648.0 && value <= 2147483647.0;
    default:
      return std::fabs(value) <= 9007199254740992.0;  // int64: exact doubles only
  }
}

LocalResponse Infer(InferenceService& service, const std::string& body) {
  const json request = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object())
    return Error(400, "the body is not a JSON object; send {\"inputs\": {\"NAME\": [numbers]}}");
  const auto inputs_field = request.find("inputs");
  if (inputs_field == request.end() || !inputs_field->is_object())
    return Error(400, "the body has no \"inputs\" object; send {\"inputs\": {\"NAME\": [...]}}");
  auto declared = service.Inputs();
  if (!declared.ok()) return Error(503, declared.status().message());
  std::string names;
  for (const auto& [name, tensor] : *declared) names += (names.empty() ? "" : ", ") + name;
  for (const auto& [name, values] : inputs_field->items())
    if (declared->count(name) == 0)
      return Error(400, "unknown input '" + name + "'; the model's inputs are: " + names);
  std::map<std::string, TensorValues> inputs;
  for (auto& [name, tensor] : *declared) {
    const auto field = inputs_field->find(name);
    if (field == inputs_field->end())
      return Error(400, "input '" + name + "' is missing; the model's inputs are: " + names);
    if (!field->is_array())
      return Error(400, "input '" + name + "' must be a flat list of numbers");
    size_t elements = 1;
    for (int32_t dim : tensor.shape) elements *= static_cast<size_t>(dim);
    if (field->size() != elements)
      return Error(400, "input '" + name + "' has " + std::to_string(field->size()) +
                            " numbers; its shape needs " + std::to_string(elements));
    tensor.values.reserve(elements);
    for (const json& number : *field) {
      if (!number.is_number() || !Fits(tensor.dtype, number.get<double>()))
        return Error(400, "input '" + name + "' holds a value that is not a " +
                              runtime::DTypeName(tensor.dtype) + " number");
      tensor.values.push_back(number.get<double>());
    }
    inputs[name] = std::move(tensor);
  }
  auto inference = service.Infer(inputs);
  if (!inference.ok()) {
    const StatusCode code = inference.status().code();
    return Error(code == StatusCode::kFailedPrecondition ? 503
                 : code == StatusCode::kInvalidArgument  ? 400
                                                         : 500,
                 inference.status().message());
  }
  json response = Identity(inference->served);
  json& out = response["outputs"] = json::object();
  for (const auto& [name, tensor] : inference->outputs)
    out[name] = {{"dtype", runtime::DTypeName(tensor.dtype)},
                 {"shape", tensor.shape},
                 {"data", tensor.values}};
  return {200, response.dump()};
}

LocalResponse Route(InferenceService& service, const std::string& method, const std::string& target,
                    const std::string& body) {
  const std::string path = target.substr(0, target.find('?'));
  if (path == "/v1/status") {
    if (method != "GET") return Error(405, "use GET /v1/status");
    const ServingStatus status = service.Status();
    json response = Identity(status);
    response["ready"] = status.ready;
    return {200, response.dump()};
  }
  if (path == "/v1/infer") {
    if (method != "POST") return Error(405, "use POST /v1/infer with a JSON body");
    return Infer(service, body);
  }
  return Error(404, "unknown path '" + path +
                        "'; the endpoint serves GET /v1/status and POST "
                        "/v1/infer");
}

}  // namespace

namespace {

template <typename T>
void CopyOut(const runtime::Tensor& tensor, std::vector<double>& values) {
  const T* data = tensor.Data<T>();
  for (int64_t i = 0; i < tensor.ElementCount(); ++i)
    values.push_back(static_cast<double>(data[i]));
}

template <typename T>
void CopyIn(const std::vector<double>& values, runtime::Tensor& tensor) {
  T* data = tensor.Data<T>();
  for (size_t i = 0; i < values.size(); ++i) data[i] = static_cast<T>(values[i]);
}

}  // namespace

TensorValues ReadTensorValues(const runtime::Tensor& tensor, bool with_values) {
  TensorValues out;
  out.dtype = tensor.dtype;
  out.shape.assign(tensor.shape.dims, tensor.shape.dims + tensor.shape.rank);
  if (!with_values) return out;
  out.values.reserve(static_cast<size_t>(tensor.ElementCount()));
  switch (tensor.dtype) {
    case runtime::DType::kFloat32:
      CopyOut<float>(tensor, out.values);
      break;
    case runtime::DType::kInt8:
      CopyOut<int8_t>(tensor, out.values);
      break;
    case runtime::DType::kUInt8:
      CopyOut<uint8_t>(tensor, out.values);
      break;
    case runtime::DType::kInt32:
      CopyOut<int32_t>(tensor, out.values);
      break;
    case runtime::DType::kInt64:
      CopyOut<int64_t>(tensor, out.values);
      break;
  }
  return out;
}

Status WriteTensorValues(const TensorValues& values, runtime::Tensor& tensor) {
  if (values.dtype != tensor.dtype ||
      values.values.size() != static_cast<size_t>(tensor.ElementCount()))
    return Status::Error(
        StatusCode::kInvalidArgument, "input '%s' takes %lld %s values, not %zu %s values",
        tensor.name, static_cast<long long>(tensor.ElementCount()),
        runtime::DTypeName(tensor.dtype), values.values.size(), runtime::DTypeName(values.dtype));
  for (double value : values.values)
    if (!Fits(tensor.dtype, value))
      return Status::Error(StatusCode::kInvalidArgument, "input '%s' holds a value beyond %s",
                           tensor.name, runtime::DTypeName(tensor.dtype));
  switch (tensor.dtype) {
    case runtime::DType::kFloat32:
      CopyIn<float>(values.values, tensor);
      break;
    case runtime::DType::kInt8:
      CopyIn<int8_t>(values.values, tensor);
      break;
    case runtime::DType::kUInt8:
      CopyIn<uint8_t>(values.values, tensor);
      break;
    case runtime::DType::kInt32:
      CopyIn<int32_t>(values.values, tensor);
      break;
    case runtime::DType::kInt64:
      CopyIn<int64_t>(values.values, tensor);
      break;
  }
  return Status::Ok();
}

LocalResponse HandleLocalRequest(InferenceService& service, const std::string& method,
                                 const std::string& target, const std::string& body) {
  try {
    return Route(service, method, target, body);
  } catch (const std::exception& error) {
    return Error(500, std::string("internal error: ") + error.what());
  }
}

// ---- the server: one io_context on one thread, one session per connection -------------------

namespace {

using Stream = beast::basic_stream<local, asio::any_io_executor, beast::unlimited_rate_policy>;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(local::socket socket, InferenceService& service, uint64_t max_body)
      : stream_(std::move(socket)), service_(service), max_body_(max_body) {}

  void Read() {
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    parser_->body_limit(max_body_);
    stream_.expires_after(std::chrono::seconds(60));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
      return Close();
    if (ec == http::error::body_limit)
      return Reply(Error(413, "the request body is larger than the endpoint's limit of " +
                                  std::to_string(max_body_) + " bytes"),
                   false);
    if (ec) return Reply(Error(400, "malformed HTTP request: " + ec.message()), false);
    http::request<http::string_body> request = parser_->release();
    Reply(HandleLocalRequest(service_, std::string(request.method_string()),
                             std::string(request.target()), request.body()),
          request.keep_alive());
  }

  void Reply(LocalResponse reply, bool keep_alive) {
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(reply.status), 11);
    response->set(http::field::content_type, "application/json");
    response->keep_alive(keep_alive);
    response->body() = std::move(reply.body);
    response->prepare_payload();
    http::async_write(
        stream_, *response,
        [self = shared_from_this(), response, keep_alive](beast::error_code ec, size_t) {
          if (ec || !keep_alive) return self->Close();
          self->Read();
        });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(local::socket::shutdown_both, ignored);
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  InferenceService& service_;
  uint64_t max_body_;
};

}  // namespace

struct LocalEndpoint::Server {
  asio::io_context io{1};
  local::acceptor acceptor{io};

  void Accept(InferenceService& service, uint64_t max_body) {
    acceptor.async_accept([this, &service, max_body](beast::error_code ec, local::socket socket) {
      if (ec) {
        if (ec == asio::error::operation_aborted) return;
      } else {
        std::make_shared<Session>(std::move(socket), service, max_body)->Read();
      }
      Accept(service, max_body);
    });
  }
};

LocalEndpoint::LocalEndpoint(InferenceService& service, LocalEndpointOptions options)
    : service_(service), options_(std::move(options)) {}

LocalEndpoint::~LocalEndpoint() { Stop(); }

Status LocalEndpoint::Start() {
  if (server_) return Status::Error(StatusCode::kFailedPrecondition, "the endpoint is running");
  const char* path = options_.socket_path.c_str();
  if (options_.socket_path.empty() || options_.socket_path.size() >= sizeof(sockaddr_un::sun_path))
    return Status::Error(StatusCode::kIoError,
                         "socket path '%s' is empty or longer than the %zu bytes a Unix socket "
                         "path may have; choose a shorter one",
                         path, sizeof(sockaddr_un::sun_path) - 1);
  struct stat info;
  if (::lstat(path, &info) == 0) {
    if (!S_ISSOCK(info.st_mode))
      return Status::Error(StatusCode::kIoError,
                           "'%s' exists and is not a socket; choose another socket path", path);
    ::unlink(path);  // a stale socket of an earlier run
  }
  auto server = std::make_unique<Server>();
  beast::error_code ec;
  server->acceptor.open(local(), ec);
  if (!ec) server->acceptor.bind(local::endpoint(options_.socket_path), ec);
  if (!ec) server->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Status::Error(StatusCode::kIoError, "cannot listen on socket '%s': %s", path,
                         ec.message().c_str());
  ::chmod(path, 0660);
  server->Accept(service_, options_.max_body_bytes);
  server_ = std::move(server);
  thread_ = std::thread([server = server_.get()] { server->io.run(); });
  return Status::Ok();
}

void LocalEndpoint::Stop() {
  if (!server_) return;
  server_->io.stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
  ::unlink(options_.socket_path.c_str());
}

}  // namespace tinymlops::agent
