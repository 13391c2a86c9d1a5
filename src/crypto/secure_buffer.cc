#include "crypto/secure_buffer.h"

#include <sodium.h>

#include "crypto/sodium_init.h"

namespace tinymlops::crypto {

Result<SecureBuffer> SecureBuffer::Allocate(size_t size) {
  TMM_RETURN_IF_ERROR(InitializeSodium());
  SecureBuffer buffer;
  if (size == 0) return buffer;
  // sodium_malloc places the block's end against a guard page: a size that is a multiple of 16
  // makes the start 16-byte aligned.
  const size_t rounded = (size + 15) / 16 * 16;
  if (rounded < size)
    return Status::Error(StatusCode::kResourceExhausted, "cannot lock %zu bytes", size);
  void* memory = sodium_malloc(rounded);
  if (memory == nullptr)
    return Status::Error(StatusCode::kResourceExhausted,
                         "cannot allocate %zu bytes of locked memory; free memory or raise the "
                         "locked-memory limit (ulimit -l)",
                         size);
  buffer.data_ = static_cast<uint8_t*>(memory);
  buffer.size_ = size;
  return buffer;
}

SecureBuffer::~SecureBuffer() { Release(); }

SecureBuffer::SecureBuffer(SecureBuffer&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

SecureBuffer& SecureBuffer::operator=(SecureBuffer&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

void SecureBuffer::Release() {
  if (data_ != nullptr) sodium_free(data_);  // zeroes, unlocks and unmaps
  data_ = nullptr;
  size_ = 0;
}

}  // namespace tinymlops::crypto
