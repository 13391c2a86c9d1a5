// The tinymlops-server executable: with no store flag it keeps an SQLite store in --data, it
// prints the server-wide admin token at the first start only, and it stops on SIGTERM.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "server/auth/opaque_token.h"
#include "server_process.h"
#include "support/http_client.h"
#include "support/test_databases.h"

namespace tinymlops::server {
namespace {

TEST(ServerExecutableTest, PrintsTheAdminTokenOnceAndKeepsStateInTheDataFolder) {
  const auto data = std::filesystem::temp_directory_path() / ("tinymlops_data_" + NewRecordId(""));
  RunningServer first = Launch(data.string());
  ASSERT_NE(first.port, 0) << first.banner;
  std::smatch token_match;
  const std::regex token_pattern("tmo_[0-9a-f]{64}");
  ASSERT_TRUE(std::regex_search(first.banner, token_match, token_pattern)) << first.banner;
  const std::string token = token_match.str();
  auto created = test_support::HttpCall(first.port, "POST", "/v1/projects", R"({"name":"acme"})",
                                        {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Stop(first), 0);
  EXPECT_TRUE(std::filesystem::exists(data / "store.sqlite"));
  EXPECT_EQ(std::filesystem::status(data).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);

  RunningServer second = Launch(data.string());
  ASSERT_NE(second.port, 0) << second.banner;
  EXPECT_FALSE(std::regex_search(second.banner, token_pattern)) << second.banner;
  auto projects = test_support::HttpCall(second.port, "GET", "/v1/projects", "",
                                         {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(projects.status, 200) << projects.body;
  EXPECT_EQ(nlohmann::json::parse(projects.body)["projects"][0]["name"], "acme");
  EXPECT_EQ(Stop(second), 0);
  std::filesystem::remove_all(data);
}

// Several server processes share one PostgreSQL database: started at the same moment on an
// empty database, they migrate it once, exactly one prints an admin token, and both accept it.
TEST(ServerExecutableTest, ProcessesSharingOnePostgresBootstrapOnce) {
  std::string skip;
  auto database = test_support::TestDatabase::Create("postgresql", &skip);
  if (!database) GTEST_SKIP() << skip;
  const auto data = std::filesystem::temp_directory_path() / ("tinymlops_data_" + NewRecordId(""));
  RunningServer servers[] = {Spawn(data.string(), database->location()),
                             Spawn(data.string(), database->location())};
  const std::regex token_pattern("tmo_[0-9a-f]{64}");
  std::string token;
  int tokens_printed = 0;
  for (RunningServer& server : servers) {
    AwaitListening(server);
    ASSERT_NE(server.port, 0) << server.banner;
    std::smatch match;
    if (std::regex_search(server.banner, match, token_pattern)) {
      ++tokens_printed;
      token = match.str();
    }
  }
  EXPECT_EQ(tokens_printed, 1);
  auto created = test_support::HttpCall(servers[0].port, "POST", "/v1/projects",
                                        R"({"name":"shared"})", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(created.status, 201) << created.body;
  auto seen = test_support::HttpCall(servers[1].port, "GET", "/v1/projects", "",
                                     {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_EQ(nlohmann::json::parse(seen.body)["projects"][0]["name"], "shared");
  for (RunningServer& server : servers) EXPECT_EQ(Stop(server), 0);
  std::filesystem::remove_all(data);
}

}  // namespace
}  // namespace tinymlops::server
