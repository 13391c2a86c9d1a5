#include "server/registry/trusted_keys.h"

#include "server/auth/opaque_token.h"

namespace tinymlops::server {
namespace {

Result<crypto::SigningPublicKey> KeyFromHex(const std::string& hex) {
  uint8_t bytes[crypto::kSigningPublicKeyBytes];
  if (!FromHex(hex, bytes, sizeof bytes)) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "public_key must be an Ed25519 public key as 64 hex digits");
  }
  return crypto::SigningPublicKey::FromBytes(bytes, sizeof bytes);
}

}  // namespace

Result<std::string> AddTrustedKey(Transaction& tx, const std::string& project_id,
                                  const std::string& name, const std::string& public_key_hex,
                                  int64_t now) {
  TMM_ASSIGN_OR_RETURN(auto key, KeyFromHex(public_key_hex));
  TMM_RETURN_IF_ERROR(tx.Execute("INSERT INTO trusted_keys (project_id, key_id, public_key, name, "
                                 "created_unix) VALUES (?, ?, ?, ?, ?)",
                                 {project_id, key.key_id(),
                                  ToHex(key.bytes().data(), key.bytes().size()), name, now})
                          .status());
  return key.key_id();
}

Result<std::vector<crypto::SigningPublicKey>> TrustedKeys(Transaction& tx,
                                                          const std::string& project_id) {
  TMM_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT public_key FROM trusted_keys "
                                           "WHERE project_id = ? ORDER BY key_id",
                                           {project_id}));
  std::vector<crypto::SigningPublicKey> keys;
  for (const Row& row : rows) {
    TMM_ASSIGN_OR_RETURN(auto key, KeyFromHex(row.Text(0)));
    keys.push_back(key);
  }
  return keys;
}

}  // namespace tinymlops::server
