// PackageLoader: the device side of a signed, possibly encrypted .tpkg package, and the model
// it serves.
//
// Load() opens the package (format/package_reader.h: signature against the trusted vendor
// keys first, then the manifest), refuses a package for a newer runtime, refuses a release
// lower than the installed one (ReleaseCounterStore) unless the signed manifest allows a
// downgrade, unseals the content key through the DeviceKeyStore (encrypted packages), streams
// payload -> decrypt -> decompress into locked memory (crypto/secure_buffer.h: mlock'ed,
// zeroed on unload), loads the model into a runtime Interpreter, runs the package's self-test
// vectors (device/self_test.h), starts the integrity guard over the weights
// (device/guard/integrity_guard.h), records the release, and only then replaces the model it
// served before. Any failure returns a precise error and leaves the previous model serving.
// The clear model is never written to a file.
//
// Invoke() and interpreter() refuse (kFailedPrecondition) when nothing is loaded or the guard
// has quarantined the model.
// Thread-safety: Load, LoadDelta, LoadDeltaChain, Invoke and interpreter() from one thread at a
// time (the guard runs in its own thread).
#ifndef TINYMLOPS_DEVICE_PACKAGE_LOADER_H_
#define TINYMLOPS_DEVICE_PACKAGE_LOADER_H_

#include <memory>
#include <string>
#include <vector>

#include "crypto/signing_key.h"
#include "device/guard/integrity_guard.h"
#include "device/key_store.h"
#include "device/release_counter_store.h"
#include "format/byte_source.h"
#include "format/package_manifest.h"
#include "runtime/interpreter.h"
#include "runtime/op_resolver.h"
#include "runtime/status.h"

namespace tinymlops::device {

// The runtime version that manifests' min_runtime_version is compared with.
constexpr char kRuntimeVersion[] = "0.1.0";

struct LoaderOptions {
  std::vector<crypto::SigningPublicKey> trusted_vendors;
  const DeviceKeyStore* key_store = nullptr;        // needed for encrypted packages
  ReleaseCounterStore* release_counters = nullptr;  // nullptr: no rollback protection
  const runtime::OpResolver* resolver = nullptr;    // required; outlives the loader
  GuardOptions guard;
  bool start_guard = true;  // run the background guard (else only VerifyAll on demand)
};

class PackageLoader {
 public:
  explicit PackageLoader(LoaderOptions options);
  ~PackageLoader();
  PackageLoader(const PackageLoader&) = delete;
  PackageLoader& operator=(const PackageLoader&) = delete;

  Status Load(const std::string& path);
  // `name` stands for the package in messages.
  Status Load(std::unique_ptr<format::ByteSource> source, const std::string& name);

  // Delta update (device/delta_patch.h): applies the delta package in `source` to the model
  // served now (its clear bytes in locked memory are the patch's base), then admits and serves
  // the result exactly as Load does (runtime version, release, self-tests, guard). The
  // delta's model id must be the served one's. Any failure, a wrong base included, returns the
  // error and leaves the current model serving: the caller then installs the full package.
  // Persisting the update is the caller's: keep the base package and the delta (load the base,
  // then the delta) or download the full package; the clear result is never written out.
  Status LoadDelta(std::unique_ptr<format::ByteSource> source, const std::string& name);
  // The same with the base given as a package and a chain of deltas (`base_path`: the base
  // version's full package, kept beside the deltas; `delta_paths[0]` applies to its model,
  // each next delta to the model the one before produced). The base is opened as Load opens a
  // package (signature, unsealing, payload) but only as the first patch's input; each delta is
  // checked as LoadDelta checks one (its signature, that its signed base hash is the model it
  // applies to, the patch, its result against its signed result hash, the same model id).
  // Neither the base nor an intermediate result is admitted (they are older than the last
  // result, so anti-rollback would refuse them), served, nor recorded; the last result is
  // admitted and served as LoadDelta does. Cost: one patch per delta; two models in locked
  // memory at a time (each link's input is freed once its result is checked). This is how an
  // install slot that holds deltas re-verifies and serves them at every start.
  // kInvalidArgument: no delta given.
  Status LoadDeltaChain(const std::string& base_path, const std::vector<std::string>& delta_paths);

  bool ready() const { return served_ != nullptr; }
  // Whether the last Load failed in the package's self-test vectors (the model loaded but
  // computed wrong results), as opposed to failing to verify, unseal or load.
  bool last_load_failed_self_test() const { return last_load_failed_self_test_; }
  Result<runtime::Interpreter*> interpreter();
  Status Invoke();
  // The served package's manifest and guard; nullptr when nothing is loaded.
  const tpkg::ManifestT* manifest() const;
  IntegrityGuard* guard() const;

 private:
  struct ServedModel;
  Result<std::unique_ptr<ServedModel>> Open(std::unique_ptr<format::ByteSource> source);
  // The model of a package in locked memory, with its manifest; admitted first when `admit`.
  Result<std::unique_ptr<ServedModel>> ReadPackage(std::unique_ptr<format::ByteSource> source,
                                                   bool admit);
  // The model `source`'s delta makes of `base`'s (delta_patch.h's checks, same model id), not
  // admitted nor served.
  Result<std::unique_ptr<ServedModel>> PatchModel(std::unique_ptr<format::ByteSource> source,
                                                  const ServedModel& base);
  // PatchModel, then admitted and served.
  Result<std::unique_ptr<ServedModel>> OpenDelta(std::unique_ptr<format::ByteSource> source,
                                                 const ServedModel& base);
  // A newer runtime needed, or a release below the installed one without allow_downgrade.
  Status CheckAdmission(const tpkg::ManifestT& manifest) const;
  // Interpreter, self-tests, guard, release record for a model already in `served`.
  Status Serve(ServedModel& served);

  LoaderOptions options_;
  std::unique_ptr<ServedModel> served_;
  bool last_load_failed_self_test_ = false;
};

}  // namespace tinymlops::device

#endif  // TINYMLOPS_DEVICE_PACKAGE_LOADER_H_
