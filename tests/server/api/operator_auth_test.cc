// Operator API: tokens, roles, projects, tenancy, errors and limits, over real HTTP, against
// both store backends.
#include <gtest/gtest.h>

#include "server/api/http_server.h"
#include "server_fixture.h"

namespace tinymlops::server {
namespace {

using OperatorApiTest = ServerFixture;

TEST_P(OperatorApiTest, ServesHealthAndItsOpenApiDocument) {
  auto health = Call("GET", "/healthz");
  ASSERT_EQ(health.status, 200) << health.body;
  EXPECT_EQ(Json(health)["store"], GetParam());
  auto openapi = Call("GET", "/openapi");
  ASSERT_EQ(openapi.status, 200);
  EXPECT_EQ(openapi.headers["content-type"], "application/yaml");
  EXPECT_EQ(openapi.body.rfind("openapi: 3.", 0), 0u);
  // Every route the server has is documented.
  for (const char* path : {"/v1/projects:", "/metrics:", "/v1/enroll:", "/v1/device/report:",
                           "/v1/projects/{project}/variants/{variant}/package:",
                           "/v1/projects/{project}/devices/{device}/tags:",
                           "/v1/projects/{project}/deployments:",
                           "/v1/projects/{project}/deployments/{deployment}:",
                           "/v1/projects/{project}/deployments/{deployment}/pause:",
                           "/v1/projects/{project}/deployments/{deployment}/promote:",
                           "/v1/projects/{project}/deployments/{deployment}/rollback:",
                           "/v1/device/checkin:"}) {
    EXPECT_NE(openapi.body.find(path), std::string::npos) << path;
  }
}

TEST_P(OperatorApiTest, MissingOrUnknownTokensAre401) {
  auto missing = Call("GET", "/v1/projects");
  EXPECT_EQ(missing.status, 401);
  EXPECT_FALSE(Json(missing)["error"].get<std::string>().empty());
  EXPECT_EQ(missing.headers["www-authenticate"], "Bearer");
  EXPECT_EQ(Call("GET", "/v1/projects", "tmo_not-a-real-token").status, 401);
  EXPECT_EQ(Call("GET", "/v1/projects", "", "", {{"Authorization", "Basic abc"}}).status, 401);
  EXPECT_EQ(Call("GET", "/v1/projects", admin_).status, 200);
}

TEST_P(OperatorApiTest, RolesLimitWhatATokenMayDo) {
  const std::string viewer = ProjectToken("acme", "viewer");
  const std::string deployer = ProjectToken("acme", "deployer");
  const std::string admin = ProjectToken("acme", "admin");
  // Viewer reads, but may not create enrollment tokens or models.
  EXPECT_EQ(Call("GET", "/v1/projects/acme/devices", viewer).status, 200);
  auto refused = Call("POST", "/v1/projects/acme/enrollment-tokens", viewer);
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(Json(refused)["error"].get<std::string>().find("deployer"), std::string::npos);
  EXPECT_EQ(Call("POST", "/v1/projects/acme/models", viewer, R"({"name":"digits"})").status, 403);
  // Deployer creates models and enrollment tokens but no operator tokens.
  EXPECT_EQ(Call("POST", "/v1/projects/acme/models", deployer, R"({"name":"digits"})").status,
            201);
  EXPECT_EQ(Call("POST", "/v1/projects/acme/enrollment-tokens", deployer).status, 201);
  EXPECT_EQ(Call("POST", "/v1/projects/acme/tokens", deployer,
                 R"({"name":"x","role":"viewer"})").status,
            403);
  // A project admin makes tokens, but only the server-wide admin makes projects.
  EXPECT_EQ(Call("POST", "/v1/projects/acme/tokens", admin, R"({"name":"x","role":"viewer"})")
                .status,
            201);
  EXPECT_EQ(Call("POST", "/v1/projects", admin, R"({"name":"other"})").status, 403);
}

TEST_P(OperatorApiTest, RevokedTokensAreRefusedAtOnce) {
  const std::string admin = ProjectToken("acme", "admin");
  auto created = Call("POST", "/v1/projects/acme/tokens", admin, R"({"name":"ci","role":"viewer"})");
  ASSERT_EQ(created.status, 201);
  const std::string viewer = Json(created)["token"];
  const std::string id = Json(created)["id"];
  EXPECT_EQ(Call("GET", "/v1/projects/acme/devices", viewer).status, 200);
  auto listed = Call("GET", "/v1/projects/acme/tokens", admin);
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find(viewer), std::string::npos);  // secrets are never listed
  EXPECT_EQ(Json(listed)["tokens"].size(), 2u);
  EXPECT_EQ(Call("DELETE", "/v1/projects/acme/tokens/" + id, viewer).status, 403);
  ASSERT_EQ(Call("DELETE", "/v1/projects/acme/tokens/" + id, admin).status, 200);
  EXPECT_EQ(Call("GET", "/v1/projects/acme/devices", viewer).status, 401);
  EXPECT_EQ(Call("DELETE", "/v1/projects/acme/tokens/tok_nothing", admin).status, 404);
  // Another project's admin cannot revoke it.
  const std::string other = ProjectToken("other", "admin");
  EXPECT_EQ(Call("DELETE", "/v1/projects/acme/tokens/" + id, other).status, 404);
}

TEST_P(OperatorApiTest, NothingOfOneProjectIsVisibleToAnother) {
  const std::string a = ProjectToken("alpha", "admin");
  const std::string b = ProjectToken("beta", "admin");
  ASSERT_EQ(Call("POST", "/v1/projects/beta/models", b, R"({"name":"secret-model"})").status, 201);
  // Reads of beta with alpha's token look exactly like a missing project.
  auto read = Call("GET", "/v1/projects/beta/models", a);
  EXPECT_EQ(read.status, 404);
  EXPECT_EQ(read.body.find("secret-model"), std::string::npos);
  EXPECT_EQ(Call("GET", "/v1/projects/nonexistent/models", a).status, 404);
  EXPECT_EQ(Call("GET", "/v1/projects/beta/devices", a).status, 404);
  // Writes too.
  EXPECT_EQ(Call("POST", "/v1/projects/beta/models", a, R"({"name":"intruder"})").status, 404);
  EXPECT_EQ(Call("POST", "/v1/projects/beta/tokens", a, R"({"name":"x","role":"admin"})").status,
            404);
  EXPECT_EQ(Call("POST", "/v1/projects/beta/enrollment-tokens", a).status, 404);
  // Listing projects shows alpha only.
  auto projects = Json(Call("GET", "/v1/projects", a))["projects"];
  ASSERT_EQ(projects.size(), 1u);
  EXPECT_EQ(projects[0]["name"], "alpha");
  auto models = Json(Call("GET", "/v1/projects/beta/models", b))["models"];
  ASSERT_EQ(models.size(), 1u);
}

TEST_P(OperatorApiTest, MalformedRequestsAreJsonErrorsWithStatusCodes) {
  auto bad_json = Call("POST", "/v1/projects", admin_, "{not json");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_TRUE(Json(bad_json).contains("error"));
  EXPECT_EQ(Call("POST", "/v1/projects", admin_, R"({"name": 7})").status, 400);
  EXPECT_EQ(Call("POST", "/v1/projects", admin_, R"({"name": "Bad Name!"})").status, 400);
  ASSERT_EQ(Call("POST", "/v1/projects", admin_, R"({"name": "dup"})").status, 201);
  auto dup = Call("POST", "/v1/projects", admin_, R"({"name": "dup"})");
  EXPECT_EQ(dup.status, 409);
  EXPECT_NE(Json(dup)["error"].get<std::string>().find("already exists"), std::string::npos);
  // Deeply nested JSON is refused before it is parsed (parsing and printing recurse).
  auto deep = Call("POST", "/v1/projects", admin_,
                   "{\"name\": \"x\", \"d\": " + std::string(100000, '[') + "}");
  EXPECT_EQ(deep.status, 400);
  EXPECT_NE(Json(deep)["error"].get<std::string>().find("deeper"), std::string::npos);
  auto unknown = Call("GET", "/v1/nothing-here", admin_);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_TRUE(Json(unknown).contains("error"));
  auto method = Call("DELETE", "/v1/projects", admin_);
  EXPECT_EQ(method.status, 405);
  EXPECT_NE(method.headers["allow"].find("POST"), std::string::npos);
  EXPECT_EQ(Call("POST", "/v1/projects/dup/tokens", admin_, R"({"name":"x","role":"root"})")
                .status,
            400);
}

TEST_P(OperatorApiTest, BodiesBeyondTheLimitAre413) {
  std::unique_ptr<ControlPlane> plane;
  std::unique_ptr<HttpServer> small;
  const uint16_t port = StartServer(*store_, &plane, &small, 4096);
  auto response = test_support::HttpCall(port, "POST", "/v1/projects", std::string(8192, 'x'),
                                         {{"Authorization", "Bearer " + admin_}});
  EXPECT_EQ(response.status, 413);
  EXPECT_TRUE(Json(response).contains("error"));
  // A JSON body beyond 1 MiB is refused by the parser even when the server allows it.
  auto large = Call("POST", "/v1/projects", admin_,
                    "{\"name\":\"" + std::string(2 << 20, 'a') + "\"}");
  EXPECT_EQ(large.status, 400);
  small->Stop();
}

TEST_P(OperatorApiTest, MetricsCountRequestsForAServerWideToken) {
  const std::string project_admin = ProjectToken("acme", "admin");
  Call("GET", "/v1/projects/acme/models", project_admin);
  Call("GET", "/v1/projects/acme/models", project_admin);
  EXPECT_EQ(Call("GET", "/metrics").status, 401);
  EXPECT_EQ(Call("GET", "/metrics", project_admin).status, 403);
  auto metrics = Call("GET", "/metrics", admin_);
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_EQ(metrics.headers["content-type"], "text/plain; version=0.0.4");
  EXPECT_NE(metrics.body.find("\ntinymlops_projects 1\n"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("\ntinymlops_devices 0\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("tinymlops_http_requests_total{method=\"GET\",route=\"/v1/projects/"
                              "{project}/models\",code=\"200\"} 2\n"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("route=\"/metrics\",code=\"403\"} 1"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, OperatorApiTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tinymlops::server
