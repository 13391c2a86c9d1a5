// InitializeSodium: makes libsodium ready (sodium_init) before any other crypto/ call uses it.
// Every crypto/ entry point that needs randomness or locked memory calls it; callers may too.
// Errors: kInternal if libsodium cannot initialize (no entropy source).
// Thread-safety: safe to call from several threads, any number of times.
#ifndef TINYMLOPS_CRYPTO_SODIUM_INIT_H_
#define TINYMLOPS_CRYPTO_SODIUM_INIT_H_

#include "runtime/status.h"

namespace tinymlops::crypto {

Status InitializeSodium();

}  // namespace tinymlops::crypto

#endif  // TINYMLOPS_CRYPTO_SODIUM_INIT_H_
