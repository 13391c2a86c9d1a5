// ServerProcess: the real tinymlops-server executable (TINYMLOPS_SERVER_PATH) run as a child
// process on a data folder (and optionally a --store URL), its stdout read up to the
// "listening on" line for the port and the first start's admin token. Stop() sends SIGTERM and
// waits; Kill() sends SIGKILL, as a crash or an out-of-memory kill would.
#ifndef TINYMLOPS_TESTS_SERVER_API_SERVER_PROCESS_H_
#define TINYMLOPS_TESTS_SERVER_API_SERVER_PROCESS_H_

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <regex>
#include <string>

namespace tinymlops::server {

struct RunningServer {
  pid_t pid = -1;
  FILE* output = nullptr;
  std::string banner;  // stdout up to the "listening on" line
  uint16_t port = 0;
};

// Starts tinymlops-server (`store`: a --store URL, or "" for the SQLite default).
inline RunningServer Spawn(const std::string& data, const std::string& store = "") {
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
            "127.0.0.1:0", "--threads", "2", "--store", store.c_str(), static_cast<char*>(nullptr));
    }
    _exit(127);
  }
  close(pipe_fds[1]);
  server.output = fdopen(pipe_fds[0], "r");
  return server;
}

// Reads the server's output up to its "listening on" line.
inline void AwaitListening(RunningServer& server) {
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

inline RunningServer Launch(const std::string& data, const std::string& store = "") {
  RunningServer server = Spawn(data, store);
  AwaitListening(server);
  return server;
}

// The admin token the first start printed, or "".
inline std::string BannerToken(const RunningServer& server) {
  std::smatch match;
  const std::regex token_pattern("tmo_[0-9a-f]{64}");
  return std::regex_search(server.banner, match, token_pattern) ? match.str() : std::string();
}

inline int Finish(RunningServer& server, int signal_number) {
  if (server.pid <= 0) return -1;
  kill(server.pid, signal_number);
  int status = 0;
  waitpid(server.pid, &status, 0);
  server.pid = -1;
  if (server.output) fclose(server.output);
  server.output = nullptr;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// SIGTERM; the exit code (-1 when it did not exit normally).
inline int Stop(RunningServer& server) { return Finish(server, SIGTERM); }
// SIGKILL: the process ends at once, whatever it was doing.
inline void Kill(RunningServer& server) { Finish(server, SIGKILL); }

}  // namespace tinymlops::server

#endif  // TINYMLOPS_TESTS_SERVER_API_SERVER_PROCESS_H_
