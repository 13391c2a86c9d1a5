// The tinymlops-server executable: with no store flag it keeps an SQLite store in --data, it
// prints the server-wide admin token at the first start only, and it stops on SIGTERM.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "server/auth/opaque_token.h"
#include "support/http_client.h"
#include "support/test_databases.h"

namespace tinymlops::server {
namespace {

struct RunningServer {
  pid_t pid = -1;
  FILE* output = nullptr;
  std::string banner;  // stdout up to the "listening on" line
  uint16_t port = 0;
};

// Starts tinymlops-server (`store`: a --store URL, or "" for the SQLite default).
RunningServer Spawn(const std::string& data, const std::string& store = "") {
  RunningServer server;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return server;
  server.pid = fork();
  if (server.pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    if (store.empty()) {
      execl(TINYMLOPS_SERVER_PATH, TINYMLOPS_SERVER_PATH, "--data", data.c_str(), "--listen",
            "127.0.0.1:0", "--threads", "2", static_cast<char*>(nullptr));
    } else {
      execl(TINYMLOPS_SERVER_PATH, TINYMLOPS_SERVER_PATH, "--data", data.c_str(), "--listen",
            "127.0.0.1:0", "--threads", "2", "--store", store.c_str(),
            static_cast<char*>(nullptr));
    }
    _exit(127);
  }
  close(pipe_fds[1]);
  server.output = fdopen(pipe_fds[0], "r");
  return server;
}

// Reads the server's output up to its "listening on" line.
void AwaitListening(RunningServer& server) {
  char line[512];
  const std::regex listening("listening on http://127\\.0\\.0\\.1:([0-9]+)");
  while (fgets(line, sizeof line, server.output) != nullptr) {
    server.banner += line;
    std::cmatch match;
    if (std::regex_search(line, match, listening)) {
      server.port = static_cast<uint16_t>(std::stoi(match[1].str()));
      break;
    }
  }
}

RunningServer Launch(const std::string& data, const std::string& store = "") {
  RunningServer server = Spawn(data, store);
  AwaitListening(server);
  return server;
}

int Stop(RunningServer& server) {
  kill(server.pid, SIGTERM);
  int status = 0;
  waitpid(server.pid, &status, 0);
  if (server.output) fclose(server.output);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

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
