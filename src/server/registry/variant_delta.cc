#include "server/registry/variant_delta.h"

#include "server/auth/opaque_token.h"
#include "server/fleet/answer_revisions.h"

namespace tinymlops::server {
namespace {

constexpr const char* kDeltaColumns =
    "SELECT d.id, d.project_id, d.variant_id, d.base_variant_id, d.base_version, "
    "d.signer_key_id, d.artifact, d.artifact_hash, d.artifact_bytes, d.created_unix, "
    "b.artifact_hash FROM variant_deltas d JOIN variants b ON b.id = d.base_variant_id ";

DeltaRecord DeltaFromRow(const Row& row) {
  DeltaRecord d;
  d.id = row.Text(0);
  d.project_id = row.Text(1);
  d.variant_id = row.Text(2);
  d.base_variant_id = row.Text(3);
  d.base_version = row.Text(4);
  d.signer_key_id = row.Text(5);
  d.artifact = row.Text(6);
  d.artifact_hash = row.Text(7);
  d.artifact_bytes = row.Int(8);
  d.created_unix = row.Int(9);
  d.base_artifact_hash = row.Text(10);
  return d;
}

// The one variant `name` of `version`, whose model hash the server knows.
Result<VariantRecord> FindHashedVariant(Transaction& tx, const std::string& project_id,
                                        const DeltaUpload& upload, const std::string& version,
                                        const char* role) {
  TMM_ASSIGN_OR_RETURN(auto variants, ListVersionVariants(tx, project_id, upload.model, version));
  for (VariantRecord& v : variants) {
    if (v.name != upload.variant) continue;
    if (v.model_hash.empty()) {
      return Status::Error(StatusCode::kInvalidArgument,
                           "delta refused: the %s %s %s variant %s has an encrypted package "
                           "whose manifest has no model hash (built before 'package build' wrote "
                           "one), or one uploaded before delta support, so the server cannot "
                           "check what a delta patches; ship that version as full packages",
                           role, upload.model.c_str(), version.c_str(), upload.variant.c_str());
    }
    return std::move(v);
  }
  return Status::Error(StatusCode::kNotFound,
                       "no variant %s of %s %s (the delta's %s): upload its full package first",
                       upload.variant.c_str(), upload.model.c_str(), version.c_str(), role);
}

}  // namespace

Result<DeltaVariants> FindDeltaVariants(Transaction& tx, const std::string& project_id,
                                        const DeltaUpload& upload) {
  if (upload.base_version == upload.version) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "a delta of %s %s against itself: name an older base version",
                         upload.model.c_str(), upload.version.c_str());
  }
  DeltaVariants variants;
  TMM_ASSIGN_OR_RETURN(variants.target,
                       FindHashedVariant(tx, project_id, upload, upload.version, "target"));
  TMM_ASSIGN_OR_RETURN(variants.base,
                       FindHashedVariant(tx, project_id, upload, upload.base_version, "base"));
  return variants;
}

Result<VerifiedPackage> VerifyDeltaUpload(const DeltaVariants& variants, const std::string& package,
                                          const std::vector<crypto::SigningPublicKey>& trusted) {
  TMM_ASSIGN_OR_RETURN(VerifiedPackage verified, VerifyPackage(package, trusted));
  const VariantRecord& target = variants.target;
  if (verified.model_id != target.model || verified.version != target.version ||
      verified.variant != target.name) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "delta refused: its manifest is %s %s variant %s, uploaded as a delta of "
                         "%s %s variant %s",
                         verified.model_id.c_str(), verified.version.c_str(),
                         verified.variant.c_str(), target.model.c_str(), target.version.c_str(),
                         target.name.c_str());
  }
  if (!verified.delta) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "delta refused: it is a whole-model package; build the delta with "
                         "`tinymlops package delta` (or upload this one as the variant)");
  }
  if (verified.delta_base_hash != variants.base.model_hash) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "delta refused: it patches model %.16s..., but %s %s variant %s is model "
                         "%.16s...; build it against that version's .tmm",
                         verified.delta_base_hash.c_str(), variants.base.model.c_str(),
                         variants.base.version.c_str(), variants.base.name.c_str(),
                         variants.base.model_hash.c_str());
  }
  if (verified.delta_result_hash != target.model_hash) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "delta refused: it produces model %.16s..., but %s %s variant %s is "
                         "model %.16s...; build it from the .tmm of that variant's package",
                         verified.delta_result_hash.c_str(), target.model.c_str(),
                         target.version.c_str(), target.name.c_str(), target.model_hash.c_str());
  }
  return verified;
}

Result<DeltaRecord> RecordDelta(Transaction& tx, const DeltaVariants& variants,
                                const VerifiedPackage& verified, const ArtifactRef& artifact,
                                int64_t now) {
  DeltaRecord d;
  d.id = NewRecordId("dlt_");
  d.project_id = variants.target.project_id;
  d.variant_id = variants.target.id;
  d.base_variant_id = variants.base.id;
  d.base_version = variants.base.version;
  d.signer_key_id = verified.signer_key_id;
  d.artifact = artifact.name;
  d.artifact_hash = artifact.hash;
  d.artifact_bytes = static_cast<int64_t>(artifact.bytes);
  d.created_unix = now;
  d.base_artifact_hash = variants.base.artifact_hash;
  TMM_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO variant_deltas (id, project_id, variant_id, base_variant_id, "
                 "base_version, signer_key_id, artifact, artifact_bytes, artifact_hash, "
                 "created_unix) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {d.id, d.project_id, d.variant_id, d.base_variant_id, d.base_version,
                  d.signer_key_id, d.artifact, d.artifact_bytes, d.artifact_hash, now})
          .status());
  TMM_RETURN_IF_ERROR(BumpProjectAnswers(tx, d.project_id));
  return d;
}

Result<DeltaRecord> FindDelta(Transaction& tx, const std::string& project_id,
                              const std::string& delta_id) {
  TMM_ASSIGN_OR_RETURN(auto rows,
                       tx.Query(std::string(kDeltaColumns) + "WHERE d.project_id = ? AND d.id = ?",
                                {project_id, delta_id}));
  if (rows.empty()) {
    return Status::Error(StatusCode::kNotFound, "no delta %s in this project", delta_id.c_str());
  }
  return DeltaFromRow(rows[0]);
}

Result<std::vector<DeltaRecord>> SmallerDeltasFrom(Transaction& tx,
                                                   const std::vector<std::string>& variant_ids,
                                                   const std::string& base_version) {
  std::vector<DeltaRecord> deltas;
  if (variant_ids.empty()) return deltas;
  std::string sql = std::string(kDeltaColumns) +
                    "JOIN variants v ON v.id = d.variant_id WHERE d.base_version = ? AND "
                    "d.artifact_bytes < v.artifact_bytes AND d.variant_id IN (";
  std::vector<SqlValue> params = {base_version};
  for (const std::string& id : variant_ids) {
    sql += params.size() == 1 ? "?" : ", ?";
    params.emplace_back(id);
  }
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query(sql + ")", params));
  for (const Row& row : rows) deltas.push_back(DeltaFromRow(row));
  return deltas;
}

}  // namespace tinymlops::server
