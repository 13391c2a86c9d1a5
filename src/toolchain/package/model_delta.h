// The vendor side of delta updates (issue 5): a new model shipped as a zstd "patch-from" of
// its .tmm against the installed one, inside an ordinary package (format/package_writer.h).
//
// MakeModelPatch compresses `model` with zstd using `base` as its referenced prefix
// (ZSTD_CCtx_refPrefix), under a window that holds both (format::DeltaWindowLog) so every
// byte of the base stays reachable, with long-distance matching and the given level.
// BuildDeltaPackage checks both models (format::CheckPackageableModel), makes the patch (over
// the models' bytes or their byte planes, per settings.transform) and wraps it in a package
// whose manifest carries a Delta block: the base model's BLAKE2b-256 and size, the result's
// BLAKE2b-256 (its size is the manifest's model_bytes) and the transform. Sign and encrypt it
// like any package; the device applies it with device/delta_patch.h.
//
// The defaults are the settings measured smallest on the fine-tuned and re-quantized model
// pairs of docs/benchmarks.md ("Edge agent: delta updates (issue 5)"), not zstd's defaults.
// Errors: kInvalidArgument (a model is malformed), kOutOfRange (too large), kInternal (zstd).
// Thread-safety: pure functions.
#ifndef TINYMLOPS_TOOLCHAIN_PACKAGE_MODEL_DELTA_H_
#define TINYMLOPS_TOOLCHAIN_PACKAGE_MODEL_DELTA_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "format/package_writer.h"
#include "runtime/status.h"

namespace tinymlops::toolchain {

// Which form of the models the patch is made over (manifest Delta.transform).
enum class PatchTransform {
  kSmallest,    // try both below, keep the smaller patch
  kNone,        // the .tmm bytes as they are
  kBytePlanes,  // both models split into byte planes first (format/byte_planes.h)
};

struct PatchSettings {
  int level = 19;                      // zstd level, 1..22 (20..22 are zstd's "ultra" levels)
  bool long_distance_matching = true;  // ZSTD_c_enableLongDistanceMatching
  PatchTransform transform = PatchTransform::kSmallest;  // BuildDeltaPackage only
};

Result<std::vector<uint8_t>> MakeModelPatch(const uint8_t* base, size_t base_size,
                                            const uint8_t* model, size_t model_size,
                                            const PatchSettings& settings = {});

Result<format::PackageContents> BuildDeltaPackage(const uint8_t* base, size_t base_size,
                                                  const uint8_t* model, size_t model_size,
                                                  tpkg::ManifestT manifest,
                                                  uint32_t chunk_bytes = format::kDefaultChunkBytes,
                                                  const PatchSettings& settings = {});

}  // namespace tinymlops::toolchain

#endif  // TINYMLOPS_TOOLCHAIN_PACKAGE_MODEL_DELTA_H_
