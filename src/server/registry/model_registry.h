// The registry of one project: models, their versions, and per-target variants, each variant a
// signed .tpkg package. An upload is accepted only after the server re-verifies the package
// with format/package_reader.h: its signature against the project's trusted keys
// (server/registry/trusted_keys.h), its payload hash, and that its manifest names the model,
// version and variant it is uploaded as, and that it is a whole model (a delta package goes
// through server/registry/variant_delta.h). The server hashes the model of a clear package and
// takes an encrypted one's from its signed manifest (the base and result hashes of delta
// packages are checked against it). Variant facts the server cannot read from an (encrypted)
// package — dtype, arena bytes, ops, accuracy — come with the upload; the oldest runtime that
// may load it is read from its manifest. Every lookup is scoped to one project.
// Errors: kInvalidArgument (package refused; the message says why), kNotFound (no such model
// or variant in the project), kFailedPrecondition (already exists), store and I/O errors.
// Thread-safety: functions over a caller's Transaction.
#ifndef TINYMLOPS_SERVER_REGISTRY_MODEL_REGISTRY_H_
#define TINYMLOPS_SERVER_REGISTRY_MODEL_REGISTRY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/signing_key.h"
#include "runtime/status.h"
#include "server/registry/artifact_store.h"
#include "server/store/store.h"

namespace tinymlops::server {

struct ModelRecord {
  std::string id, project_id, name, description;
  int64_t created_unix = 0;
};

struct VariantRecord {
  std::string id, version_id, project_id, model, version, name, target, dtype, ops_json;
  int64_t size_bytes = 0, arena_bytes = 0, release = 0;
  std::optional<double> accuracy;
  std::string signer_key_id, artifact, artifact_hash;
  int64_t artifact_bytes = 0, created_unix = 0;
  std::string min_runtime_version;  // from the package manifest; "" for any runtime
  std::string model_hash;           // hex BLAKE2b-256 of the model; "" when not known
};

// What an uploader states beside the package bytes.
struct VariantUpload {
  std::string model, version, variant;
  std::string dtype;              // e.g. "int8", "float32"
  int64_t arena_bytes = 0;
  std::string ops_json = "[]";    // JSON array of op names
  std::optional<double> accuracy;
};

// The facts a verified package states about itself.
struct VerifiedPackage {
  std::string model_id, version, variant, target, signer_key_id, min_runtime_version;
  uint64_t model_bytes = 0, release = 0;
  // Hex BLAKE2b-256 of the model of a whole-model package: read and hashed by the server when
  // clear, the signed manifest's model hash when encrypted; "" for an encrypted package built
  // before that field (the server cannot read it) and for a delta package.
  std::string model_hash;
  bool delta = false;  // a delta package: the hex hashes of its signed Delta block follow
  std::string delta_base_hash, delta_result_hash;
};

Result<VerifiedPackage> VerifyPackage(const std::string& bytes,
                                      const std::vector<crypto::SigningPublicKey>& trusted);

Result<ModelRecord> CreateModel(Transaction& tx, const std::string& project_id,
                                const std::string& name, const std::string& description,
                                int64_t now);
Result<std::vector<ModelRecord>> ListModels(Transaction& tx, const std::string& project_id);
// Upload, in three steps so that no store transaction is open while a large package is
// verified and written: VerifyUpload checks the package (VerifyPackage), that its manifest
// names the upload's model, version and variant, and that it is not a delta package; the caller
// stores the bytes (ArtifactStore::Put); RecordVariant records the variant of a package
// VerifyUpload accepted (creating the version on its first variant). kNotFound when the model does
// not exist.
Result<VerifiedPackage> VerifyUpload(const VariantUpload& upload, const std::string& package,
                                     const std::vector<crypto::SigningPublicKey>& trusted);
Result<std::string> FindModelId(Transaction& tx, const std::string& project_id,
                                const std::string& model);
Result<VariantRecord> RecordVariant(Transaction& tx, const std::string& project_id,
                                    const VariantUpload& upload, const VerifiedPackage& verified,
                                    const ArtifactRef& artifact, int64_t now);
// Variants of a model, newest version first ("" model: all models).
Result<std::vector<VariantRecord>> ListVariants(Transaction& tx, const std::string& project_id,
                                                const std::string& model);
// The variants of one version of a model, by name (empty when the version does not exist).
Result<std::vector<VariantRecord>> ListVersionVariants(Transaction& tx,
                                                       const std::string& project_id,
                                                       const std::string& model,
                                                       const std::string& version);
Result<VariantRecord> FindVariant(Transaction& tx, const std::string& project_id,
                                  const std::string& variant_id);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_REGISTRY_MODEL_REGISTRY_H_
