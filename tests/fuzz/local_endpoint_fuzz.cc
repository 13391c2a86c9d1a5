// libFuzzer target: arbitrary bytes as what a local application sends the agent's endpoint
// (agent/local_endpoint.h): Beast's HTTP request parser with the endpoint's limits, then the
// endpoint's routing and JSON request parsing, served by the agent's AgentInferenceService over
// a real PackageLoader holding a signed 4-wide scale model (y = x * w + b). Every request must
// get a response with a JSON body; nothing may crash, read out of bounds or leak.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>

#include "agent/agent_inference_service.h"
#include "agent/local_endpoint.h"
#include "device/package_loader.h"
#include "format/byte_source.h"
#include "fuzz/fuzz_keys.h"
#include "support/package_fixtures.h"

using namespace tinymlops;
namespace http = boost::beast::http;

namespace {

device::PackageLoader* ServingLoader() {
  static runtime::OpResolver resolver;
  runtime::AddReferenceKernels(resolver);
  device::LoaderOptions options;
  options.trusted_vendors = {fuzz::FuzzVendorKey().public_key()};
  options.resolver = &resolver;
  options.start_guard = false;
  auto* loader = new device::PackageLoader(options);
  test_support::PackageSpec spec;
  spec.n = 4;
  spec.model = test_support::ScaleModel(spec.n);
  spec.manifest = test_support::Identity("fuzz", 1);
  spec.signer = &fuzz::FuzzVendorKey();
  const std::vector<uint8_t> package = test_support::MakePackage(std::move(spec));
  if (!loader
           ->Load(std::make_unique<format::MemoryByteSource>(package.data(), package.size()),
                  "fuzz.tpkg")
           .ok())
    __builtin_trap();
  return loader;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* service = new agent::AgentInferenceService(*ServingLoader(), *new std::mutex);
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1u << 20);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;
  const auto& request = parser.get();
  const agent::LocalResponse response =
      agent::HandleLocalRequest(*service, std::string(request.method_string()),
                                std::string(request.target()), request.body());
  if (response.status < 200 || response.status > 599 ||
      nlohmann::json::parse(response.body, nullptr, false).is_discarded())
    __builtin_trap();
  return 0;
}
