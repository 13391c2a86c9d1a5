// Which optimized host kernels this build has, and the small vector helpers they share. Builds
// use -march=native by default (TINYMLOPS_NATIVE), so the instruction set is the build machine's:
// - TINYMLOPS_OPTIMIZED_AVX512 (AVX-512 F, BW, VL, DQ): every optimized kernel;
// - TINYMLOPS_OPTIMIZED_FLOAT (AVX-512 as above, or AVX2 + FMA): the float32 kernels, written
//   once over FloatVector, a vector of kFloatLanes floats (16 with AVX-512, 8 with AVX2), and
//   LaneBits, a bit per lane (an AVX-512 mask register, or the bits AVX2's masked loads and
//   stores expand into a lane mask), and over IntVector, kIntLanes int32 lanes (16 or 8).
// A build for a CPU with neither (or for a microcontroller) compiles none of them, and
// AddOptimizedKernels then registers only the reference kernels.
#ifndef TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_SIMD_H_
#define TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_SIMD_H_

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
#define TINYMLOPS_OPTIMIZED_AVX512 1
#define TINYMLOPS_OPTIMIZED_FLOAT 1
#elif defined(__AVX2__) && defined(__FMA__)
#define TINYMLOPS_OPTIMIZED_AVX2 1
#define TINYMLOPS_OPTIMIZED_FLOAT 1
#endif

#ifdef TINYMLOPS_OPTIMIZED_FLOAT
// GCC 12's AVX-512 headers pass _mm512_undefined_ps() into masked builtins, which its own
// -Wuninitialized flags (GCC bug 105593); the warning points into the header, so silence it
// there only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#else
#include <immintrin.h>
#endif

#include <cstdint>

namespace tinymlops::runtime::optimized {

#ifdef TINYMLOPS_OPTIMIZED_AVX512
using FloatVector = __m512;
using LaneBits = __mmask16;
constexpr int kFloatLanes = 16;
constexpr int kVectorRegisters = 32;

// The first `lanes` (0 to kFloatLanes) lanes of a vector.
inline LaneBits LaneMask(int lanes) { return static_cast<LaneBits>((1u << lanes) - 1u); }
inline FloatVector LoadFloats(const float* source) { return _mm512_loadu_ps(source); }
// The lanes in `mask` from memory (the others are never read), zero in the others.
inline FloatVector LoadFloatLanes(LaneBits mask, const float* source) {
  return _mm512_maskz_loadu_ps(mask, source);
}
inline void StoreFloats(float* destination, FloatVector value) {
  _mm512_storeu_ps(destination, value);
}
// Stores the lanes in `mask` only (the others are never written).
inline void StoreFloatLanes(float* destination, LaneBits mask, FloatVector value) {
  _mm512_mask_storeu_ps(destination, mask, value);
}
inline FloatVector BroadcastFloat(float value) { return _mm512_set1_ps(value); }
inline FloatVector ZeroFloatVector() { return _mm512_setzero_ps(); }
// a * b + c.
inline FloatVector MultiplyAdd(FloatVector a, FloatVector b, FloatVector c) {
  return _mm512_fmadd_ps(a, b, c);
}
inline FloatVector MinFloats(FloatVector a, FloatVector b) { return _mm512_min_ps(a, b); }
inline FloatVector MaxFloats(FloatVector a, FloatVector b) { return _mm512_max_ps(a, b); }
// Lane i holds lane i + shift of `value` (0 <= shift < kFloatLanes; lanes past the end wrap).
inline FloatVector ShiftLanesDown(FloatVector value, int shift) {
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  return _mm512_permutexvar_ps(_mm512_add_epi32(lanes, _mm512_set1_epi32(shift)), value);
}
// The even lanes of `low` followed by the even lanes of `high`.
inline FloatVector EvenLanes(FloatVector low, FloatVector high) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  return _mm512_permutex2var_ps(low, even, high);
}

// Integer vectors: kIntLanes int32 lanes, or half as many int64 lanes.
using IntVector = __m512i;
constexpr int kIntLanes = 16;
inline IntVector LoadInts(const int32_t* source) { return _mm512_loadu_si512(source); }
inline void StoreInts(int32_t* destination, IntVector value) {
  _mm512_storeu_si512(destination, value);
}
inline IntVector BroadcastInt32(int32_t value) { return _mm512_set1_epi32(value); }
inline IntVector BroadcastInt64(int64_t value) { return _mm512_set1_epi64(value); }
inline IntVector AddInt32(IntVector a, IntVector b) { return _mm512_add_epi32(a, b); }
inline IntVector SubtractInt32(IntVector a, IntVector b) { return _mm512_sub_epi32(a, b); }
// The low 32 bits of each lane's product (wrapping).
inline IntVector MultiplyLowInt32(IntVector a, IntVector b) { return _mm512_mullo_epi32(a, b); }
inline IntVector MinInt32(IntVector a, IntVector b) { return _mm512_min_epi32(a, b); }
inline IntVector MaxInt32(IntVector a, IntVector b) { return _mm512_max_epi32(a, b); }
inline IntVector AndInts(IntVector a, IntVector b) { return _mm512_and_si512(a, b); }
// The int64 products of the low (signed) dwords of each 64-bit lane.
inline IntVector MultiplyEvenInt32(IntVector a, IntVector b) { return _mm512_mul_epi32(a, b); }
// The high dword of each 64-bit lane, moved to its low dword (the high dword then 0).
inline IntVector HighDwords(IntVector a) { return _mm512_srli_epi64(a, 32); }
// Each int32 lane shifted left by its own count (0 to 31), or by one count.
inline IntVector ShiftLeftInt32Lanes(IntVector a, IntVector count) {
  return _mm512_sllv_epi32(a, count);
}
inline IntVector ShiftLeftInt32(IntVector a, int count) {
  return _mm512_sll_epi32(a, _mm_cvtsi32_si128(count));
}
// kIntLanes bytes as int32 lanes, sign- or zero-extended (int8 or uint8).
inline IntVector LoadBytesAsInt32(const uint8_t* bytes, bool is_signed) {
  const __m128i loaded = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes));
  return is_signed ? _mm512_cvtepi8_epi32(loaded) : _mm512_cvtepu8_epi32(loaded);
}
// The low byte of every int32 lane, to kIntLanes bytes.
inline void StoreLowBytes(uint8_t* bytes, IntVector value) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(bytes), _mm512_cvtepi32_epi8(value));
}
// Stores the first `lanes` (0 to 16) of 16 bytes: a whole vector unmasked (masked byte stores
// are slow on some CPUs), fewer masked.
inline void StoreByteLanes(uint8_t* destination, __m128i bytes, int lanes) {
  if (lanes >= 16)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(destination), bytes);
  else
    _mm_mask_storeu_epi8(destination, LaneMask(lanes), bytes);
}
inline FloatVector Int32ToFloats(IntVector value) { return _mm512_cvtepi32_ps(value); }
// Rounded to nearest (exact for integer-valued floats).
inline IntVector FloatsToInt32(FloatVector value) { return _mm512_cvtps_epi32(value); }
// acc + the sums of the two int16 products of each int32 lane's int16 pair (exact in int32
// for int8-range operands).
inline IntVector MultiplyAddInt16Pairs(IntVector acc, IntVector a, IntVector b) {
#ifdef __AVX512VNNI__
  return _mm512_dpwssd_epi32(acc, a, b);
#else
  return _mm512_add_epi32(acc, _mm512_madd_epi16(a, b));
#endif
}
#else
using FloatVector = __m256;
using LaneBits = uint16_t;  // the low 8 bits
constexpr int kFloatLanes = 8;
constexpr int kVectorRegisters = 16;

inline LaneBits LaneMask(int lanes) { return static_cast<LaneBits>((1u << lanes) - 1u); }
// The all-ones or all-zeros lanes of every 8-bit mask, as AVX2's masked moves take them: one
// load (8 KB of table) instead of the three vector operations that would expand a mask in
// the inner loops.
struct LaneMaskTable {
  alignas(32) int32_t lanes[256][8];
};
inline constexpr LaneMaskTable kLaneMasks = [] {
  LaneMaskTable table{};
  for (int mask = 0; mask < 256; ++mask)
    for (int lane = 0; lane < 8; ++lane) table.lanes[mask][lane] = (mask >> lane) & 1 ? -1 : 0;
  return table;
}();
inline __m256i LaneMaskVector(LaneBits mask) {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(kLaneMasks.lanes[mask & 0xFF]));
}
inline FloatVector LoadFloats(const float* source) { return _mm256_loadu_ps(source); }
inline FloatVector LoadFloatLanes(LaneBits mask, const float* source) {
  return _mm256_maskload_ps(source, LaneMaskVector(mask));
}
inline void StoreFloats(float* destination, FloatVector value) {
  _mm256_storeu_ps(destination, value);
}
inline void StoreFloatLanes(float* destination, LaneBits mask, FloatVector value) {
  _mm256_maskstore_ps(destination, LaneMaskVector(mask), value);
}
inline FloatVector BroadcastFloat(float value) { return _mm256_set1_ps(value); }
inline FloatVector ZeroFloatVector() { return _mm256_setzero_ps(); }
inline FloatVector MultiplyAdd(FloatVector a, FloatVector b, FloatVector c) {
  return _mm256_fmadd_ps(a, b, c);
}
inline FloatVector MinFloats(FloatVector a, FloatVector b) { return _mm256_min_ps(a, b); }
inline FloatVector MaxFloats(FloatVector a, FloatVector b) { return _mm256_max_ps(a, b); }
inline FloatVector ShiftLanesDown(FloatVector value, int shift) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_permutevar8x32_ps(value, _mm256_add_epi32(lanes, _mm256_set1_epi32(shift)));
}
inline FloatVector EvenLanes(FloatVector low, FloatVector high) {
  // Per 128-bit half: low 0 2, high 0 2; then the four 64-bit pairs in order.
  const __m256 pairs = _mm256_shuffle_ps(low, high, _MM_SHUFFLE(2, 0, 2, 0));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(pairs), _MM_SHUFFLE(3, 1, 2, 0)));
}

using IntVector = __m256i;
constexpr int kIntLanes = 8;
inline IntVector LoadInts(const int32_t* source) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(source));
}
inline void StoreInts(int32_t* destination, IntVector value) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(destination), value);
}
inline IntVector BroadcastInt32(int32_t value) { return _mm256_set1_epi32(value); }
inline IntVector BroadcastInt64(int64_t value) { return _mm256_set1_epi64x(value); }
inline IntVector AddInt32(IntVector a, IntVector b) { return _mm256_add_epi32(a, b); }
inline IntVector SubtractInt32(IntVector a, IntVector b) { return _mm256_sub_epi32(a, b); }
inline IntVector MultiplyLowInt32(IntVector a, IntVector b) { return _mm256_mullo_epi32(a, b); }
inline IntVector MinInt32(IntVector a, IntVector b) { return _mm256_min_epi32(a, b); }
inline IntVector MaxInt32(IntVector a, IntVector b) { return _mm256_max_epi32(a, b); }
inline IntVector AndInts(IntVector a, IntVector b) { return _mm256_and_si256(a, b); }
inline IntVector MultiplyEvenInt32(IntVector a, IntVector b) { return _mm256_mul_epi32(a, b); }
inline IntVector HighDwords(IntVector a) { return _mm256_srli_epi64(a, 32); }
inline IntVector ShiftLeftInt32Lanes(IntVector a, IntVector count) {
  return _mm256_sllv_epi32(a, count);
}
inline IntVector ShiftLeftInt32(IntVector a, int count) {
  return _mm256_sll_epi32(a, _mm_cvtsi32_si128(count));
}
inline IntVector LoadBytesAsInt32(const uint8_t* bytes, bool is_signed) {
  const __m128i loaded = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(bytes));
  return is_signed ? _mm256_cvtepi8_epi32(loaded) : _mm256_cvtepu8_epi32(loaded);
}
inline void StoreLowBytes(uint8_t* bytes, IntVector value) {
  // Bytes 0, 4, 8, 12 of each 128-bit half, then the two halves' first dwords together.
  const __m256i low_bytes = _mm256_shuffle_epi8(
      value, _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8,
                              12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
  const __m256i together =
      _mm256_permutevar8x32_epi32(low_bytes, _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(bytes), _mm256_castsi256_si128(together));
}
inline FloatVector Int32ToFloats(IntVector value) { return _mm256_cvtepi32_ps(value); }
inline IntVector FloatsToInt32(FloatVector value) { return _mm256_cvtps_epi32(value); }
inline IntVector MultiplyAddInt16Pairs(IntVector acc, IntVector a, IntVector b) {
  return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b));
}
#endif

// Every lane.
constexpr LaneBits kAllLanes = static_cast<LaneBits>((1u << kFloatLanes) - 1u);

// Copies `count` floats with vector moves: for the short rows (a few to a few dozen floats) of
// im2col and padded planes, where a memcpy call costs more than the copy.
inline void CopyFloats(float* destination, const float* source, int count) {
  for (; count >= kFloatLanes;
       count -= kFloatLanes, source += kFloatLanes, destination += kFloatLanes)
    StoreFloats(destination, LoadFloats(source));
  if (count > 0) {
    const LaneBits mask = LaneMask(count);
    StoreFloatLanes(destination, mask, LoadFloatLanes(mask, source));
  }
}

// Sets `count` floats to zero, as CopyFloats.
inline void ZeroFloats(float* destination, int count) {
  const FloatVector zero = ZeroFloatVector();
  for (; count >= kFloatLanes; count -= kFloatLanes, destination += kFloatLanes)
    StoreFloats(destination, zero);
  if (count > 0) StoreFloatLanes(destination, LaneMask(count), zero);
}

}  // namespace tinymlops::runtime::optimized
#endif  // TINYMLOPS_OPTIMIZED_FLOAT

#endif  // TINYMLOPS_RUNTIME_KERNELS_OPTIMIZED_SIMD_H_
