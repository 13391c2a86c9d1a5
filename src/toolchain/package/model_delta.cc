#include "toolchain/package/model_delta.h"

#include <zstd.h>

#include <memory>

#include "crypto/content_hash.h"
#include "format/byte_planes.h"

namespace tinymlops::toolchain {
namespace {

struct ContextFree {
  void operator()(ZSTD_CCtx* context) const { ZSTD_freeCCtx(context); }
};

Status ZstdFailed(const char* step, size_t code) {
  return Status::Error(StatusCode::kInternal, "zstd cannot %s: %s", step, ZSTD_getErrorName(code));
}

}  // namespace

Result<std::vector<uint8_t>> MakeModelPatch(const uint8_t* base, size_t base_size,
                                            const uint8_t* model, size_t model_size,
                                            const PatchSettings& settings) {
  if (settings.level < 1 || settings.level > ZSTD_maxCLevel())
    return Status::Error(StatusCode::kInvalidArgument, "zstd level %d is out of range (1 to %d)",
                         settings.level, ZSTD_maxCLevel());
  std::unique_ptr<ZSTD_CCtx, ContextFree> context(ZSTD_createCCtx());
  if (!context)
    return Status::Error(StatusCode::kResourceExhausted, "cannot allocate a zstd context");
  const int window_log = static_cast<int>(format::DeltaWindowLog(base_size, model_size));
  const std::pair<ZSTD_cParameter, int> parameters[] = {
      {ZSTD_c_compressionLevel, settings.level},
      {ZSTD_c_windowLog, window_log},
      {ZSTD_c_enableLongDistanceMatching, settings.long_distance_matching ? 1 : 0},
      {ZSTD_c_checksumFlag, 0},  // the result's BLAKE2b-256 in the manifest checks it
  };
  for (const auto& [parameter, value] : parameters) {
    const size_t result = ZSTD_CCtx_setParameter(context.get(), parameter, value);
    if (ZSTD_isError(result)) return ZstdFailed("take a delta parameter", result);
  }
  size_t result = ZSTD_CCtx_setPledgedSrcSize(context.get(), model_size);
  if (ZSTD_isError(result)) return ZstdFailed("take the model size", result);
  result = ZSTD_CCtx_refPrefix(context.get(), base, base_size);
  if (ZSTD_isError(result)) return ZstdFailed("reference the base model", result);
  std::vector<uint8_t> patch(ZSTD_compressBound(model_size));
  result = ZSTD_compress2(context.get(), patch.data(), patch.size(), model, model_size);
  if (ZSTD_isError(result)) return ZstdFailed("make the patch", result);
  patch.resize(result);
  return patch;
}

Result<format::PackageContents> BuildDeltaPackage(const uint8_t* base, size_t base_size,
                                                  const uint8_t* model, size_t model_size,
                                                  tpkg::ManifestT manifest, uint32_t chunk_bytes,
                                                  const PatchSettings& settings) {
  const Status base_ok = format::CheckPackageableModel(base, base_size);
  if (!base_ok.ok())
    return Status::Error(base_ok.code(), "the base model is not usable: %s", base_ok.message());
  TMM_RETURN_IF_ERROR(format::CheckPackageableModel(model, model_size));
  std::vector<uint8_t> patch;
  tpkg::DeltaTransform transform = tpkg::DeltaTransform::None;
  if (settings.transform != PatchTransform::kBytePlanes) {
    TMM_ASSIGN_OR_RETURN(patch, MakeModelPatch(base, base_size, model, model_size, settings));
  }
  if (settings.transform != PatchTransform::kNone) {
    std::vector<uint8_t> base_planes(base_size), model_planes(model_size);
    format::SplitBytePlanes(base, base_size, base_planes.data());
    format::SplitBytePlanes(model, model_size, model_planes.data());
    TMM_ASSIGN_OR_RETURN(
        std::vector<uint8_t> planes_patch,
        MakeModelPatch(base_planes.data(), base_size, model_planes.data(), model_size, settings));
    if (patch.empty() || planes_patch.size() < patch.size()) {
      patch = std::move(planes_patch);
      transform = tpkg::DeltaTransform::BytePlanes;
    }
  }
  auto delta = std::make_unique<tpkg::DeltaT>();
  delta->transform = transform;
  delta->base_model_hash = crypto::ContentHash(base, base_size);
  delta->base_model_bytes = base_size;
  delta->result_model_hash = crypto::ContentHash(model, model_size);
  manifest.delta = std::move(delta);
  return format::BuildPackageFromPayload(std::move(patch), model_size, std::move(manifest),
                                         chunk_bytes);
}

}  // namespace tinymlops::toolchain
