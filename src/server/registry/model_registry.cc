#include "server/registry/model_registry.h"

#include "crypto/content_hash.h"
#include "format/byte_source.h"
#include "format/package_reader.h"
#include "server/auth/opaque_token.h"
#include "server/fleet/answer_revisions.h"

namespace tinymlops::server {
namespace {

constexpr const char* kVariantColumns =
    "SELECT v.id, v.version_id, v.project_id, m.name, mv.version, v.name, v.target, v.dtype, "
    "v.ops, v.size_bytes, v.arena_bytes, v.release_counter, v.accuracy, v.signer_key_id, "
    "v.artifact, v.artifact_hash, v.artifact_bytes, v.created_unix, v.min_runtime_version, "
    "v.model_hash FROM variants v "
    "JOIN model_versions mv ON mv.id = v.version_id JOIN models m ON m.id = mv.model_id ";

VariantRecord VariantFromRow(const Row& row) {
  VariantRecord v;
  v.id = row.Text(0);
  v.version_id = row.Text(1);
  v.project_id = row.Text(2);
  v.model = row.Text(3);
  v.version = row.Text(4);
  v.name = row.Text(5);
  v.target = row.Text(6);
  v.dtype = row.Text(7);
  v.ops_json = row.Text(8);
  v.size_bytes = row.Int(9);
  v.arena_bytes = row.Int(10);
  v.release = row.Int(11);
  if (!row.IsNull(12)) v.accuracy = row.Number(12);
  v.signer_key_id = row.Text(13);
  v.artifact = row.Text(14);
  v.artifact_hash = row.Text(15);
  v.artifact_bytes = row.Int(16);
  v.created_unix = row.Int(17);
  v.min_runtime_version = row.Text(18);
  v.model_hash = row.Text(19);
  return v;
}

}  // namespace

Result<VerifiedPackage> VerifyPackage(const std::string& bytes,
                                      const std::vector<crypto::SigningPublicKey>& trusted) {
  if (trusted.empty()) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "the project trusts no signing key yet: add the vendor key with "
                         "POST /v1/projects/{project}/keys first");
  }
  auto source = std::make_unique<format::MemoryByteSource>(
      reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  auto reader = format::PackageReader::Open(std::move(source), trusted);
  if (!reader.ok()) {
    return Status::Error(StatusCode::kInvalidArgument, "package refused: %s",
                         reader.status().message());
  }
  const auto& manifest = (*reader)->manifest();
  VerifiedPackage verified;
  // A clear whole model is read (which checks the payload as VerifyPayload does, and the signed
  // model hash when the manifest has one) and hashed; an encrypted one is named by its signed
  // model hash (none in packages built before that field).
  Status payload;
  if (!(*reader)->encrypted() && !manifest.delta) {
    std::vector<uint8_t> model(static_cast<size_t>(manifest.model_bytes));
    payload = (*reader)->ReadModel(nullptr, model.data(), model.size());
    if (payload.ok()) {
      const std::vector<uint8_t> hash = crypto::ContentHash(model.data(), model.size());
      verified.model_hash = ToHex(hash.data(), hash.size());
    }
  } else {
    payload = (*reader)->VerifyPayload();
    verified.model_hash = ToHex(manifest.model_hash.data(), manifest.model_hash.size());
  }
  if (!payload.ok()) {
    return Status::Error(StatusCode::kInvalidArgument, "package refused: %s", payload.message());
  }
  if (const tpkg::DeltaT* delta = manifest.delta.get()) {
    verified.delta = true;
    verified.delta_base_hash = ToHex(delta->base_model_hash.data(), delta->base_model_hash.size());
    verified.delta_result_hash =
        ToHex(delta->result_model_hash.data(), delta->result_model_hash.size());
  }
  verified.model_id = manifest.model_id;
  verified.version = manifest.version;
  verified.variant = manifest.variant;
  verified.target = manifest.target;
  verified.signer_key_id = (*reader)->signer().key_id();
  verified.model_bytes = manifest.model_bytes;
  verified.release = manifest.release;
  verified.min_runtime_version = manifest.min_runtime_version;
  return verified;
}

Result<ModelRecord> CreateModel(Transaction& tx, const std::string& project_id,
                                const std::string& name, const std::string& description,
                                int64_t now) {
  ModelRecord model{NewRecordId("mdl_"), project_id, name, description, now};
  TMM_RETURN_IF_ERROR(tx.Execute("INSERT INTO models (id, project_id, name, description, "
                                 "created_unix) VALUES (?, ?, ?, ?, ?)",
                                 {model.id, project_id, name, description, now})
                          .status());
  return model;
}

Result<std::vector<ModelRecord>> ListModels(Transaction& tx, const std::string& project_id) {
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, project_id, name, description, "
                                           "created_unix FROM models WHERE project_id = ? "
                                           "ORDER BY name",
                                           {project_id}));
  std::vector<ModelRecord> models;
  for (const Row& r : rows) {
    models.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4)});
  }
  return models;
}

Result<VerifiedPackage> VerifyUpload(const VariantUpload& upload, const std::string& package,
                                     const std::vector<crypto::SigningPublicKey>& trusted) {
  TMM_ASSIGN_OR_RETURN(VerifiedPackage verified, VerifyPackage(package, trusted));
  if (verified.model_id != upload.model || verified.version != upload.version ||
      verified.variant != upload.variant) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "package refused: its manifest is %s %s variant %s, uploaded as %s %s "
                         "variant %s",
                         verified.model_id.c_str(), verified.version.c_str(),
                         verified.variant.c_str(), upload.model.c_str(), upload.version.c_str(),
                         upload.variant.c_str());
  }
  if (verified.delta) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "package refused: it is a delta package (a patch against model %.16s...), "
                         "not a whole model; upload it as a delta of the variant with "
                         "`tinymlops variant upload --delta-from BASE_VERSION` (PUT "
                         ".../variants/%s/deltas/BASE_VERSION), after the variant's full package",
                         verified.delta_base_hash.c_str(), upload.variant.c_str());
  }
  return verified;
}

Result<std::string> FindModelId(Transaction& tx, const std::string& project_id,
                                const std::string& model) {
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id FROM models WHERE project_id = ? AND "
                                           "name = ?",
                                           {project_id, model}));
  if (rows.empty()) {
    return Status::Error(StatusCode::kNotFound, "no model '%s' in this project: create it first",
                         model.c_str());
  }
  return rows[0].Text(0);
}

Result<VariantRecord> RecordVariant(Transaction& tx, const std::string& project_id,
                                    const VariantUpload& upload, const VerifiedPackage& verified,
                                    const ArtifactRef& artifact, int64_t now) {
  TMM_ASSIGN_OR_RETURN(std::string model_id, FindModelId(tx, project_id, upload.model));
  TMM_RETURN_IF_ERROR(tx.Execute("INSERT INTO model_versions (id, model_id, project_id, version, "
                                 "created_unix) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                 {NewRecordId("ver_"), model_id, project_id, upload.version, now})
                          .status());
  TMM_ASSIGN_OR_RETURN(auto version, tx.Query("SELECT id FROM model_versions WHERE model_id = ? "
                                              "AND version = ?",
                                              {model_id, upload.version}));
  VariantRecord v;
  v.id = NewRecordId("var_");
  v.version_id = version[0].Text(0);
  v.project_id = project_id;
  v.model = upload.model;
  v.version = upload.version;
  v.name = upload.variant;
  v.target = verified.target;
  v.dtype = upload.dtype;
  v.ops_json = upload.ops_json;
  v.size_bytes = static_cast<int64_t>(verified.model_bytes);
  v.arena_bytes = upload.arena_bytes;
  v.release = static_cast<int64_t>(verified.release);
  v.accuracy = upload.accuracy;
  v.signer_key_id = verified.signer_key_id;
  v.artifact = artifact.name;
  v.artifact_hash = artifact.hash;
  v.artifact_bytes = static_cast<int64_t>(artifact.bytes);
  v.created_unix = now;
  v.min_runtime_version = verified.min_runtime_version;
  v.model_hash = verified.model_hash;
  std::vector<SqlValue> params = {v.id,         v.version_id, project_id, v.name,
                                  v.target,     v.dtype,      v.size_bytes, v.arena_bytes,
                                  v.ops_json};
  // (appended one by one: GCC 12 misreads a ternary SqlValue as maybe-uninitialized)
  if (v.accuracy) {
    params.emplace_back(*v.accuracy);
  } else {
    params.emplace_back(std::monostate());
  }
  for (SqlValue value : {SqlValue(v.release), SqlValue(v.signer_key_id), SqlValue(v.artifact),
                         SqlValue(v.artifact_bytes), SqlValue(v.artifact_hash), SqlValue(now),
                         SqlValue(v.min_runtime_version), SqlValue(v.model_hash)}) {
    params.push_back(std::move(value));
  }
  TMM_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO variants (id, version_id, project_id, name, target, dtype, "
                 "size_bytes, arena_bytes, ops, accuracy, release_counter, signer_key_id, "
                 "artifact, artifact_bytes, artifact_hash, created_unix, min_runtime_version, "
                 "model_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 params)
          .status());
  TMM_RETURN_IF_ERROR(BumpProjectAnswers(tx, v.project_id));
  return v;
}

Result<std::vector<VariantRecord>> ListVariants(Transaction& tx, const std::string& project_id,
                                                const std::string& model) {
  std::vector<SqlValue> params = {project_id};
  if (!model.empty()) params.emplace_back(model);
  TMM_ASSIGN_OR_RETURN(auto rows,
                       tx.Query(std::string(kVariantColumns) + "WHERE v.project_id = ? " +
                                    (model.empty() ? "" : "AND m.name = ? ") +
                                    "ORDER BY m.name, mv.created_unix DESC, v.name",
                                params));
  std::vector<VariantRecord> variants;
  for (const Row& row : rows) variants.push_back(VariantFromRow(row));
  return variants;
}

Result<std::vector<VariantRecord>> ListVersionVariants(Transaction& tx,
                                                       const std::string& project_id,
                                                       const std::string& model,
                                                       const std::string& version) {
  TMM_ASSIGN_OR_RETURN(auto rows,
                       tx.Query(std::string(kVariantColumns) +
                                    "WHERE m.project_id = ? AND m.name = ? AND mv.version = ? "
                                    "ORDER BY v.name",
                                {project_id, model, version}));
  std::vector<VariantRecord> variants;
  for (const Row& row : rows) variants.push_back(VariantFromRow(row));
  return variants;
}

Result<VariantRecord> FindVariant(Transaction& tx, const std::string& project_id,
                                  const std::string& variant_id) {
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kVariantColumns) +
                                               "WHERE v.project_id = ? AND v.id = ?",
                                           {project_id, variant_id}));
  if (rows.empty()) {
    return Status::Error(StatusCode::kNotFound, "no variant %s in this project",
                         variant_id.c_str());
  }
  return VariantFromRow(rows[0]);
}

}  // namespace tinymlops::server
