#include "runtime/kernels/optimized/sgemm.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

#include <algorithm>

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = 16;          // floats per __m512
constexpr int kRowPanel = 8;        // rows of A per row panel (GemmPackedA tile height)
constexpr int kPackedAVectors = 2;  // 16-column vectors per GemmPackedA tile

__mmask16 LaneMask(int lanes) { return static_cast<__mmask16>((1u << lanes) - 1u); }

// Where one tile reads its operands. A's element (r, k) is a[r * a_row + k * a_step] (both
// compile-time for packed row panels); B's vector v at step k is b[v * b_vector + k * b_step].
struct TileOperands {
  const float* a;
  ptrdiff_t a_row;
  ptrdiff_t a_step;
  const float* b;
  ptrdiff_t b_vector;
  ptrdiff_t b_step;
};

// One MR x (NV * 16) tile of C: `rows` (<= MR) rows are stored, the last vector stores the
// lanes in `last_mask`. Bias is per row (kRowBias) or per column.
template <int MR, int NV, bool kPackedA, bool kRowBias>
inline void Tile(int k, const TileOperands& in, __mmask16 last_mask, int rows, float* c,
                 ptrdiff_t ldc, const float* bias, const FloatRange& clamp) {
  const ptrdiff_t a_row = kPackedA ? 1 : in.a_row;
  const ptrdiff_t a_step = kPackedA ? MR : in.a_step;
  __mmask16 masks[NV];
  for (int v = 0; v < NV; ++v) masks[v] = v == NV - 1 ? last_mask : static_cast<__mmask16>(0xFFFF);
  __m512 acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) {
      if (!bias)
        acc[r][v] = _mm512_setzero_ps();
      else if (kRowBias)
        acc[r][v] = _mm512_set1_ps(r < rows ? bias[r] : 0.0f);
      else
        acc[r][v] = _mm512_maskz_loadu_ps(masks[v], bias + v * kLanes);
    }
  const float* a = in.a;
  const float* b = in.b;
  for (int step = 0; step < k; ++step) {
    __m512 bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = _mm512_maskz_loadu_ps(masks[v], b + v * in.b_vector);
    for (int r = 0; r < MR; ++r) {
      const __m512 av = _mm512_set1_ps(a[r * a_row]);
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
    }
    a += a_step;
    b += in.b_step;
  }
  // max(lo, x) and min(hi, x) return x when x is NaN, so NaN propagates as in a plain loop.
  const __m512 lo = _mm512_set1_ps(clamp.min);
  const __m512 hi = _mm512_set1_ps(clamp.max);
  for (int r = 0; r < MR; ++r) {
    if (r >= rows) break;
    for (int v = 0; v < NV; ++v)
      _mm512_mask_storeu_ps(c + r * ldc + v * kLanes, masks[v],
                            _mm512_min_ps(hi, _mm512_max_ps(lo, acc[r][v])));
  }
}

// Runs Tile<MR, nv> for a runtime nv in [1, kMaxVectors].
template <int MR, int kMaxVectors>
void ColumnPanelTile(int nv, int k, const TileOperands& in, __mmask16 last_mask, int rows,
                     float* c, ptrdiff_t ldc, const float* bias, const FloatRange& clamp) {
  if constexpr (kMaxVectors > 1) {
    if (nv < kMaxVectors)
      return ColumnPanelTile<MR, kMaxVectors - 1>(nv, k, in, last_mask, rows, c, ldc, bias,
                                                   clamp);
  }
  Tile<MR, kMaxVectors, false, false>(k, in, last_mask, rows, c, ldc, bias, clamp);
}

// GemmPackedB over `rows` rows of A starting at `a`, MR rows per tile.
template <int MR, int kMaxVectors>
void GemmPackedBRows(const float* a, ptrdiff_t a_row_stride, ptrdiff_t a_column_stride,
                     int rows, int k, const float* packed_b, int n, float* c, ptrdiff_t ldc,
                     const GemmEpilogue& epilogue) {
  for (int j0 = 0; j0 < n; j0 += kMaxVectors * kLanes) {
    const int columns = std::min(kMaxVectors * kLanes, n - j0);
    const int nv = (columns + kLanes - 1) / kLanes;
    const TileOperands in{a,
                          a_row_stride,
                          a_column_stride,
                          packed_b + static_cast<ptrdiff_t>(j0) * k,
                          static_cast<ptrdiff_t>(k) * kLanes,
                          kLanes};
    ColumnPanelTile<MR, kMaxVectors>(nv, k, in, LaneMask(columns - (nv - 1) * kLanes), rows,
                                     c + j0, ldc, epilogue.bias ? epilogue.bias + j0 : nullptr,
                                     epilogue.clamp);
  }
}

}  // namespace

size_t PackedRowPanelsFloats(int m, int k) {
  return static_cast<size_t>((m + kRowPanel - 1) / kRowPanel) * kRowPanel * k;
}

void PackRowPanels(const float* a, ptrdiff_t row_stride, ptrdiff_t column_stride, int m, int k,
                   float* packed) {
  for (int i0 = 0; i0 < m; i0 += kRowPanel)
    for (int j = 0; j < k; ++j)
      for (int r = 0; r < kRowPanel; ++r) {
        const int i = i0 + r;
        *packed++ = i < m ? a[i * row_stride + j * column_stride] : 0.0f;
      }
}

void GemmPackedA(const float* packed_a, int m, int k, const float* b, ptrdiff_t ldb, int n,
                 float* c, ptrdiff_t ldc, const GemmEpilogue& epilogue) {
  constexpr int kColumns = kPackedAVectors * kLanes;
  for (int j0 = 0; j0 < n; j0 += kColumns) {
    const int columns = std::min(kColumns, n - j0);
    const int nv = (columns + kLanes - 1) / kLanes;
    const __mmask16 last_mask = LaneMask(columns - (nv - 1) * kLanes);
    for (int i0 = 0; i0 < m; i0 += kRowPanel) {
      const TileOperands in{packed_a + static_cast<ptrdiff_t>(i0) * k, 1, kRowPanel, b + j0,
                            kLanes, ldb};
      const int rows = std::min(kRowPanel, m - i0);
      const float* bias = epilogue.bias ? epilogue.bias + i0 : nullptr;
      float* tile_c = c + i0 * ldc + j0;
      if (nv == kPackedAVectors)
        Tile<kRowPanel, kPackedAVectors, true, true>(k, in, last_mask, rows, tile_c, ldc, bias,
                                                     epilogue.clamp);
      else
        Tile<kRowPanel, 1, true, true>(k, in, last_mask, rows, tile_c, ldc, bias,
                                       epilogue.clamp);
    }
  }
}

size_t PackedColumnPanelsFloats(int k, int n) {
  return static_cast<size_t>((n + kLanes - 1) / kLanes) * kLanes * k;
}

void PackColumnPanels(const float* b, ptrdiff_t row_stride, ptrdiff_t column_stride, int k,
                      int n, float scale, float* packed) {
  for (int j0 = 0; j0 < n; j0 += kLanes)
    for (int i = 0; i < k; ++i)
      for (int lane = 0; lane < kLanes; ++lane) {
        const int j = j0 + lane;
        *packed++ = j < n ? scale * b[i * row_stride + j * column_stride] : 0.0f;
      }
}

void GemmPackedB(const float* a, ptrdiff_t a_row_stride, ptrdiff_t a_column_stride, int m, int k,
                 const float* packed_b, int n, float* c, ptrdiff_t ldc,
                 const GemmEpilogue& epilogue) {
  // Four rows share each loaded B vector; a single row (batch 1) gets eight accumulators.
  constexpr int kRowsPerTile = 4;
  int i = 0;
  for (; i + kRowsPerTile <= m; i += kRowsPerTile)
    GemmPackedBRows<kRowsPerTile, 4>(a + i * a_row_stride, a_row_stride, a_column_stride,
                                     kRowsPerTile, k, packed_b, n, c + i * ldc, ldc, epilogue);
  for (; i < m; ++i)
    GemmPackedBRows<1, 8>(a + i * a_row_stride, a_row_stride, a_column_stride, 1, k, packed_b, n,
                          c + i * ldc, ldc, epilogue);
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
