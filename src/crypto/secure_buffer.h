// SecureBuffer: memory for secrets and decrypted models. Allocated with sodium_malloc, so the
// pages are mlock'ed (kept out of swap where the OS allows it), excluded from core dumps and
// fenced by guard pages; sodium_free zeroes them (sodium_memzero) and unlocks them on release.
// data() is 16-byte aligned (as the runtime needs for model bytes). Move-only.
// Errors: kResourceExhausted when the memory cannot be had.
// Thread-safety: a value type; share only the bytes, read-only.
#ifndef TINYMLOPS_CRYPTO_SECURE_BUFFER_H_
#define TINYMLOPS_CRYPTO_SECURE_BUFFER_H_

#include <cstddef>
#include <cstdint>

#include "runtime/status.h"

namespace tinymlops::crypto {

class SecureBuffer {
 public:
  static Result<SecureBuffer> Allocate(size_t size);

  SecureBuffer() = default;  // empty
  ~SecureBuffer();
  SecureBuffer(SecureBuffer&& other) noexcept;
  SecureBuffer& operator=(SecureBuffer&& other) noexcept;
  SecureBuffer(const SecureBuffer&) = delete;
  SecureBuffer& operator=(const SecureBuffer&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  void Release();

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace tinymlops::crypto

#endif  // TINYMLOPS_CRYPTO_SECURE_BUFFER_H_
