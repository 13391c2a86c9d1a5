// tinymlops-server: the control plane. With no flags it keeps everything in ./tinymlops-data
// (an SQLite store and the artifacts folder) and listens on 127.0.0.1:8080; --store
// postgresql://... shares one PostgreSQL database between several server processes (artifacts
// then belong on a shared folder, --data). At the first start of a store it prints the
// server-wide admin token once; it is stored hashed and never printed or logged again.
// SIGINT/SIGTERM stop it. Exit status: 0 after a stop, 1 when it cannot start, 2 bad flags.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <string>

#include "server/api/control_plane.h"
#include "server/api/http_server.h"
#include "server/auth/operator_token.h"
#include "server/store/store.h"

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tinymlops;
  using namespace tinymlops::server;
  CLI::App app{"tinymlops-server: the tinymlops control plane (registry, fleet, API)",
               "tinymlops-server"};
  app.set_version_flag("--version", "tinymlops-server 0.1.0");
  std::string data = "tinymlops-data";
  std::string listen = "127.0.0.1:8080";
  std::string store_location;
  int threads = 0;
  uint64_t max_body_mb = 256;
  app.add_option("--data", data, "folder of the SQLite store and the artifacts")
      ->capture_default_str();
  app.add_option("--listen", listen, "address:port to serve HTTP on (port 0: any free port)")
      ->capture_default_str();
  app.add_option("--store", store_location,
                 "postgresql://user@host:port/db to use PostgreSQL (default: DATA/store.sqlite)");
  app.add_option("--threads", threads, "server threads, one io_context each (0: one per core)")
      ->check(CLI::Range(0, 256));
  app.add_option("--max-body-mb", max_body_mb, "largest request body (package upload), MiB")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  app.footer("Exit status: 0 stopped by a signal, 1 could not start, 2 wrong command line.");
  CLI11_PARSE(app, argc, argv);

  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "error: --listen must be address:port, e.g. 127.0.0.1:8080\n");
    return 2;
  }
  HttpServerOptions options;
  options.address = listen.substr(0, colon);
  try {
    const int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    options.port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    std::fprintf(stderr, "error: --listen has no valid port: %s\n", listen.c_str());
    return 2;
  }
  options.threads = threads;
  options.max_body_bytes = max_body_mb << 20;

  std::error_code ec;
  // A new data folder is the server's alone (0700): it holds the store and the artifacts.
  if (std::filesystem::create_directories(data, ec)) {
    std::filesystem::permissions(data, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  if (ec) return Fail("cannot create the data folder " + data + ": " + ec.message());
  if (store_location.empty()) store_location = (std::filesystem::path(data) / "store.sqlite").string();
  auto store = OpenStore(store_location);
  if (!store.ok()) return Fail(store.status().message());

  {
    auto tx = (*store)->Begin();
    if (!tx.ok()) return Fail(tx.status().message());
    auto token = BootstrapAdminToken(**tx);
    if (!token.ok()) return Fail(token.status().message());
    if (!token->empty()) {
      const Status committed = (*tx)->Commit();
      if (!committed.ok()) return Fail(committed.message());
      std::printf("tinymlops-server: first start of this store. The server-wide admin token, "
                  "shown only this once:\n  %s\n", token->c_str());
    }
  }

  // Signals are taken by sigwait below, not by the server threads.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ControlPlane plane(**store, (std::filesystem::path(data) / "artifacts").string());
  auto server = HttpServer::Start(options, [&plane](HttpRequest& r) { return plane.Handle(r); });
  if (!server.ok()) return Fail(server.status().message());
  std::printf("tinymlops-server: %s store, listening on http://%s:%u\n", (*store)->backend(),
              options.address.c_str(), (*server)->port());
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  (*server)->Stop();
  std::printf("tinymlops-server: stopped\n");
  return 0;
}
