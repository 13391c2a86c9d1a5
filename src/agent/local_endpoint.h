// LocalEndpoint: the agent's local inference API for applications on the same device: HTTP/1.1
// over a Unix domain socket (Boost.Beast over Asio's local stream protocol), so only processes
// that may open the socket file (mode 0660, in a folder the agent owns) can call it.
//
//   GET  /v1/status  -> 200 {"ready": bool, "model_id", "version", "variant", "release"}
//   POST /v1/infer   {"inputs": {"NAME": [numbers...], ...}}   (one flat list per model input,
//                    row-major, exactly as many numbers as the input has elements)
//                    -> 200 {"model_id", "version", "variant", "release",
//                            "outputs": {"NAME": {"dtype", "shape": [...], "data": [...]}}}
// Errors are JSON {"error": "what failed and what to do"} with 400 (malformed JSON, unknown or
// missing input, wrong count, a number that does not fit the dtype), 404 (unknown path), 405
// (wrong method), 413 (body beyond max_body_bytes), 503 (no model serving, or the guard has
// quarantined it). Bad requests never crash the agent.
//
// What it serves is an InferenceService: the agent's is agent/agent_inference_service.h, over
// its current PackageLoader (the model it serves changes when the agent installs a new one).
// An answer's model_id, version, variant and release name the model that computed its outputs.
// HandleLocalRequest is the routing and parsing alone (no socket), for tests and the fuzzer.
// Thread-safety: LocalEndpoint runs one I/O thread; it calls the service from that thread only,
// one request at a time. The service must tolerate the agent's own threads (e.g. a model swap)
// itself. Start/Stop from one thread.
#ifndef TINYMLOPS_AGENT_LOCAL_ENDPOINT_H_
#define TINYMLOPS_AGENT_LOCAL_ENDPOINT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/status.h"
#include "runtime/tensor.h"

namespace tinymlops::agent {

// One tensor's values: dtype and shape as the model declares them, values as numbers (every
// dtype the runtime has is exactly representable as a double except int64 beyond 2^53).
struct TensorValues {
  runtime::DType dtype = runtime::DType::kFloat32;
  std::vector<int32_t> shape;
  std::vector<double> values;
};

struct ServingStatus {
  bool ready = false;  // a model is loaded and not quarantined
  std::string model_id, version, variant;
  uint64_t release = 0;
};

// One inference's outputs by name, and the model that computed them.
struct Inference {
  ServingStatus served;
  std::map<std::string, TensorValues> outputs;
};

class InferenceService {
 public:
  virtual ~InferenceService() = default;
  virtual ServingStatus Status() = 0;
  // The model's inputs (name -> dtype and shape; values empty). Fails when nothing serves.
  virtual Result<std::map<std::string, TensorValues>> Inputs() = 0;
  // Runs the model once on `inputs` (every input, already checked against Inputs()); returns
  // every output by name and which model computed them. The model may have changed since
  // Inputs(): then kInvalidArgument when `inputs` no longer fit it, kFailedPrecondition when
  // nothing serves.
  virtual Result<Inference> Infer(const std::map<std::string, TensorValues>& inputs) = 0;
};

// Conversions an InferenceService over a runtime::Interpreter needs: a tensor's dtype, shape
// and (ReadTensorValues) values; WriteTensorValues stores `values` into `tensor`'s bytes
// (kInvalidArgument when the count or dtype differs).
TensorValues ReadTensorValues(const runtime::Tensor& tensor, bool with_values);
Status WriteTensorValues(const TensorValues& values, runtime::Tensor& tensor);

struct LocalResponse {
  int status = 200;
  std::string body;  // JSON
};

// Routes one request; never throws.
LocalResponse HandleLocalRequest(InferenceService& service, const std::string& method,
                                 const std::string& target, const std::string& body);

struct LocalEndpointOptions {
  std::string socket_path;              // created on Start; an existing socket file is replaced
  uint64_t max_body_bytes = 16u << 20;  // larger requests get 413
};

class LocalEndpoint {
 public:
  // `service` must outlive the endpoint.
  LocalEndpoint(InferenceService& service, LocalEndpointOptions options);
  ~LocalEndpoint();  // Stop()
  LocalEndpoint(const LocalEndpoint&) = delete;
  LocalEndpoint& operator=(const LocalEndpoint&) = delete;

  // Binds the socket (refuses a path that exists and is not a socket, or is too long for a
  // Unix socket), then serves on a thread of its own. Errors: kIoError naming the path.
  Status Start();
  // Stops accepting, closes connections, joins the thread and removes the socket file.
  void Stop();

 private:
  struct Server;
  InferenceService& service_;
  LocalEndpointOptions options_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_LOCAL_ENDPOINT_H_
