// delta_size OLD.tmm NEW.tmm: the size of the zstd patch-from of NEW against OLD
// (toolchain/package/model_delta.h) for each setting scripts/bench-delta compares, one
// "level long transform bytes" line each, and last the whole model's package payload (zstd at
// the package level, no base) as "full - - bytes". Sizes are deterministic: one run suffices.
#include <cstdio>
#include <string>
#include <vector>

#include "format/byte_planes.h"
#include "format/package_writer.h"
#include "toolchain/io/file_io.h"
#include "toolchain/package/model_delta.h"

using namespace tinymlops;

namespace {

std::vector<uint8_t> Read(const char* path) {
  auto file = toolchain::ReadFile(path);
  if (!file.ok()) {
    std::fprintf(stderr, "delta_size: %s\n", file.status().message());
    std::exit(1);
  }
  return std::vector<uint8_t>(file->begin(), file->end());
}

std::vector<uint8_t> Planes(const std::vector<uint8_t>& bytes) {
  std::vector<uint8_t> planes(bytes.size());
  format::SplitBytePlanes(bytes.data(), bytes.size(), planes.data());
  return planes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: delta_size OLD.tmm NEW.tmm\n");
    return 2;
  }
  const std::vector<uint8_t> base = Read(argv[1]), model = Read(argv[2]);
  const std::vector<uint8_t> base_planes = Planes(base), model_planes = Planes(model);
  for (const int level : {3, 19, 22})
    for (const bool long_mode : {false, true})
      for (const bool planes : {false, true}) {
        const std::vector<uint8_t>& from = planes ? base_planes : base;
        const std::vector<uint8_t>& to = planes ? model_planes : model;
        auto patch = toolchain::MakeModelPatch(from.data(), from.size(), to.data(), to.size(),
                                               {level, long_mode});
        if (!patch.ok()) {
          std::fprintf(stderr, "delta_size: %s\n", patch.status().message());
          return 1;
        }
        std::printf("%d %s %s %zu\n", level, long_mode ? "long" : "-", planes ? "planes" : "bytes",
                    patch->size());
      }
  auto full = format::BuildPackage(model.data(), model.size(), tpkg::ManifestT());
  if (!full.ok()) {
    std::fprintf(stderr, "delta_size: %s\n", full.status().message());
    return 1;
  }
  std::printf("full - - %zu\n", full->payload.size());
  return 0;
}
