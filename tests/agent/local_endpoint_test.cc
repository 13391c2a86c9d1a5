// agent/local_endpoint.h over a real Unix socket and a real signed, encrypted package served by
// a PackageLoader through the agent's AgentInferenceService: GET /v1/status names the model;
// POST /v1/infer gives the model's outputs;
// malformed JSON, unknown, missing or miscounted inputs, out-of-range values, unknown paths,
// wrong methods and oversized bodies are JSON errors with the right status; with no model
// loaded the endpoint answers 503. Also: the socket is 0660, a non-socket path is refused.
#include "agent/local_endpoint.h"

#include <sys/stat.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "agent/agent_inference_service.h"
#include "device/loader_fixture.h"
#include "support/unix_socket_client.h"

namespace tinymlops::agent {
namespace {

using json = nlohmann::json;
using test_support::UnixSocketCall;
using test_support::UnixSocketReply;

class LocalEndpointTest : public device::LoaderTest {
 protected:
  std::string Socket() const { return folder_ + "/agent.sock"; }
  json ScaleInput() const {
    std::vector<double> x(kWidth);
    for (int i = 0; i < kWidth; ++i) x[i] = static_cast<double>(i) / kWidth;
    return {{"inputs", {{"x", x}}}};
  }
};

TEST_F(LocalEndpointTest, ServesStatusAndInferenceOfTheLoadedPackage) {
  device::PackageLoader loader(Options());
  ASSERT_TRUE(Load(loader, test_support::MakePackage(Spec(4))).ok());
  std::mutex serving;
  AgentInferenceService service(loader, serving);
  LocalEndpoint endpoint(service, {Socket()});
  ASSERT_TRUE(endpoint.Start().ok());
  struct stat info;
  ASSERT_EQ(::stat(Socket().c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0660u);

  UnixSocketReply status = UnixSocketCall(Socket(), "GET", "/v1/status");
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.body["ready"], true);
  EXPECT_EQ(status.body["model_id"], "scale");
  EXPECT_EQ(status.body["release"], 4);

  UnixSocketReply infer = UnixSocketCall(Socket(), "POST", "/v1/infer", ScaleInput().dump());
  ASSERT_EQ(infer.status, 200) << infer.body.dump();
  const json& y = infer.body["outputs"]["y"];
  EXPECT_EQ(y["dtype"], "float32");
  EXPECT_EQ(y["shape"], json::array({1, kWidth}));
  ASSERT_EQ(y["data"].size(), static_cast<size_t>(kWidth));
  for (int i = 0; i < kWidth; ++i)
    ASSERT_EQ(static_cast<float>(y["data"][i].get<double>()), expected_y_[i]) << i;
  EXPECT_EQ(infer.body["version"], "1.0.0");
  endpoint.Stop();
  EXPECT_NE(::stat(Socket().c_str(), &info), 0) << "Stop removes the socket";
}

TEST_F(LocalEndpointTest, BadRequestsAreJsonErrorsAndTheEndpointKeepsServing) {
  device::PackageLoader loader(Options());
  ASSERT_TRUE(Load(loader, test_support::MakePackage(Spec(1))).ok());
  std::mutex serving;
  AgentInferenceService service(loader, serving);
  LocalEndpoint endpoint(service, {Socket(), 64u << 10});
  ASSERT_TRUE(endpoint.Start().ok());
  auto expect = [&](const std::string& method, const std::string& target, const std::string& body,
                    int status, const std::string& fragment) {
    const UnixSocketReply reply = UnixSocketCall(Socket(), method, target, body);
    EXPECT_EQ(reply.status, status) << target << " " << body.substr(0, 60);
    EXPECT_NE(reply.body.value("error", "").find(fragment), std::string::npos) << reply.body.dump();
  };
  expect("POST", "/v1/infer", "{not json", 400, "not a JSON object");
  expect("POST", "/v1/infer", "{}", 400, "no \"inputs\" object");
  expect("POST", "/v1/infer", R"({"inputs": {"x": [1, 2]}})", 400, "its shape needs 1000");
  expect("POST", "/v1/infer", R"({"inputs": {"z": [1]}})", 400, "unknown input 'z'");
  expect("POST", "/v1/infer", R"({"inputs": {}})", 400, "input 'x' is missing");
  expect("POST", "/v1/infer", R"({"inputs": {"x": "text"}})", 400, "flat list of numbers");
  json huge = ScaleInput();
  huge["inputs"]["x"][0] = 1e300;
  expect("POST", "/v1/infer", huge.dump(), 400, "not a float32 number");
  expect("GET", "/v1/infer", "", 405, "use POST");
  expect("POST", "/v1/status", "", 405, "use GET");
  expect("GET", "/v2/else", "", 404, "unknown path '/v2/else'");
  expect("POST", "/v1/infer", std::string(70u << 10, ' '), 413, "larger than the endpoint's");
  EXPECT_EQ(UnixSocketCall(Socket(), "POST", "/v1/infer", ScaleInput().dump()).status, 200);
}

TEST_F(LocalEndpointTest, WithoutAModelItAnswers503AndRefusesANonSocketPath) {
  device::PackageLoader loader(Options());
  std::mutex serving;
  AgentInferenceService service(loader, serving);
  LocalEndpoint endpoint(service, {Socket()});
  ASSERT_TRUE(endpoint.Start().ok());
  EXPECT_EQ(UnixSocketCall(Socket(), "GET", "/v1/status").body["ready"], false);
  const UnixSocketReply infer = UnixSocketCall(Socket(), "POST", "/v1/infer", ScaleInput().dump());
  EXPECT_EQ(infer.status, 503);
  EXPECT_NE(infer.body.value("error", "").find("no model is loaded"), std::string::npos);
  endpoint.Stop();

  const std::string file = folder_ + "/not-a-socket";
  FILE* f = std::fopen(file.c_str(), "w");
  std::fclose(f);
  LocalEndpoint refused(service, {file});
  const Status status = refused.Start();
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(std::string(status.message()).find("is not a socket"), std::string::npos);
}

}  // namespace
}  // namespace tinymlops::agent
