// tinymlops-sim: a fleet of simulated devices, each running the real agent code in this
// process, against a real tinymlops-server (sim/fleet_simulator.h), with a live view of the
// fleet on stderr and a summary at the end (text, and JSON with --json FILE).
// Stops after --duration seconds, or with --until-version V once every device that serves a
// model serves V and nothing changed for --settle seconds, or on SIGINT/SIGTERM.
// Exit status: 0 done (and converged, with --until-version), 1 it could not run or did not
// converge in --duration, 2 bad flags.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/fleet_simulator.h"

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

std::string Counts(const std::map<std::string, size_t>& counts) {
  std::string out;
  for (const auto& [name, n] : counts) {
    out += (out.empty() ? "" : " ") + (name.empty() ? std::string("?") : name) + ":" +
           std::to_string(n);
  }
  return out.empty() ? "-" : out;
}

std::string ProgressLine(const tinymlops::sim::FleetSnapshot& s, double rate) {
  char line[512];
  std::snprintf(line, sizeof line,
                "[%6.1fs sim %5.1fh] serving %zu/%zu | versions %s | variants %s | %.0f "
                "check-ins/s | failing %zu | cuts %zu bricked %zu | link drops %llu",
                s.elapsed_seconds, s.simulated_hours, s.serving, s.devices,
                Counts(s.versions).c_str(), Counts(s.variants).c_str(), rate, s.failing,
                s.power_cuts, s.bricked, static_cast<unsigned long long>(s.flaky_drops));
  return line;
}

// "1.0.0: 193 full (10100 B each); 1.1.0: 193 by delta (8300 B each)": how each version was
// fetched, and the bytes per device of each group.
std::string Downloads(const std::map<std::string, tinymlops::sim::VersionDownloads>& downloads) {
  std::string out;
  auto group = [](size_t devices, uint64_t bytes, const char* how) {
    return std::to_string(devices) + " " + how + " (" +
           std::to_string(bytes / std::max<size_t>(devices, 1)) + " B each)";
  };
  for (const auto& [version, d] : downloads) {
    std::string line;
    if (d.devices_by_delta > 0) line = group(d.devices_by_delta, d.bytes_by_delta, "by delta");
    if (d.devices_full > 0)
      line += (line.empty() ? "" : ", ") + group(d.devices_full, d.bytes_full, "full");
    if (!line.empty()) out += (out.empty() ? "" : "; ") + version + ": " + line;
  }
  return out.empty() ? "-" : out;
}

nlohmann::json SummaryJson(const tinymlops::sim::FleetSnapshot& s, double converge_seconds,
                           uint64_t memory_started, uint64_t memory_end, double checkin_rate) {
  nlohmann::json downloads = nlohmann::json::object();
  for (const auto& [version, d] : s.downloads)
    downloads[version] = {{"devices_by_delta", d.devices_by_delta},
                          {"devices_full", d.devices_full},
                          {"bytes_by_delta", d.bytes_by_delta},
                          {"bytes_full", d.bytes_full}};
  return {{"devices", s.devices},
          {"serving", s.serving},
          {"versions", s.versions},
          {"variants", s.variants},
          {"classes", s.classes},
          {"failing", s.failing},
          {"checkins", s.checkins},
          {"checkin_failures", s.checkin_failures},
          {"checkins_per_second", checkin_rate},
          {"power_cuts", s.power_cuts},
          {"power_cuts_in_flight", s.power_cuts_in_flight},
          {"bricked", s.bricked},
          {"flaky_connections", s.flaky_connections},
          {"flaky_drops", s.flaky_drops},
          {"downloads", downloads},
          {"elapsed_seconds", s.elapsed_seconds},
          {"converge_seconds", converge_seconds},
          {"memory_bytes_per_device_started", memory_started},
          {"memory_bytes_per_device", memory_end}};
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tinymlops;
  CLI::App app{"tinymlops-sim: many simulated devices, each running the real agent, against a "
               "real tinymlops-server",
               "tinymlops-sim"};
  sim::FleetOptions o;
  o.data_root = "/dev/shm/tinymlops-sim";
  if (const char* token = std::getenv("TINYMLOPS_TOKEN")) o.operator_token = token;
  std::string until_version, json_path;
  double duration = 600, settle = 3;
  app.add_option("--server", o.server_url, "the server, http://HOST:PORT")->required();
  app.add_option("-p,--project", o.project, "the project the devices enroll in")->required();
  app.add_option("--token", o.operator_token,
                 "a deployer token of the project, for enrollment tokens (default "
                 "$TINYMLOPS_TOKEN)");
  app.add_option("--trust", o.trust_files, "VENDOR.pub the devices trust")->required();
  app.add_option("--data", o.data_root, "one folder per device under it (a tmpfs is best)")
      ->capture_default_str();
  app.add_option("-n,--devices", o.devices, "how many devices")->capture_default_str();
  app.add_option("--threads", o.threads, "worker threads serving the devices")
      ->capture_default_str();
  app.add_option("--interval", o.max_checkin_interval_seconds,
                 "a device checks in at least this often, in seconds")
      ->capture_default_str();
  app.add_option("--time-scale", o.time_scale,
                 "simulated seconds per real second, for batteries")
      ->capture_default_str();
  app.add_option("--flaky-fraction", o.mix.flaky_fraction,
                 "fraction of the wireless devices whose link drops connections")
      ->capture_default_str();
  app.add_option("--drop-probability", o.drop_probability,
                 "chance that a connection on a flaky link is cut mid-transfer")
      ->capture_default_str();
  app.add_option("--power-cuts", o.power_cuts,
                 "SIGKILLs of the real agent executable in devices' update paths")
      ->capture_default_str();
  app.add_option("--power-cut-window", o.power_cut_window_seconds,
                 "a cut lands uniformly within this many seconds of the agent's start")
      ->capture_default_str();
  app.add_option("--agent", o.agent_executable,
                 "the tinymlops-agent executable (default: next to tinymlops-sim)");
  app.add_option("--seed", o.mix.seed, "seed of the device mix and of the faults")
      ->capture_default_str();
  app.add_option("--until-version", until_version,
                 "stop once every serving device serves this version");
  app.add_option("--settle", settle, "seconds without change that count as converged")
      ->capture_default_str();
  app.add_option("--duration", duration, "stop after this many seconds")->capture_default_str();
  app.add_option("--json", json_path, "write the summary as JSON to this file");
  CLI11_PARSE(app, argc, argv);
  if (o.agent_executable.empty()) {
    o.agent_executable =
        (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "tinymlops-agent")
            .string();
  }
  if (!std::filesystem::exists(o.agent_executable)) {
    if (o.power_cuts > 0) {
      std::fprintf(stderr, "error: --power-cuts needs the agent executable; '%s' does not "
                   "exist (pass --agent)\n", o.agent_executable.c_str());
      return 2;
    }
    o.agent_executable.clear();
  }
  ::signal(SIGINT, OnSignal);
  ::signal(SIGTERM, OnSignal);

  const uint64_t memory_before = sim::ResidentBytes();
  auto fleet = sim::FleetSimulator::Create(o);
  if (!fleet.ok()) {
    std::fprintf(stderr, "error: %s\n", fleet.status().message());
    return 1;
  }
  const bool tty = ::isatty(2);
  std::fprintf(stderr, "tinymlops-sim: starting %zu devices (enrolling those not enrolled)\n",
               o.devices);
  const Status started = (*fleet)->Start([&](size_t done, size_t total) {
    std::fprintf(stderr, tty ? "\r  started %zu/%zu" : "  started %zu/%zu\n", done, total);
  });
  if (tty) std::fprintf(stderr, "\n");
  if (!started.ok()) {
    std::fprintf(stderr, "error: %s\n", started.message());
    return 1;
  }
  // Resident memory per device: its agent, identity, slots' manifests and served model.
  auto per_device = [&] {
    const uint64_t now = sim::ResidentBytes();
    return o.devices == 0 || now < memory_before ? 0 : (now - memory_before) / o.devices;
  };
  const uint64_t per_device_started = per_device();

  uint64_t last_checkins = 0;
  double last_elapsed = 0, rate = 0, converged_at = -1, run_started = -1;
  std::string last_view;
  double last_change = 0, last_print = -10;
  sim::FleetSnapshot last;
  (*fleet)->Run(std::chrono::milliseconds(250), [&](const sim::FleetSnapshot& s) {
    if (run_started < 0) run_started = s.elapsed_seconds;
    const double elapsed = s.elapsed_seconds - run_started;
    if (s.elapsed_seconds - last_elapsed >= 1) {
      rate = static_cast<double>(s.checkins - last_checkins) / (s.elapsed_seconds - last_elapsed);
      last_checkins = s.checkins;
      last_elapsed = s.elapsed_seconds;
    }
    const std::string view = Counts(s.versions) + Counts(s.variants) + std::to_string(s.serving);
    if (view != last_view) {
      last_view = view;
      last_change = elapsed;
    }
    if (elapsed - last_print >= (tty ? 0.5 : 2.0)) {
      std::fprintf(stderr, tty ? "\r%s\x1b[K" : "%s\n", ProgressLine(s, rate).c_str());
      last_print = elapsed;
    }
    last = s;
    if (g_stop || elapsed >= duration) return false;
    if (!until_version.empty() && s.serving > 0 && s.versions.size() == 1 &&
        s.versions.begin()->first == until_version && elapsed - last_change >= settle) {
      converged_at = last_change;
      return false;
    }
    return true;
  });
  if (tty) std::fprintf(stderr, "\n");
  const uint64_t per_device_end = per_device();
  const double total_rate =
      last.elapsed_seconds > run_started ? static_cast<double>(last.checkins) /
                                               (last.elapsed_seconds - run_started)
                                         : 0;
  std::printf("== tinymlops-sim summary\n");
  std::printf("devices          %zu (%s)\n", last.devices, Counts(last.classes).c_str());
  std::printf("serving          %zu; versions %s; variants %s\n", last.serving,
              Counts(last.versions).c_str(), Counts(last.variants).c_str());
  std::printf("check-ins        %llu (%.0f/s), %llu failed\n",
              static_cast<unsigned long long>(last.checkins), total_rate,
              static_cast<unsigned long long>(last.checkin_failures));
  std::printf("power cuts       %zu (%zu while the agent ran), bricked %zu\n", last.power_cuts,
              last.power_cuts_in_flight, last.bricked);
  std::printf("flaky links      %llu connections, %llu cut mid-transfer\n",
              static_cast<unsigned long long>(last.flaky_connections),
              static_cast<unsigned long long>(last.flaky_drops));
  std::printf("downloads        %s\n", Downloads(last.downloads).c_str());
  std::printf("memory           %.1f KiB per simulated device (%.1f KiB once started)\n",
              static_cast<double>(per_device_end) / 1024.0,
              static_cast<double>(per_device_started) / 1024.0);
  if (!until_version.empty()) {
    if (converged_at >= 0) {
      std::printf("converged        every serving device on %s after %.1f s\n",
                  until_version.c_str(), converged_at);
    } else {
      std::printf("not converged    on %s after %.0f s; for example:\n", until_version.c_str(),
                  last.elapsed_seconds - run_started);
      for (const std::string& d : (*fleet)->Stragglers(until_version, 5))
        std::printf("  %s\n", d.c_str());
    }
  }
  if (!json_path.empty()) {
    std::ofstream(json_path) << SummaryJson(last, converged_at, per_device_started, per_device_end, total_rate).dump(2)
                             << "\n";
  }
  return !until_version.empty() && converged_at < 0 ? 1 : 0;
}
