// Fixed keys shared by make_fuzz_seeds and the package fuzzers: the seed packages are signed by
// the fuzz vendor key and encrypted to the fuzz device key, and package_reader_fuzz re-signs
// every input's manifest with the same vendor key, so the fuzzer explores what lies behind the
// signature check (manifest, decryption, decompression, loading, self-tests).
#ifndef TINYMLOPS_TESTS_FUZZ_FUZZ_KEYS_H_
#define TINYMLOPS_TESTS_FUZZ_FUZZ_KEYS_H_

#include <cstdint>

#include "crypto/signing_key.h"

namespace tinymlops::fuzz {

inline crypto::SigningKeyPair FuzzKey(uint8_t tag) {
  uint8_t seed[crypto::kSigningSeedBytes];
  for (size_t i = 0; i < sizeof(seed); ++i) seed[i] = static_cast<uint8_t>(tag + i);
  return std::move(*crypto::SigningKeyPair::FromSeed(seed, sizeof(seed)));
}
inline const crypto::SigningKeyPair& FuzzVendorKey() {
  static const crypto::SigningKeyPair key = FuzzKey(1);
  return key;
}
inline const crypto::SigningKeyPair& FuzzDeviceKey() {
  static const crypto::SigningKeyPair key = FuzzKey(101);
  return key;
}

}  // namespace tinymlops::fuzz

#endif  // TINYMLOPS_TESTS_FUZZ_FUZZ_KEYS_H_
