// Delta packages in the registry (issue 5): a signed package whose payload patches the model of
// a variant's base version into the variant's model (toolchain/package/model_delta.h), stored
// beside the variant's full package and offered to the devices that run the base version.
//
// An upload names the target (model, version, variant) and the base version. The target and
// the base variant (same model and variant name, base version) must both be in the registry
// with a known model hash (server/registry/model_registry.h: hashed by the server for a clear
// package, from the signed manifest for an encrypted one; unknown for an encrypted package
// built before manifests carried it). Either variant and the delta may be encrypted. Like a
// full upload it goes in steps with no transaction open while the package is verified and
// written: FindDeltaVariants (both variants), VerifyDeltaUpload (signature first, payload
// hash, the manifest names the target, it IS a delta, its signed base hash is the base
// variant's model hash and its result hash the target's), the caller stores the bytes,
// RecordDelta.
// Errors: kInvalidArgument (package refused; the message says why), kNotFound (no such
// variant, version or delta), kFailedPrecondition (a delta for this variant and base exists),
// store errors. Thread-safety: functions over a caller's Transaction.
#ifndef TINYMLOPS_SERVER_REGISTRY_VARIANT_DELTA_H_
#define TINYMLOPS_SERVER_REGISTRY_VARIANT_DELTA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/signing_key.h"
#include "runtime/status.h"
#include "server/registry/artifact_store.h"
#include "server/registry/model_registry.h"
#include "server/store/store.h"

namespace tinymlops::server {

struct DeltaRecord {
  std::string id, project_id, variant_id, base_variant_id, base_version, signer_key_id;
  std::string artifact, artifact_hash;
  int64_t artifact_bytes = 0, created_unix = 0;
  std::string base_artifact_hash;  // the base variant's full package (what the device holds)
};

struct DeltaUpload {
  std::string model, version, variant, base_version;
};

struct DeltaVariants {
  VariantRecord target, base;
};

Result<DeltaVariants> FindDeltaVariants(Transaction& tx, const std::string& project_id,
                                        const DeltaUpload& upload);
Result<VerifiedPackage> VerifyDeltaUpload(const DeltaVariants& variants, const std::string& package,
                                          const std::vector<crypto::SigningPublicKey>& trusted);
Result<DeltaRecord> RecordDelta(Transaction& tx, const DeltaVariants& variants,
                                const VerifiedPackage& verified, const ArtifactRef& artifact,
                                int64_t now);
Result<DeltaRecord> FindDelta(Transaction& tx, const std::string& project_id,
                              const std::string& delta_id);
// The deltas from `base_version` to any of `variant_ids` that are smaller than the variant's
// full package (the only ones worth offering): one query.
Result<std::vector<DeltaRecord>> SmallerDeltasFrom(Transaction& tx,
                                                   const std::vector<std::string>& variant_ids,
                                                   const std::string& base_version);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_REGISTRY_VARIANT_DELTA_H_
