#include "device/package_loader.h"

#include "crypto/secure_buffer.h"
#include "device/content_key.h"
#include "device/delta_patch.h"
#include "device/guard/weight_regions.h"
#include "device/self_test.h"
#include "format/package_reader.h"
#include "format/semantic_version.h"

namespace tinymlops::device {

// Members are destroyed in reverse order: the guard stops, then the interpreter goes, then the
// locked model bytes are zeroed and freed.
struct PackageLoader::ServedModel {
  crypto::SecureBuffer model;
  tpkg::ManifestT manifest;
  std::unique_ptr<runtime::Interpreter> interpreter;
  std::unique_ptr<IntegrityGuard> guard;
};

namespace {

Status CheckRuntimeVersion(const tpkg::ManifestT& manifest) {
  TMM_ASSIGN_OR_RETURN(const format::SemanticVersion needed,
                       format::ParseSemanticVersion(manifest.min_runtime_version));
  TMM_ASSIGN_OR_RETURN(const format::SemanticVersion ours,
                       format::ParseSemanticVersion(kRuntimeVersion));
  if (ours < needed)
    return Status::Error(StatusCode::kUnsupported,
                         "the package needs runtime %s or newer; this is runtime %s: update the "
                         "device first",
                         manifest.min_runtime_version.c_str(), kRuntimeVersion);
  return Status::Ok();
}

}  // namespace

PackageLoader::PackageLoader(LoaderOptions options) : options_(std::move(options)) {}
PackageLoader::~PackageLoader() = default;

Status PackageLoader::Load(const std::string& path) {
  auto source = format::FileByteSource::Open(path);
  if (!source.ok()) return source.status();
  return Load(std::move(*source), path);
}

Status PackageLoader::Load(std::unique_ptr<format::ByteSource> source, const std::string& name) {
  last_load_failed_self_test_ = false;
  auto opened = Open(std::move(source));
  if (!opened.ok())
    return Status::Error(opened.status().code(), "cannot load package '%s': %s", name.c_str(),
                         opened.status().message());
  served_ = std::move(*opened);  // the previous model is released only now
  return Status::Ok();
}

Status PackageLoader::LoadDelta(std::unique_ptr<format::ByteSource> source,
                                const std::string& name) {
  last_load_failed_self_test_ = false;
  if (!served_)
    return Status::Error(StatusCode::kFailedPrecondition,
                         "cannot apply delta package '%s': no model is loaded to apply it to; "
                         "install the full package",
                         name.c_str());
  auto opened = OpenDelta(std::move(source), *served_);
  if (!opened.ok())
    return Status::Error(opened.status().code(), "cannot apply delta package '%s': %s",
                         name.c_str(), opened.status().message());
  served_ = std::move(*opened);  // the previous model is released only now
  return Status::Ok();
}

Status PackageLoader::LoadDeltaChain(const std::string& base_path,
                                     const std::vector<std::string>& delta_paths) {
  last_load_failed_self_test_ = false;
  if (delta_paths.empty())
    return Status::Error(StatusCode::kInvalidArgument,
                         "no delta given to apply to base package '%s'; load it as a package",
                         base_path.c_str());
  auto base_source = format::FileByteSource::Open(base_path);
  if (!base_source.ok()) return base_source.status();
  auto base = ReadPackage(std::move(*base_source), /*admit=*/false);
  if (!base.ok())
    return Status::Error(base.status().code(), "cannot read base package '%s': %s",
                         base_path.c_str(), base.status().message());
  std::unique_ptr<ServedModel> model = std::move(*base);
  for (size_t link = 0; link < delta_paths.size(); ++link) {
    const std::string& path = delta_paths[link];
    auto delta_source = format::FileByteSource::Open(path);
    if (!delta_source.ok()) return delta_source.status();
    const bool last = link + 1 == delta_paths.size();
    auto next = last ? OpenDelta(std::move(*delta_source), *model)
                     : PatchModel(std::move(*delta_source), *model);
    if (!next.ok())
      return Status::Error(next.status().code(), "cannot apply delta package '%s' (%zu of %zu): %s",
                           path.c_str(), link + 1, delta_paths.size(), next.status().message());
    model = std::move(*next);  // the link's input is zeroed and freed here
  }
  served_ = std::move(model);  // the previous model is released only now
  return Status::Ok();
}

Status PackageLoader::CheckAdmission(const tpkg::ManifestT& manifest) const {
  TMM_RETURN_IF_ERROR(CheckRuntimeVersion(manifest));
  if (options_.release_counters) {
    TMM_ASSIGN_OR_RETURN(const uint64_t installed,
                         options_.release_counters->Installed(manifest.model_id));
    if (manifest.release < installed && !manifest.allow_downgrade)
      return Status::Error(StatusCode::kFailedPrecondition,
                           "release %llu of '%s' is older than the installed release %llu; "
                           "rollback refused (to downgrade on purpose, build the package with "
                           "--allow-downgrade)",
                           static_cast<unsigned long long>(manifest.release),
                           manifest.model_id.c_str(), static_cast<unsigned long long>(installed));
  }
  return Status::Ok();
}

Result<std::unique_ptr<PackageLoader::ServedModel>> PackageLoader::Open(
    std::unique_ptr<format::ByteSource> source) {
  TMM_ASSIGN_OR_RETURN(std::unique_ptr<ServedModel> served,
                       ReadPackage(std::move(source), /*admit=*/true));
  TMM_RETURN_IF_ERROR(Serve(*served));
  return served;
}

Result<std::unique_ptr<PackageLoader::ServedModel>> PackageLoader::ReadPackage(
    std::unique_ptr<format::ByteSource> source, bool admit) {
  if (options_.resolver == nullptr)
    return Status::Error(StatusCode::kInternal, "the package loader has no op resolver");
  TMM_ASSIGN_OR_RETURN(std::unique_ptr<format::PackageReader> reader,
                       format::PackageReader::Open(std::move(source), options_.trusted_vendors));
  const tpkg::ManifestT& manifest = reader->manifest();
  if (admit) TMM_RETURN_IF_ERROR(CheckAdmission(manifest));
  crypto::SecureBuffer content_key;
  if (reader->encrypted()) {
    TMM_ASSIGN_OR_RETURN(content_key, UnsealContentKey(manifest, options_.key_store));
  }

  auto served = std::make_unique<ServedModel>();
  TMM_ASSIGN_OR_RETURN(served->model,
                       crypto::SecureBuffer::Allocate(static_cast<size_t>(manifest.model_bytes)));
  TMM_RETURN_IF_ERROR(reader->ReadModel(reader->encrypted() ? &content_key : nullptr,
                                        served->model.data(), served->model.size()));
  served->manifest = manifest;
  return served;
}

Result<std::unique_ptr<PackageLoader::ServedModel>> PackageLoader::PatchModel(
    std::unique_ptr<format::ByteSource> source, const ServedModel& base) {
  if (options_.resolver == nullptr)
    return Status::Error(StatusCode::kInternal, "the package loader has no op resolver");
  TMM_ASSIGN_OR_RETURN(PatchedModel patched,
                       ApplyDeltaPackage(std::move(source), base.model.data(), base.model.size(),
                                         options_.trusted_vendors, options_.key_store));
  if (patched.manifest.model_id != base.manifest.model_id)
    return Status::Error(StatusCode::kFailedPrecondition,
                         "the delta is for model '%s', its base is model '%s'; install the "
                         "full package",
                         patched.manifest.model_id.c_str(), base.manifest.model_id.c_str());
  auto result = std::make_unique<ServedModel>();
  result->model = std::move(patched.model);
  result->manifest = std::move(patched.manifest);
  return result;
}

Result<std::unique_ptr<PackageLoader::ServedModel>> PackageLoader::OpenDelta(
    std::unique_ptr<format::ByteSource> source, const ServedModel& base) {
  TMM_ASSIGN_OR_RETURN(std::unique_ptr<ServedModel> served, PatchModel(std::move(source), base));
  TMM_RETURN_IF_ERROR(CheckAdmission(served->manifest));
  TMM_RETURN_IF_ERROR(Serve(*served));
  return served;
}

Status PackageLoader::Serve(ServedModel& served) {
  TMM_ASSIGN_OR_RETURN(
      served.interpreter,
      runtime::Interpreter::Create(served.model.data(), served.model.size(), *options_.resolver));
  const Status self_tests = RunSelfTests(*served.interpreter, served.manifest);
  last_load_failed_self_test_ = !self_tests.ok();
  TMM_RETURN_IF_ERROR(self_tests);
  TMM_ASSIGN_OR_RETURN(
      served.guard,
      IntegrityGuard::Create(WeightRegions(served.interpreter->model()), options_.guard));
  if (options_.release_counters)
    TMM_RETURN_IF_ERROR(
        options_.release_counters->Record(served.manifest.model_id, served.manifest.release));
  if (options_.start_guard) served.guard->Start();
  return Status::Ok();
}

Result<runtime::Interpreter*> PackageLoader::interpreter() {
  if (!served_)
    return Status::Error(StatusCode::kFailedPrecondition,
                         "no model is loaded; load a package first");
  TMM_RETURN_IF_ERROR(served_->guard->health());
  return served_->interpreter.get();
}

Status PackageLoader::Invoke() {
  TMM_ASSIGN_OR_RETURN(runtime::Interpreter * interpreter, this->interpreter());
  return interpreter->Invoke();
}

const tpkg::ManifestT* PackageLoader::manifest() const {
  return served_ ? &served_->manifest : nullptr;
}

IntegrityGuard* PackageLoader::guard() const { return served_ ? served_->guard.get() : nullptr; }

}  // namespace tinymlops::device
