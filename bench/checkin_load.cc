// checkin_load: device check-ins per second of a real tinymlops-server process, from at least
// 10,000 distinct enrolled device identities, beside the requests per second nginx serves for a
// static ~200-byte response to the same client, with the same connection count, in the same
// run (issue 4, "Load"; docs/benchmarks.md).
//
// For each backend (SQLite in a temporary folder; PostgreSQL when --store names a cluster) it
// starts `tinymlops-server` (--server), creates a project and --devices Ed25519 identities,
// enrolls each through the API with its own enrollment token (reading the server's RSS before
// and after), publishes a model with two signed variants and deploys it to all devices at once
// (so that every check-in answers a desired state; with --route /v1/device/report: no
// deployment, a report instead), and opens a session for each (POST /v1/device/session). It
// also starts nginx
// (--nginx) with a generated configuration in a temporary folder on a free loopback port.
// Then, --rounds times, it measures for --seconds each: nginx; session-MACed check-ins; and
// check-ins signed per request (Ed25519), each backend in turn. The client is asynchronous
// (Boost.Beast, --threads io_contexts, --connections keep-alive connections, one request in
// flight per connection). Every check-in request is signed or MACed before its timed window
// (this measures the server, not the client's crypto); each connection cycles through its
// share of the devices, so every identity checks in during every round, with a counter that
// increases per device. A response other than 200 counts as an error and is reported.
// Flags: `checkin_load --help` (kUsage below).
// Exit status: 0, or 1 with a one-line reason (a process that cannot start, an enrollment
// that fails, answers other than 200).
#include <libpq-fe.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crypto/signing_key.h"
#include "server/auth/device_request_signature.h"
#include "server/auth/device_session.h"
#include "server/auth/opaque_token.h"
#include "server/client/api_client.h"
#include "support/package_fixtures.h"

using namespace tinymlops;
using namespace tinymlops::server;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

extern char** environ;

namespace {

// The servers and nginx this process started, stopped by Die too.
std::mutex children_mutex;
std::vector<pid_t> children;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "checkin_load: error: %s\n", message.c_str());
  std::lock_guard<std::mutex> lock(children_mutex);
  for (pid_t child : children) kill(child, SIGTERM);
  std::exit(1);
}

struct Options {
  std::string server, store, nginx = "/usr/sbin/nginx", route = "/v1/device/checkin";
  int devices = 10000, connections = 64, threads = 2, server_threads = 0, seconds = 5,
      rounds = 3;
};

uint16_t FreePort() {
  asio::io_context context;
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// A child process, stopped with SIGTERM (then waited for) when this goes away.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& stdout_path) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) {
      Die("cannot start " + argv[0]);
    }
    posix_spawn_file_actions_destroy(&actions);
    std::lock_guard<std::mutex> lock(children_mutex);
    children.push_back(pid_);
  }
  ~ChildProcess() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    std::lock_guard<std::mutex> lock(children_mutex);
    children.erase(std::remove(children.begin(), children.end(), pid_), children.end());
  }
  pid_t pid() const { return pid_; }
  bool Running() const {
    int status = 0;
    return waitpid(pid_, &status, WNOHANG) == 0;
  }

 private:
  pid_t pid_ = -1;
};

// VmRSS and VmHWM of a process, KiB.
std::pair<long, long> MemoryKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  long rss = 0, hwm = 0;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::atol(line.c_str() + 6);
    if (line.rfind("VmHWM:", 0) == 0) hwm = std::atol(line.c_str() + 6);
  }
  return {rss, hwm};
}

// CPU seconds (user + system) a process and its child processes (nginx's workers) have used.
double CpuSeconds(pid_t pid) {
  double total = 0;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t end = text.rfind(')');  // the command name may hold spaces
  if (end != std::string::npos) {
    std::istringstream fields(text.substr(end + 2));
    std::string field;
    long ticks = 0;
    for (int i = 3; fields >> field && i <= 15; ++i) {
      if (i == 14 || i == 15) ticks += std::atol(field.c_str());  // utime, stime
    }
    total = static_cast<double>(ticks) / sysconf(_SC_CLK_TCK);
  }
  std::ifstream children("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) +
                         "/children");
  for (pid_t child; children >> child;) total += CpuSeconds(child);
  return total;
}

// Waits for `path` to hold a line containing `marker`; returns the file's text.
std::string WaitForOutput(const std::string& path, const std::string& marker,
                          const ChildProcess& child) {
  for (int i = 0; i < 600; ++i) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find(marker) != std::string::npos) return text.str();
    if (!child.Running()) Die("the process writing " + path + " ended: " + text.str());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Die("no '" + marker + "' in " + path + " after 30 s");
}

// The serialized bytes of one HTTP/1.1 keep-alive request.
std::string Serialize(const std::string& method, const std::string& target,
                      const std::string& body, const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> request(http::string_to_verb(method), target, 11);
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  std::ostringstream out;
  out << request;
  return out.str();
}

// One keep-alive connection sending its requests in turn, one in flight, until the deadline.
class LoadConnection : public std::enable_shared_from_this<LoadConnection> {
 public:
  LoadConnection(asio::io_context& context, const std::vector<std::string>& requests,
                 std::chrono::steady_clock::time_point deadline)
      : socket_(context), requests_(requests), deadline_(deadline) {}

  void Start(const tcp::endpoint& endpoint) {
    socket_.async_connect(endpoint, [self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        ++self->errors;
        return;
      }
      self->socket_.set_option(tcp::no_delay(true));
      self->Send();
    });
  }

  int64_t completed = 0, errors = 0;
  bool exhausted = false;

 private:
  void Send() {
    if (std::chrono::steady_clock::now() >= deadline_) return;
    if (next_ == requests_.size()) {
      exhausted = true;
      return;
    }
    const std::string& request = requests_[next_++];
    asio::async_write(socket_, asio::buffer(request),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) {
                          ++self->errors;
                          return;
                        }
                        self->Receive();
                      });
  }

  void Receive() {
    response_ = {};
    http::async_read(socket_, buffer_, response_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) {
                         ++self->errors;
                         return;
                       }
                       if (std::chrono::steady_clock::now() <= self->deadline_) {
                         if (self->response_.result_int() == 200) {
                           ++self->completed;
                         } else {
                           ++self->errors;
                           if (self->errors == 1) {
                             std::fprintf(stderr, "checkin_load: answer %u: %.200s\n",
                                          self->response_.result_int(),
                                          self->response_.body().c_str());
                           }
                         }
                       }
                       self->Send();
                     });
  }

  tcp::socket socket_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> response_;
  const std::vector<std::string>& requests_;
  size_t next_ = 0;
  std::chrono::steady_clock::time_point deadline_;
};

struct RoundResult {
  double per_second = 0;
  double cpu_us = 0;  // CPU of the serving process(es) per answered request
  int64_t errors = 0;
  bool exhausted = false;
};

// Drives `requests[c]` over connection c for `seconds`, from `threads` io_contexts.
RoundResult Drive(uint16_t port, pid_t serving, const std::vector<std::vector<std::string>>& requests,
                  int threads, int seconds) {
  const double cpu_before = CpuSeconds(serving);
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (int t = 0; t < threads; ++t) contexts.push_back(std::make_unique<asio::io_context>(1));
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::seconds(seconds);
  std::vector<std::shared_ptr<LoadConnection>> connections;
  for (size_t c = 0; c < requests.size(); ++c) {
    auto connection =
        std::make_shared<LoadConnection>(*contexts[c % contexts.size()], requests[c], deadline);
    connection->Start(endpoint);
    connections.push_back(connection);
  }
  std::vector<std::thread> running;
  for (auto& context : contexts) running.emplace_back([&context] { context->run(); });
  for (auto& thread : running) thread.join();
  RoundResult result;
  int64_t completed = 0;
  for (const auto& connection : connections) {
    completed += connection->completed;
    result.errors += connection->errors;
    result.exhausted = result.exhausted || connection->exhausted;
  }
  result.per_second = static_cast<double>(completed) / seconds;
  result.cpu_us = completed ? (CpuSeconds(serving) - cpu_before) * 1e6 / completed : 0;
  return result;
}

// Runs `work(i)` for i in [0, count) on `threads` threads.
void ParallelFor(int count, int threads, const std::function<void(int)>& work) {
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < count; i = next++) work(i);
    });
  }
  for (auto& thread : pool) thread.join();
}

// A device identity of the benchmark. Its keys are kept as plain bytes and turned into
// SecureBuffers (sodium_malloc: guard pages, one memory mapping each) only while in use: 10,000
// identities with two live SecureBuffers each would pass the kernel's limit of 65,530 mappings.
struct SimulatedDevice {
  std::array<uint8_t, 32> seed{};
  std::string id, session, session_key_hex;
  int64_t counter = 0;

  crypto::SigningKeyPair Key() const {
    auto key = crypto::SigningKeyPair::FromSeed(seed.data(), seed.size());
    if (!key.ok()) Die(key.status().message());
    return std::move(*key);
  }
  DeviceSessionKey SessionKey() const {
    auto key = DeviceSessionKeyFromHex(session_key_hex);
    if (!key.ok()) Die(key.status().message());
    return std::move(*key);
  }
};

// One tinymlops-server process over a fresh store, with its enrolled devices.
class ServerUnderLoad {
 public:
  ServerUnderLoad(const Options& options, const std::string& name,
                  const std::string& postgres_cluster)
      : name_(name) {
    folder_ = std::filesystem::temp_directory_path() / ("tinymlops_checkin_load_" + NewRecordId(""));
    std::filesystem::create_directories(folder_);
    std::vector<std::string> argv = {options.server, "--data", (folder_ / "data").string(),
                                     "--listen", "127.0.0.1:0", "--threads",
                                     std::to_string(options.server_threads)};
    if (!postgres_cluster.empty()) {
      admin_url_ = postgres_cluster;
      database_ = "tinymlops_load_" + std::to_string(getpid());
      AdminCommand("DROP DATABASE IF EXISTS " + database_);
      AdminCommand("CREATE DATABASE " + database_);
      const size_t slash = admin_url_.rfind('/');
      argv.push_back("--store");
      argv.push_back(admin_url_.substr(0, slash + 1) + database_);
    }
    const std::string out = (folder_ / "server.out").string();
    process_ = std::make_unique<ChildProcess>(argv, out);
    const std::string text = WaitForOutput(out, "listening on http://", *process_);
    const size_t token = text.find("tmo_");
    if (token == std::string::npos) Die(name + ": the server printed no admin token");
    admin_ = text.substr(token, text.find('\n', token) - token);
    const size_t at = text.find("listening on http://");
    url_ = text.substr(at + 13, text.find('\n', at) - at - 13);
    port_ = static_cast<uint16_t>(std::atoi(url_.substr(url_.rfind(':') + 1).c_str()));
  }

  ~ServerUnderLoad() {
    process_.reset();
    if (!database_.empty()) AdminCommand("DROP DATABASE IF EXISTS " + database_);
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }

  // Creates a project and enrolls `devices` identities, each with its own enrollment token,
  // then opens a session for each.
  void Enroll(std::vector<SimulatedDevice>& devices) {
    const std::map<std::string, std::string> bearer = {{"Authorization", "Bearer " + admin_}};
    auto project = CallApi(url_, "POST", "/v1/projects", R"({"name": "load"})", bearer);
    if (!project.ok() || project->status != 201) Die(name_ + ": cannot create the project");
    std::atomic<int> failures{0};
    ParallelFor(static_cast<int>(devices.size()), 8, [&](int i) {
      SimulatedDevice& d = devices[i];
      auto token = CallApi(url_, "POST", "/v1/projects/load/enrollment-tokens", "", bearer);
      if (!token.ok() || token->status != 201) {
        ++failures;
        return;
      }
      const auto& pk = d.Key().public_key().bytes();
      auto enrolled = CallApi(
          url_, "POST", "/v1/enroll",
          nlohmann::json{{"token", nlohmann::json::parse(token->body)["token"]},
                         {"public_key", ToHex(pk.data(), pk.size())},
                         {"name", "sensor-" + std::to_string(i)},
                         {"profile", {{"architecture", "x86_64"},
                                      {"device_class", "gateway"},
                                      {"ram_bytes", 268435456},
                                      {"ops", {"Mul", "Add"}},
                                      {"runtime_version", "0.1.0"}}}}
              .dump());
      if (!enrolled.ok() || enrolled->status != 201) {
        if (failures++ == 0) {
          std::fprintf(stderr, "checkin_load: enrolling: %s\n",
                       enrolled.ok() ? enrolled->body.c_str() : enrolled.status().message());
        }
        return;
      }
      d.id = nlohmann::json::parse(enrolled->body)["id"];
    });
    if (failures) Die(name_ + ": " + std::to_string(failures.load()) + " enrollments failed");
  }

  // Publishes digits 1.0.0 (variants fp32 and int8, signed by a trusted vendor key) and
  // deploys it to every device at once, so that each check-in answers a desired state.
  void Deploy() {
    const std::map<std::string, std::string> bearer = {{"Authorization", "Bearer " + admin_}};
    auto vendor = crypto::SigningKeyPair::Generate();
    if (!vendor.ok()) Die("cannot generate the vendor key");
    const auto& pk = vendor->public_key().bytes();
    auto call = [&](const std::string& method, const std::string& target,
                    const std::string& body) {
      auto r = CallApi(url_, method, target, body, bearer);
      if (!r.ok() || r->status != 201) {
        Die(name_ + ": " + method + " " + target + ": " + (r.ok() ? r->body : r.status().message()));
      }
    };
    call("POST", "/v1/projects/load/keys",
         nlohmann::json{{"name", "vendor"}, {"public_key", ToHex(pk.data(), pk.size())}}.dump());
    call("POST", "/v1/projects/load/models", R"({"name": "digits"})");
    uint64_t release = 0;
    for (const std::string variant : {"fp32", "int8"}) {
      test_support::PackageSpec spec;
      spec.n = 64;
      spec.model = test_support::ScaleModel(spec.n);
      spec.manifest = test_support::Identity("digits", ++release);
      spec.manifest.version = "1.0.0";
      spec.manifest.variant = variant;
      spec.manifest.min_runtime_version = "0.1.0";
      spec.signer = &*vendor;
      const std::vector<uint8_t> bytes = test_support::MakePackage(std::move(spec));
      call("PUT",
           "/v1/projects/load/models/digits/versions/1.0.0/variants/" + variant + "?dtype=" +
               (variant == "int8" ? "int8" : "float32") + "&arena_bytes=4096&ops=Mul,Add",
           std::string(bytes.begin(), bytes.end()));
    }
    call("POST", "/v1/projects/load/deployments",
         R"({"model": "digits", "version": "1.0.0", "strategy": {"type": "all_at_once"}})");
  }

  void OpenSessions(std::vector<SimulatedDevice>& devices) {
    std::atomic<int> failures{0};
    ParallelFor(static_cast<int>(devices.size()), 8, [&](int i) {
      SimulatedDevice& d = devices[i];
      const auto headers = SignDeviceRequest(d.Key(), d.id, "POST", "/v1/device/session",
                                             std::time(nullptr), NewRecordId("n") + NewRecordId(""),
                                             "");
      auto opened = CallApi(url_, "POST", "/v1/device/session", "", headers);
      if (!opened.ok() || opened->status != 200) {
        if (failures++ == 0) {
          std::fprintf(stderr, "checkin_load: opening a session: %s\n",
                       opened.ok() ? opened->body.c_str() : opened.status().message());
        }
        return;
      }
      const auto json = nlohmann::json::parse(opened->body);
      d.session = json["session"];
      d.counter = json["counter"];
      d.session_key_hex = json["key"];
    });
    if (failures) Die(name_ + ": " + std::to_string(failures.load()) + " sessions failed");
  }

  uint16_t port() const { return port_; }
  pid_t pid() const { return process_->pid(); }
  const std::string& name() const { return name_; }

 private:
  void AdminCommand(const std::string& sql) {
    PGconn* c = PQconnectdb(admin_url_.c_str());
    if (PQstatus(c) != CONNECTION_OK) Die("cannot connect to PostgreSQL at --store: " + sql);
    PGresult* r = PQexec(c, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    const std::string error = PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
    if (!ok) Die("PostgreSQL: " + sql + ": " + error);
  }

  std::string name_, admin_, url_, admin_url_, database_;
  std::filesystem::path folder_;
  std::unique_ptr<ChildProcess> process_;
  uint16_t port_ = 0;
};

// nginx serving a static 200-byte JSON body, from a generated configuration.
class Nginx {
 public:
  explicit Nginx(const std::string& binary) {
    folder_ = std::filesystem::temp_directory_path() / ("tinymlops_nginx_" + NewRecordId(""));
    std::filesystem::create_directories(folder_);
    port_ = FreePort();
    std::string body = R"({"status":"ok","desired":null,"next_checkin_seconds":60,"pad":")";
    body += std::string(200 - body.size() - 2, 'x') + "\"}";
    const std::string f = folder_.string();
    std::ofstream conf(folder_ / "nginx.conf");
    conf << "daemon off;\nworker_processes auto;\npid " << f << "/nginx.pid;\nerror_log " << f
         << "/error.log;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n"
         << "  keepalive_requests 100000000;\n  keepalive_timeout 60s;\n"
         << "  client_body_temp_path " << f << "/body;\n  proxy_temp_path " << f << "/proxy;\n"
         << "  fastcgi_temp_path " << f << "/fastcgi;\n  uwsgi_temp_path " << f << "/uwsgi;\n"
         << "  scgi_temp_path " << f << "/scgi;\n  server {\n    listen 127.0.0.1:" << port_
         << ";\n    location / {\n      default_type application/json;\n      return 200 '"
         << body << "';\n    }\n  }\n}\n";
    conf.close();
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{binary, "-p", f, "-c", (folder_ / "nginx.conf").string()},
        (folder_ / "nginx.out").string());
    for (int i = 0; i < 100; ++i) {  // until it accepts
      asio::io_context context;
      tcp::socket socket(context);
      beast::error_code ec;
      socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
      if (!ec) return;
      if (!process_->Running()) Die("nginx ended at start; see its error log in " + f);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    Die("nginx does not accept connections on port " + std::to_string(port_));
  }
  ~Nginx() {
    process_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
  uint16_t port() const { return port_; }
  pid_t pid() const { return process_->pid(); }

 private:
  std::filesystem::path folder_;
  std::unique_ptr<ChildProcess> process_;
  uint16_t port_ = 0;
};

// What an agent sends at a routine check-in (docs/device-protocol.md): context and health.
const char* kCheckinBody =
    R"({"context": {"battery_percent": 71, "charging": false, "network": "wifi"},)"
    R"( "health": {"model": "digits", "version": "1.0.0", "crash_count": 0,)"
    R"( "latency_us": {"p50": 410, "p95": 520, "p99": 700}, "inferences": 1200}})";

// The requests of one round: connection c cycles through devices c, c + C, c + 2C, ...
// `per_connection` requests each, MACed (session) or signed.
std::vector<std::vector<std::string>> CheckinRequests(std::vector<SimulatedDevice>& devices,
                                                      int connections, int64_t per_connection,
                                                      bool session, const std::string& route) {
  std::vector<std::vector<std::string>> requests(connections);
  ParallelFor(connections, 2, [&](int c) {
    std::vector<SimulatedDevice*> mine;
    for (size_t d = c; d < devices.size(); d += connections) mine.push_back(&devices[d]);
    const int64_t now = std::time(nullptr);
    const int64_t n = static_cast<int64_t>(mine.size());
    requests[c].resize(per_connection);
    for (int64_t i = 0; i < n && i < per_connection; ++i) {  // request k is device k % n's
      SimulatedDevice& d = *mine[i];
      const crypto::SigningKeyPair key = session ? crypto::SigningKeyPair() : d.Key();
      const DeviceSessionKey session_key = session ? d.SessionKey() : DeviceSessionKey();
      for (int64_t k = i; k < per_connection; k += n) {
        const auto headers =
            session ? MacDeviceRequest(session_key, d.session, d.id, "POST", route, now,
                                       ++d.counter, kCheckinBody)
                    : SignDeviceRequest(key, d.id, "POST", route, now,
                                        NewRecordId("n") + NewRecordId(""), kCheckinBody);
        requests[c][k] = Serialize("POST", route, kCheckinBody, headers);
      }
    }
  });
  return requests;
}

constexpr const char kUsage[] =
    "usage: checkin_load --server build/release/tinymlops-server [--store postgresql://...]\n"
    "                    [--nginx /usr/sbin/nginx] [--devices 10000] [--connections 64]\n"
    "                    [--threads 2] [--server-threads 0] [--seconds 5] [--rounds 3]\n"
    "                    [--route /v1/device/checkin]\n"
    "Measures device check-ins per second against nginx's static rate; the top of\n"
    "bench/checkin_load.cc says what each round does.\n";

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc) Die("flag " + flag + " needs a value; see checkin_load --help");
    const std::string value = argv[++i];
    if (flag == "--server") o.server = value;
    else if (flag == "--store") o.store = value;
    else if (flag == "--nginx") o.nginx = value;
    else if (flag == "--route") o.route = value;
    else if (flag == "--devices") o.devices = std::atoi(value.c_str());
    else if (flag == "--connections") o.connections = std::atoi(value.c_str());
    else if (flag == "--threads") o.threads = std::atoi(value.c_str());
    else if (flag == "--server-threads") o.server_threads = std::atoi(value.c_str());
    else if (flag == "--seconds") o.seconds = std::atoi(value.c_str());
    else if (flag == "--rounds") o.rounds = std::atoi(value.c_str());
    else Die("unknown flag " + flag + "; see checkin_load --help");
  }
  if (o.server.empty()) Die("--server PATH of tinymlops-server is required");
  if (o.devices < 1 || o.connections < 1 || o.connections > o.devices || o.threads < 1 ||
      o.seconds < 1 || o.rounds < 1) {
    Die("--devices, --connections (at most --devices), --threads, --seconds and --rounds must "
        "be positive");
  }
  signal(SIGPIPE, SIG_IGN);

  struct Backend {
    std::unique_ptr<ServerUnderLoad> server;
    std::vector<SimulatedDevice> devices;
    std::pair<long, long> rss_started, rss_enrolled, rss_loaded;
    std::vector<double> session_rates, signed_rates, session_cpu, signed_cpu;
    double first_checkins_per_second = 0, first_checkin_cpu_us = 0;
    int64_t errors = 0;
    bool exhausted = false;
  };
  std::vector<Backend> backends(o.store.empty() ? 1 : 2);
  for (size_t b = 0; b < backends.size(); ++b) {
    Backend& backend = backends[b];
    const bool postgres = b == 1;
    backend.server = std::make_unique<ServerUnderLoad>(o, postgres ? "postgresql" : "sqlite",
                                                       postgres ? o.store : "");
    std::fprintf(stderr, "checkin_load: %s server pid %d on port %u; %d identities...\n",
                 backend.server->name().c_str(), backend.server->pid(), backend.server->port(),
                 o.devices);
    backend.devices.resize(o.devices);
    for (SimulatedDevice& device : backend.devices) {
      randombytes_buf(device.seed.data(), device.seed.size());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    backend.rss_started = MemoryKib(backend.server->pid());
    const auto start = std::chrono::steady_clock::now();
    backend.server->Enroll(backend.devices);
    const std::chrono::duration<double> enrolling = std::chrono::steady_clock::now() - start;
    backend.rss_enrolled = MemoryKib(backend.server->pid());
    if (o.route == "/v1/device/checkin") backend.server->Deploy();
    backend.server->OpenSessions(backend.devices);
    std::fprintf(stderr, "checkin_load: %s: enrolled %d devices in %.1f s, sessions open\n",
                 backend.server->name().c_str(), o.devices, enrolling.count());
    // Untimed by the rounds: each device's first check-in after the deployment (its first
    // health report for the deployment is a rollout event: the engine re-tallies the
    // deployment's devices). The rounds then measure routine check-ins.
    const auto first = CheckinRequests(backend.devices, o.connections,
                                       (o.devices + o.connections - 1) / o.connections, true,
                                       o.route);
    const auto first_start = std::chrono::steady_clock::now();
    const RoundResult warm = Drive(backend.server->port(), backend.server->pid(), first,
                                   o.threads, 3600);
    const std::chrono::duration<double> first_seconds =
        std::chrono::steady_clock::now() - first_start;
    backend.first_checkins_per_second = o.devices / first_seconds.count();
    backend.first_checkin_cpu_us = warm.cpu_us;
    backend.errors += warm.errors;
    std::fprintf(stderr, "checkin_load: %s: first check-in of every device: %.0f/s\n",
                 backend.server->name().c_str(), backend.first_checkins_per_second);
  }
  Nginx nginx(o.nginx);
  std::vector<std::vector<std::string>> nginx_requests(
      o.connections, std::vector<std::string>(2000000 / o.connections * o.seconds,
                                              Serialize("GET", "/checkin", "", {})));
  // Enough precomputed requests for 100,000 MACed and 20,000 signed check-ins per second.
  const int64_t session_per_connection = 100000LL * o.seconds / o.connections + 1;
  const int64_t signed_per_connection = 20000LL * o.seconds / o.connections + 1;
  std::vector<double> nginx_rates, nginx_cpu;
  int64_t nginx_errors = 0;
  for (int round = 0; round < o.rounds; ++round) {
    const RoundResult peer = Drive(nginx.port(), nginx.pid(), nginx_requests, o.threads, o.seconds);
    nginx_rates.push_back(peer.per_second);
    nginx_cpu.push_back(peer.cpu_us);
    nginx_errors += peer.errors;
    std::fprintf(stderr, "checkin_load: round %d: nginx %.0f/s", round + 1, peer.per_second);
    for (Backend& backend : backends) {
      for (bool session : {true, false}) {
        const auto requests =
            CheckinRequests(backend.devices, o.connections,
                            session ? session_per_connection : signed_per_connection, session,
                            o.route);
        const RoundResult r =
            Drive(backend.server->port(), backend.server->pid(), requests, o.threads, o.seconds);
        (session ? backend.session_rates : backend.signed_rates).push_back(r.per_second);
        (session ? backend.session_cpu : backend.signed_cpu).push_back(r.cpu_us);
        backend.errors += r.errors;
        backend.exhausted = backend.exhausted || r.exhausted;
        std::fprintf(stderr, ", %s %s %.0f/s", backend.server->name().c_str(),
                     session ? "session" : "signed", r.per_second);
      }
    }
    std::fprintf(stderr, "\n");
  }
  for (Backend& backend : backends) backend.rss_loaded = MemoryKib(backend.server->pid());

  const double peer = Median(nginx_rates);
  auto row = [&](const std::string& name, const std::vector<double>& rates,
                 const std::vector<double>& cpu) {
    std::string all;
    for (double r : rates) all += (all.empty() ? "" : " ") + std::to_string(std::lround(r));
    std::printf("| %-38s | %9.0f | %-26s | %5.3f | %6.1f |\n", name.c_str(), Median(rates),
                all.c_str(), Median(rates) / peer, Median(cpu));
  };
  std::printf("checkin_load: %d device identities, %d keep-alive connections, client %d "
              "threads, server --threads %d, %d rounds of %d s, route POST %s\n\n",
              o.devices, o.connections, o.threads, o.server_threads, o.rounds, o.seconds,
              o.route.c_str());
  std::printf("| %-38s | %9s | %-26s | %5s | %6s |\n| --- | ---: | --- | ---: | ---: |\n",
              "requests", "median/s", "rounds", "/nginx", "server CPU us/request");
  row("nginx, static 200-byte response", nginx_rates, nginx_cpu);
  for (const Backend& backend : backends) {
    row(backend.server->name() + ", first check-in (rollout event)",
        {backend.first_checkins_per_second}, {backend.first_checkin_cpu_us});
    row(backend.server->name() + ", check-in MACed (session)", backend.session_rates,
        backend.session_cpu);
    row(backend.server->name() + ", check-in signed (Ed25519)", backend.signed_rates,
        backend.signed_cpu);
  }
  std::printf("\n| server memory | started KiB | enrolled KiB | after load KiB (peak) | "
              "bytes per device |\n| --- | ---: | ---: | ---: | ---: |\n");
  for (const Backend& backend : backends) {
    std::printf("| %s | %ld | %ld | %ld (%ld) | %.0f |\n", backend.server->name().c_str(),
                backend.rss_started.first, backend.rss_enrolled.first, backend.rss_loaded.first,
                backend.rss_loaded.second,
                1024.0 * (backend.rss_enrolled.first - backend.rss_started.first) / o.devices);
  }
  int64_t errors = nginx_errors;
  for (const Backend& backend : backends) {
    errors += backend.errors;
    if (backend.exhausted) {
      std::printf("note: %s used up its precomputed requests before a window ended; its rate "
                  "is a lower bound\n", backend.server->name().c_str());
    }
  }
  if (errors != 0) Die(std::to_string(errors) + " requests failed or were not answered 200");
  return 0;
}
