// The vendor keys a project trusts to sign its packages: uploads are re-verified against them
// (server/registry/model_registry.h). Keys are Ed25519 public keys, named by key id.
// Errors: kInvalidArgument (not a key), kFailedPrecondition (already trusted), store errors.
// Thread-safety: functions over a caller's Transaction.
#ifndef TINYMLOPS_SERVER_REGISTRY_TRUSTED_KEYS_H_
#define TINYMLOPS_SERVER_REGISTRY_TRUSTED_KEYS_H_

#include <string>
#include <vector>

#include "crypto/signing_key.h"
#include "runtime/status.h"
#include "server/store/store.h"

namespace tinymlops::server {

// Returns the key id.
Result<std::string> AddTrustedKey(Transaction& tx, const std::string& project_id,
                                  const std::string& name, const std::string& public_key_hex,
                                  int64_t now);
Result<std::vector<crypto::SigningPublicKey>> TrustedKeys(Transaction& tx,
                                                          const std::string& project_id);

}  // namespace tinymlops::server

#endif  // TINYMLOPS_SERVER_REGISTRY_TRUSTED_KEYS_H_
