#include "crypto/sodium_init.h"

#include <sodium.h>

namespace tinymlops::crypto {

Status InitializeSodium() {
  if (sodium_init() < 0)
    return Status::Error(StatusCode::kInternal,
                         "libsodium failed to initialize (no entropy source); check /dev/urandom");
  return Status::Ok();
}

}  // namespace tinymlops::crypto
