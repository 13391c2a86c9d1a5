// Package benchmarks (issue 3), a small timed program (not a test):
//
//  load   For models of 50 KB to 50 MB (one dense MatMul layer: the weights are the model): a
//         signed package encrypted to a device, written to a file, then opened by the device's
//         PackageLoader (verify signature, unseal, read + hash + decrypt + decompress into
//         locked memory, guard reference hashes, Interpreter::Create), against each primitive
//         alone on the same bytes in the same run: plain read of the file, BLAKE2b-256 of the
//         payload, secretstream pull of the payload, zstd decompression, BLAKE2b of the weights
//         Interpreter::Create (reference kernels), and the fixed Ed25519 verify + sealed-box
//         open. Rounds interleave all of them; reports MB/s of model bytes and the median ratio
//         sum(primitives) / full open (1.0 = no overhead beyond the primitives).
//  peak   A child process opens the 5 MB or the 50 MB package (first open in the process, or
//         after opening a small one) and reports its peak RSS growth (VmHWM after the open
//         minus VmRSS before), next to the model and chunk sizes.
//  guard  Inference throughput (optimized kernels) with the background integrity guard at its
//         default budget (1% of a core) against no guard, alternating rounds; and the detection
//         latency of a bit flipped at a random time and place, with the verification period.
//
// Usage: package_bench [--quick]   (prints markdown tables)
//        package_bench --peak PACKAGE WARM_PACKAGE|- DEVICE_DIR VENDOR.pub   (child of `peak`)
#include <sodium.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "crypto/box_key.h"
#include "crypto/key_file.h"
#include "crypto/sealed_box.h"
#include "device/file_key_store.h"
#include "device/guard/weight_regions.h"
#include "device/package_loader.h"
#include "format/package_reader.h"
#include "format/package_writer.h"
#include "support/package_fixtures.h"
#include "toolchain/graph/tmm_writer.h"

namespace tinymlops::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double CpuSeconds(clockid_t clock) {
  timespec now;
  clock_gettime(clock, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

void Check(const Status& status, const char* what) {
  if (!status.ok()) {
    std::fprintf(stderr, "package_bench: %s: %s\n", what, status.message());
    std::exit(1);
  }
}

// y = x * W, x [1, k], W [k, m] float32 pseudo-random: the weights are nearly all the model.
std::vector<uint8_t> DenseModel(int k, int m) {
  toolchain::Graph graph;
  graph.name = "dense";
  graph.version = "1.0.0";
  toolchain::TensorDef x, w, y;
  x.name = "x";
  x.shape = {1, k};
  w.name = "w";
  w.shape = {k, m};
  std::vector<float> values(static_cast<size_t>(k) * m);
  std::mt19937 random(7);
  std::uniform_real_distribution<float> uniform(-0.1f, 0.1f);
  for (float& v : values) v = uniform(random);
  w.SetValues(values);
  y.name = "y";
  y.shape = {1, m};
  const int xi = graph.AddTensor(x), wi = graph.AddTensor(w), yi = graph.AddTensor(y);
  toolchain::OpDef op;
  op.type = tmm::OpType::MatMul;
  op.name = "matmul";
  op.inputs = {xi, wi};
  op.outputs = {yi};
  graph.ops = {op};
  graph.inputs = {xi};
  graph.outputs = {yi};
  auto bytes = toolchain::WriteTmm(graph);
  Check(bytes.status(), "write the model");
  return *bytes;
}

struct Keys {
  std::string folder;
  crypto::SigningKeyPair vendor, device;
};

Keys MakeKeys() {
  Keys keys;
  char pattern[] = "/tmp/package_bench_XXXXXX";
  keys.folder = ::mkdtemp(pattern);
  keys.vendor = std::move(*crypto::SigningKeyPair::Generate());
  keys.device = std::move(*crypto::SigningKeyPair::Generate());
  Check(crypto::WriteSecretKeyFile(keys.folder + "/device.key", keys.device), "device key");
  Check(crypto::WritePublicKeyFile(keys.folder + "/vendor.pub", keys.vendor.public_key()),
        "vendor key");
  return keys;
}

std::string WritePackage(const Keys& keys, const std::vector<uint8_t>& model,
                         const std::string& name) {
  test_support::PackageSpec spec;
  spec.model = model;
  spec.manifest = test_support::Identity("dense", 1);
  spec.signer = &keys.vendor;
  spec.devices = {keys.device.public_key()};
  spec.chunk_bytes = format::kDefaultChunkBytes;
  spec.self_test = false;
  const std::vector<uint8_t> bytes = test_support::MakePackage(std::move(spec));
  const std::string path = keys.folder + "/" + name;
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  return path;
}

struct Device {
  std::unique_ptr<device::FileKeyStore> key_store;
  runtime::OpResolver resolver;
  device::LoaderOptions options;
};

std::unique_ptr<Device> MakeDevice(const std::string& key_folder,
                                   const crypto::SigningPublicKey& vendor, bool optimized) {
  auto device = std::make_unique<Device>();
  auto store = device::FileKeyStore::Open(key_folder);
  Check(store.status(), "open the device keys");
  device->key_store = std::move(*store);
  runtime::AddReferenceKernels(device->resolver);
  if (optimized) runtime::AddOptimizedKernels(device->resolver);
  device->options.trusted_vendors = {vendor};
  device->options.key_store = device->key_store.get();
  device->options.resolver = &device->resolver;
  device->options.start_guard = false;
  return device;
}

std::vector<uint8_t> ReadWhole(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(file), {});
}

void LoadTable(const Keys& keys, bool quick) {
  std::printf("\n### Load speed (MB/s of model bytes; median of %s interleaved rounds)\n\n",
              quick ? "3" : "15 (7 for 50 MB)");
  std::printf(
      "| model | package | full open | plain read | BLAKE2b payload | secretstream pull "
      "| zstd decompress | BLAKE2b weights | Interpreter::Create | Ed25519 verify + sealed-box "
      "open "
      "(ms) | primitives together | primitives / full |\n"
      "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
  const std::vector<std::pair<const char*, int>> sizes = {
      {"50 KB", 112}, {"500 KB", 354}, {"5 MB", 1118}, {"50 MB", 3536}};
  auto device = MakeDevice(keys.folder, keys.vendor.public_key(), false);
  for (const auto& [label, side] : sizes) {
    const std::vector<uint8_t> model = DenseModel(side, side);
    const std::string path = WritePackage(keys, model, std::string("dense-") + label[0] + ".tpkg");
    const std::vector<uint8_t> file = ReadWhole(path);
    const double mb = static_cast<double>(model.size()) / 1e6;
    const int repeats = quick ? 3 : (model.size() > (10u << 20) ? 7 : 15);
    // Warm the page cache.
    (void)ReadWhole(path);

    const auto full_run = [&] {
      device::PackageLoader loader(device->options);
      Check(loader.Load(path), "open the package");
    };
    std::vector<uint8_t> buffer(format::kDefaultChunkBytes + format::kChunkOverheadBytes);
    const auto read_run = [&] {
      auto source = format::FileByteSource::Open(path);
      while (*(*source)->Read(buffer.data(), buffer.size()) > 0) {
      }
    };
    // The payload: everything after the header and manifest.
    auto parts = format::ParsePackageUnverified(file.data(), file.size());
    Check(parts.status(), "parse the package");
    const std::vector<uint8_t>& payload = parts->payload;
    const auto hash_run = [&] {
      uint8_t digest[32];
      crypto_generichash(digest, sizeof(digest), payload.data(), payload.size(), nullptr, 0);
    };
    // secretstream pull over the same byte count, chunked as packages are.
    uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    crypto_secretstream_xchacha20poly1305_keygen(key);
    uint8_t header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    crypto_secretstream_xchacha20poly1305_state push;
    crypto_secretstream_xchacha20poly1305_init_push(&push, header, key);
    const size_t chunk = format::kDefaultChunkBytes, clear_size = payload.size();
    std::vector<uint8_t> sealed(clear_size + (clear_size / chunk + 1) * 17);
    std::vector<size_t> sealed_sizes;
    size_t sealed_total = 0;
    for (size_t offset = 0; offset < clear_size; offset += chunk) {
      const size_t size = std::min(chunk, clear_size - offset);
      unsigned long long written;
      crypto_secretstream_xchacha20poly1305_push(&push, sealed.data() + sealed_total, &written,
                                                 payload.data() + offset, size, nullptr, 0, 0);
      sealed_sizes.push_back(written);
      sealed_total += written;
    }
    std::vector<uint8_t> clear(chunk);
    const auto pull_run = [&] {
      crypto_secretstream_xchacha20poly1305_state state;
      crypto_secretstream_xchacha20poly1305_init_pull(&state, header, key);
      size_t offset = 0;
      for (size_t size : sealed_sizes) {
        unsigned long long out;
        unsigned char tag;
        crypto_secretstream_xchacha20poly1305_pull(&state, clear.data(), &out, &tag,
                                                   sealed.data() + offset, size, nullptr, 0);
        offset += size;
      }
    };
    // zstd: the clear compressed payload of the same model.
    auto clear_package =
        format::BuildPackage(model.data(), model.size(), test_support::Identity("dense", 1));
    Check(clear_package.status(), "build");
    auto decompressed = crypto::SecureBuffer::Allocate(model.size());
    const auto zstd_run = [&] {
      ZSTD_decompress(decompressed->data(), decompressed->size(), clear_package->payload.data(),
                      clear_package->payload.size());
    };
    zstd_run();  // the clear model, for the steps below
    auto interpreter =
        runtime::Interpreter::Create(decompressed->data(), decompressed->size(), device->resolver);
    Check(interpreter.status(), "load");
    const std::vector<device::ByteRegion> regions = device::WeightRegions((*interpreter)->model());
    const auto weights_hash_run = [&] {
      auto guard = device::IntegrityGuard::Create(regions);
      Check(guard.status(), "guard");
    };
    const auto create_run = [&] {
      auto again = runtime::Interpreter::Create(decompressed->data(), decompressed->size(),
                                                device->resolver);
      Check(again.status(), "load");
    };
    // The fixed cost of every package: its signature and its sealed content key.
    const auto box = crypto::BoxKeyPair::FromSigningKeyPair(keys.device);
    const std::vector<uint8_t> manifest_bytes = format::SerializeManifest(parts->manifest);
    const crypto::Signature signature =
        keys.vendor.Sign(manifest_bytes.data(), manifest_bytes.size());
    const auto& sealed_key = parts->manifest.encryption->recipients[0]->sealed_content_key;
    const auto fixed_run = [&] {
      if (!keys.vendor.public_key().Verifies(manifest_bytes.data(), manifest_bytes.size(),
                                             signature) ||
          !crypto::OpenSealedBox(sealed_key.data(), sealed_key.size(), *box).ok())
        std::exit(1);
    };
    // Interleaved rounds (the machine is shared): each round times the full open and every
    // primitive once; each figure is the median over rounds, and so is the ratio.
    const std::vector<std::function<void()>> runs = {
        full_run, read_run, hash_run, pull_run, zstd_run, weights_hash_run, create_run, fixed_run};
    std::vector<std::vector<double>> times(runs.size());
    std::vector<double> ratios;
    for (const auto& run : runs) run();  // warm-up
    for (int round = 0; round < repeats; ++round) {
      double primitives = 0;
      for (size_t i = 0; i < runs.size(); ++i) {
        const auto start = Clock::now();
        runs[i]();
        times[i].push_back(Seconds(Clock::now() - start));
        if (i > 0) primitives += times[i].back();
      }
      ratios.push_back(primitives / times[0].back());
    }
    auto median = [](std::vector<double> values) {
      std::sort(values.begin(), values.end());
      return values[values.size() / 2];
    };
    const double full = median(times[0]), read = median(times[1]), hash = median(times[2]),
                 pull = median(times[3]), zstd = median(times[4]), weights_hash = median(times[5]),
                 create = median(times[6]), fixed = median(times[7]);
    const double together = read + hash + pull + zstd + weights_hash + create + fixed;
    std::printf(
        "| %s | %.2f MB | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.3f | %.0f | "
        "%.2f |\n",
        label, static_cast<double>(file.size()) / 1e6, mb / full, mb / read, mb / hash, mb / pull,
        mb / zstd, mb / weights_hash, mb / create, fixed * 1e3, mb / together, median(ratios));
    std::fflush(stdout);
  }
}

long StatusKb(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const size_t length = std::strlen(field);
  while (std::getline(status, line))
    if (line.compare(0, length, field) == 0) return std::atol(line.c_str() + length + 1);
  return -1;
}

// Opens `package` and prints the peak RSS growth; `warm_package` ("-" for none) is opened and
// closed first, as on a device that has run before (code pages in, allocator warm).
int PeakChild(const std::string& package, const std::string& warm_package,
              const std::string& key_folder, const std::string& vendor_path) {
  auto vendor = crypto::ReadPublicKeyFile(vendor_path);
  Check(vendor.status(), "vendor key");
  auto device = MakeDevice(key_folder, *vendor, false);
  if (warm_package != "-") {
    device::PackageLoader warm(device->options);
    Check(warm.Load(warm_package), "open the warm-up package");
  }
  device::PackageLoader loader(device->options);
  { std::ofstream("/proc/self/clear_refs") << "5"; }  // reset VmHWM to the current RSS
  const long before = StatusKb("VmRSS:");
  Check(loader.Load(package), "open the package");
  const long peak = StatusKb("VmHWM:");
  auto interpreter = loader.interpreter();
  std::printf("%ld %zu %llu %u\n", peak - before, (*interpreter)->arena_bytes(),
              static_cast<unsigned long long>(loader.manifest()->model_bytes),
              loader.manifest()->chunk_bytes);
  return 0;
}

void PeakTable(const Keys& keys, const char* self) {
  std::printf(
      "\n### Peak memory while opening a package (a child process per row: VmHWM after the "
      "open - VmRSS before)\n\n| model | chunk | process | activation arena | peak RSS growth | "
      "growth - model |\n|--:|--:|---|--:|--:|--:|\n");
  const std::string warm = WritePackage(keys, DenseModel(112, 112), "warm.tpkg");
  for (int side : {1118, 3536}) {
    const std::string path = WritePackage(keys, DenseModel(side, side), "peak.tpkg");
    for (const bool warmed : {false, true}) {
      const std::string command = std::string(self) + " --peak " + path + " " +
                                  (warmed ? warm : "-") + " " + keys.folder + " " + keys.folder +
                                  "/vendor.pub";
      FILE* child = ::popen(command.c_str(), "r");
      long growth_kb = 0;
      size_t arena = 0;
      unsigned long long model_bytes = 0;
      unsigned chunk = 0;
      if (!child ||
          std::fscanf(child, "%ld %zu %llu %u", &growth_kb, &arena, &model_bytes, &chunk) != 4) {
        std::fprintf(stderr, "package_bench: the peak-memory child failed\n");
        std::exit(1);
      }
      ::pclose(child);
      const double model_mib = static_cast<double>(model_bytes) / (1 << 20);
      const double growth_mib = static_cast<double>(growth_kb) / 1024;
      std::printf("| %.2f MiB | %u KiB | %s | %zu B | %.2f MiB | %.2f MiB |\n", model_mib,
                  chunk / 1024, warmed ? "after one earlier open" : "first open", arena, growth_mib,
                  growth_mib - model_mib);
    }
  }
}

void GuardTable(const Keys& keys, bool quick) {
  std::printf(
      "\n### Integrity guard at its default budget (1%% of a core, 64 KiB slices)\n\n"
      "| model | weights | inferences/s without guard | with guard | with / without "
      "(median of rounds) | control: without / without | by thread CPU time: with / without | "
      "control | guard CPU (of one core) | verification period | detection latency of a bit "
      "flip (median / max of %d) |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n",
      quick ? 3 : 10);
  const std::vector<std::pair<const char*, int>> sizes = {{"dense 256x256", 256},
                                                          {"dense 1024x1024", 1024}};
  auto device = MakeDevice(keys.folder, keys.vendor.public_key(), true);
  for (const auto& [label, side] : sizes) {
    const std::string path = WritePackage(keys, DenseModel(side, side), "guard.tpkg");
    // Throughput: one loaded model; each round runs without, with, and again without the guard
    // thread; the ratio is with / mean(withouts), its median over rounds, beside the median of
    // without-again / without (the noise floor of the machine: 1.0 on a quiet one). The guard's CPU
    // share is the process CPU time beyond this thread's during the guarded rounds.
    const int rounds = quick ? 4 : 20;
    const auto round_time = std::chrono::milliseconds(quick ? 250 : 500);
    std::vector<double> without, with, ratios;
    double guard_cpu = 0, guarded_wall = 0;
    device::PackageLoader served(device->options);
    Check(served.Load(path), "open");
    std::vector<double> controls;  // without / without: the noise floor of this machine
    // The same by the inference thread's own CPU time, which time spent preempted by other
    // processes does not inflate: inferences per CPU-second.
    std::vector<double> cpu_ratios, cpu_controls;
    for (int round = 0; round < rounds; ++round) {
      double rate[3], cpu_rate[3];
      for (int step = 0; step < 3; ++step) {  // without, with, without again
        const int guarded = step == 1;
        if (guarded) served.guard()->Start();
        const double process_start = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
        const double thread_start = CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
        long count = 0;
        const auto start = Clock::now();
        while (Clock::now() - start < round_time) {
          for (int i = 0; i < 16; ++i) Check(served.Invoke(), "invoke");
          count += 16;
        }
        const double wall = Seconds(Clock::now() - start);
        rate[step] = static_cast<double>(count) / wall;
        cpu_rate[step] =
            static_cast<double>(count) / (CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - thread_start);
        if (guarded) {
          guard_cpu += (CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - process_start) -
                       (CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - thread_start);
          guarded_wall += wall;
          served.guard()->Stop();
        }
      }
      without.push_back(rate[0]);
      with.push_back(rate[1]);
      ratios.push_back(2 * rate[1] / (rate[0] + rate[2]));
      controls.push_back(rate[2] / rate[0]);
      cpu_ratios.push_back(2 * cpu_rate[1] / (cpu_rate[0] + cpu_rate[2]));
      cpu_controls.push_back(cpu_rate[2] / cpu_rate[0]);
    }
    std::sort(without.begin(), without.end());
    std::sort(with.begin(), with.end());
    std::sort(ratios.begin(), ratios.end());
    std::sort(controls.begin(), controls.end());
    std::sort(cpu_ratios.begin(), cpu_ratios.end());
    std::sort(cpu_controls.begin(), cpu_controls.end());
    // Detection: flip one bit at a random place after a random delay; time to quarantine.
    std::mt19937 random(11);
    std::vector<double> latencies;
    double period = 0;
    for (int trial = 0; trial < (quick ? 3 : 10); ++trial) {
      device::LoaderOptions options = device->options;
      options.start_guard = true;
      device::PackageLoader loader(options);
      Check(loader.Load(path), "open");
      while (loader.guard()->passes_completed() < 1)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      period = std::max(period, Seconds(loader.guard()->last_period()));
      std::this_thread::sleep_for(std::chrono::milliseconds(random() % 200));
      auto interpreter = loader.interpreter();
      runtime::Tensor* weights = (*interpreter)->tensor(1);
      for (int i = 0; i < (*interpreter)->tensor_count(); ++i)
        if ((*interpreter)->tensor(i)->is_constant) weights = (*interpreter)->tensor(i);
      const size_t offset = random() % weights->bytes;
      const auto flipped = Clock::now();
      static_cast<uint8_t*>(weights->data)[offset] ^= static_cast<uint8_t>(1u << (random() % 8));
      while (!loader.guard()->quarantined())
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      latencies.push_back(Seconds(loader.guard()->events()[0].detected_steady - flipped));
    }
    std::sort(latencies.begin(), latencies.end());
    std::printf(
        "| %s | %.2f MB | %.0f | %.0f | %.4f | %.4f | %.4f | %.4f | %.2f%% | %.3f s | %.3f s / "
        "%.3f s |\n",
        label, static_cast<double>(side) * side * 4 / 1e6, without[without.size() / 2],
        with[with.size() / 2], ratios[ratios.size() / 2], controls[controls.size() / 2],
        cpu_ratios[cpu_ratios.size() / 2], cpu_controls[cpu_controls.size() / 2],
        100 * guard_cpu / guarded_wall, period, latencies[latencies.size() / 2], latencies.back());
    std::fflush(stdout);
  }
}

}  // namespace
}  // namespace tinymlops::bench

int main(int argc, char** argv) {
  using namespace tinymlops::bench;
  if (argc == 6 && std::string(argv[1]) == "--peak")
    return PeakChild(argv[2], argv[3], argv[4], argv[5]);
  const bool quick = argc == 2 && std::string(argv[1]) == "--quick";
  if (sodium_init() < 0) return 1;
  Keys keys = MakeKeys();
  std::printf("package_bench: %s\n", quick ? "quick run" : "full run");
  std::fflush(stdout);
  std::system("uptime");
  LoadTable(keys, quick);
  PeakTable(keys, argv[0]);
  GuardTable(keys, quick);
  std::system(("rm -rf " + keys.folder).c_str());
  return 0;
}
