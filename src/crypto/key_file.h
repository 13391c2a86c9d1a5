// Key files: one line of text each.
//   NAME.key  "tinymlops-ed25519-secret <64 hex digits: the 32-byte seed>\n", mode 0600
//   NAME.pub  "tinymlops-ed25519-public <64 hex digits: the public key>\n"
// Writing never replaces an existing key (kFailedPrecondition). Reading a secret key refuses a
// file that its group or others may access, with "run 'chmod 600 FILE'"; the secret is read
// straight into locked memory and the file's bytes never sit in ordinary heap memory.
// Errors: kNotFound, kIoError, kInvalidArgument (not a key file), kFailedPrecondition (mode).
// Thread-safety: pure functions.
#ifndef TINYMLOPS_CRYPTO_KEY_FILE_H_
#define TINYMLOPS_CRYPTO_KEY_FILE_H_

#include <string>

#include "crypto/signing_key.h"
#include "runtime/status.h"

namespace tinymlops::crypto {

Status WriteSecretKeyFile(const std::string& path, const SigningKeyPair& key);
Status WritePublicKeyFile(const std::string& path, const SigningPublicKey& key);
Result<SigningKeyPair> ReadSecretKeyFile(const std::string& path);
Result<SigningPublicKey> ReadPublicKeyFile(const std::string& path);

}  // namespace tinymlops::crypto

#endif  // TINYMLOPS_CRYPTO_KEY_FILE_H_
