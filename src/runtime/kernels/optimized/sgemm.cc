#include "runtime/kernels/optimized/sgemm.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

#include <algorithm>

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = kFloatLanes;
// The tiles fill most of the vector registers with accumulators: a GemmPackedA tile holds
// kRowPanel x kMaxTileVectors of them, a GemmPackedB tile kColumnTileRows x kBlockVectors.
constexpr bool kWideRegisterFile = kVectorRegisters >= 32;
constexpr int kRowPanel = kWideRegisterFile ? 8 : 4;  // rows of A per row panel (tile height)
constexpr int kMaxTileVectors = 3;  // vectors of flat positions per GemmPackedA tile
constexpr int kColumnTileRows = 6;
constexpr int kBlockVectors = kWideRegisterFile ? 4 : 2;  // column panels per GemmPackedB tile

// max(lo, x) and min(hi, x) return x when x is NaN, so NaN propagates as in a plain loop.
inline FloatVector Clamp(FloatVector value, FloatVector lo, FloatVector hi) {
  return MinFloats(hi, MaxFloats(lo, value));
}

// One GemmPackedA tile: rows [0, rows) of a row panel times NV vectors of flat positions from
// vector `first_vector`; the last vector holds `last_lanes` positions. k >= 1. With
// kTapMasks, every load of B is masked by the layout's tap masks.
template <int NV, bool kTapMasks>
void FlatTile(const float* panel, int k, const FlatConvOperands& io, int first_vector,
              int last_lanes, int rows, const float* bias, FloatVector lo, FloatVector hi) {
  FloatVector acc[kRowPanel][NV];
  for (int r = 0; r < kRowPanel; ++r) {
    const FloatVector initial = BroadcastFloat(bias && r < rows ? bias[r] : 0.0f);
    for (int v = 0; v < NV; ++v) acc[r][v] = initial;
  }
  const LaneBits last_mask = LaneMask(last_lanes);
  const float* b = io.planes + first_vector * kLanes;
  const int32_t* offsets = io.tap_offsets;
  const int32_t* offsets_end = offsets + k;
  const int taps = io.layout->masks_taps ? io.layout->tap_mask_taps : 1;
  const uint16_t* tap_masks = kTapMasks ? io.layout->tap_masks + first_vector * taps : nullptr;
  int tap = 0;
  // A do-while: with a loop that might run zero times, GCC keeps acc in memory.
  do {
    const float* row = b + *offsets;
    FloatVector bv[NV];
    if constexpr (kTapMasks) {
      for (int v = 0; v < NV; ++v)
        bv[v] = LoadFloatLanes(tap_masks[v * taps + tap], row + v * kLanes);
      tap = tap + 1 == taps ? 0 : tap + 1;
    } else {
      for (int v = 0; v + 1 < NV; ++v) bv[v] = LoadFloats(row + v * kLanes);
      bv[NV - 1] = LoadFloatLanes(last_mask, row + (NV - 1) * kLanes);
    }
    for (int r = 0; r < kRowPanel; ++r) {
      const FloatVector av = BroadcastFloat(panel[r]);
      for (int v = 0; v < NV; ++v) acc[r][v] = MultiplyAdd(av, bv[v], acc[r][v]);
    }
    panel += kRowPanel;
  } while (++offsets != offsets_end);
  if (rows == kRowPanel && io.layout->store_segments == 0) {  // a full panel, contiguous rows
    for (int r = 0; r < kRowPanel; ++r)
      for (int v = 0; v < NV; ++v)
        StoreFloatLanes(io.output + r * io.channel_stride + (first_vector + v) * kLanes,
                        v + 1 < NV ? kAllLanes : last_mask, Clamp(acc[r][v], lo, hi));
    return;
  }
  // Else the clamped tile goes through memory: acc indexed by `rows`, a variable, would make
  // GCC keep all of acc in memory during the loop above.
  alignas(64) float tile[kRowPanel][NV][kLanes];
  for (int r = 0; r < kRowPanel; ++r)
    for (int v = 0; v < NV; ++v) StoreFloats(tile[r][v], Clamp(acc[r][v], lo, hi));
  for (int r = 0; r < rows; ++r)
    for (int v = 0; v < NV; ++v)
      StoreFlatVector(*io.layout, io.output + r * io.channel_stride, first_vector + v,
                      LoadFloats(tile[r][v]));
}

// FlatTile<nv, kTapMasks> for a runtime nv in [1, kMaxTileVectors].
template <bool kTapMasks>
void FlatTileOfWidth(int nv, const float* panel, int k, const FlatConvOperands& io,
                     int first_vector, int last_lanes, int rows, const float* bias, FloatVector lo,
                     FloatVector hi) {
  static_assert(kMaxTileVectors == 3, "one case per tile width");
  if (nv == 3)
    FlatTile<3, kTapMasks>(panel, k, io, first_vector, last_lanes, rows, bias, lo, hi);
  else if (nv == 2)
    FlatTile<2, kTapMasks>(panel, k, io, first_vector, last_lanes, rows, bias, lo, hi);
  else
    FlatTile<1, kTapMasks>(panel, k, io, first_vector, last_lanes, rows, bias, lo, hi);
}

// One GemmPackedB tile: MR rows of A times NV column panels (a vector wide each) of packed B; the
// last vector stores the lanes in `last_mask`, and only `rows` rows are stored.
template <int MR, int NV>
void ColumnTile(const float* a, ptrdiff_t a_row, ptrdiff_t a_step, const float* packed_b, int k,
                LaneBits last_mask, int rows, float* c, ptrdiff_t ldc, const float* bias,
                FloatVector lo, FloatVector hi) {
  FloatVector acc[MR][NV];
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) {
    const FloatVector initial =
        bias ? LoadFloatLanes(v + 1 < NV ? kAllLanes : last_mask, bias + v * kLanes)
             : ZeroFloatVector();
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) acc[r][v] = initial;
  }
  const ptrdiff_t b_vector = static_cast<ptrdiff_t>(k) * kLanes;
  int step = 0;
  do {  // as in FlatTile
    FloatVector bv[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) bv[v] = LoadFloats(packed_b + v * b_vector);
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      const FloatVector av = BroadcastFloat(a[r * a_row]);
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) acc[r][v] = MultiplyAdd(av, bv[v], acc[r][v]);
    }
    a += a_step;
    packed_b += kLanes;
  } while (++step < k);
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    if (r == rows) break;  // rows is MR except for GemmPackedB's single-row tiles
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v)
      StoreFloatLanes(c + r * ldc + v * kLanes, v + 1 < NV ? kAllLanes : last_mask,
                      Clamp(acc[r][v], lo, hi));
  }
}

// Runs ColumnTile<MR, nv> for a runtime nv in [1, kMaxVectors].
template <int MR, int kMaxVectors>
void ColumnTileOfWidth(int nv, const float* a, ptrdiff_t a_row, ptrdiff_t a_step,
                       const float* packed_b, int k, LaneBits last_mask, int rows, float* c,
                       ptrdiff_t ldc, const float* bias, FloatVector lo, FloatVector hi) {
  if constexpr (kMaxVectors > 1) {
    if (nv < kMaxVectors)
      return ColumnTileOfWidth<MR, kMaxVectors - 1>(nv, a, a_row, a_step, packed_b, k, last_mask,
                                                    rows, c, ldc, bias, lo, hi);
  }
  ColumnTile<MR, kMaxVectors>(a, a_row, a_step, packed_b, k, last_mask, rows, c, ldc, bias, lo, hi);
}

// ColumnTileOfWidth<rows, kBlockVectors> for a runtime rows in [1, kMaxRows].
template <int kMaxRows = kColumnTileRows - 1>
void LastRowsTile(int rows, int nv, const float* a, ptrdiff_t a_row, ptrdiff_t a_step,
                  const float* packed_b, int k, LaneBits last_mask, float* c, ptrdiff_t ldc,
                  const float* bias, FloatVector lo, FloatVector hi) {
  if constexpr (kMaxRows > 1) {
    if (rows < kMaxRows)
      return LastRowsTile<kMaxRows - 1>(rows, nv, a, a_row, a_step, packed_b, k, last_mask, c, ldc,
                                        bias, lo, hi);
  }
  ColumnTileOfWidth<kMaxRows, kBlockVectors>(nv, a, a_row, a_step, packed_b, k, last_mask, kMaxRows,
                                             c, ldc, bias, lo, hi);
}

// GemmPackedB over `rows` (<= MR) rows of A starting at `a`.
template <int MR, int kMaxVectors>
void ColumnTileRow(const float* a, ptrdiff_t a_row_stride, ptrdiff_t a_column_stride, int rows,
                   int k, const float* packed_b, int n, float* c, ptrdiff_t ldc,
                   const GemmEpilogue& epilogue) {
  const FloatVector lo = BroadcastFloat(epilogue.clamp.min);
  const FloatVector hi = BroadcastFloat(epilogue.clamp.max);
  for (int j0 = 0; j0 < n; j0 += kMaxVectors * kLanes) {
    const int columns = std::min(kMaxVectors * kLanes, n - j0);
    const int nv = (columns + kLanes - 1) / kLanes;
    ColumnTileOfWidth<MR, kMaxVectors>(nv, a, a_row_stride, a_column_stride,
                                       packed_b + static_cast<ptrdiff_t>(j0) * k, k,
                                       LaneMask(columns - (nv - 1) * kLanes), rows, c + j0, ldc,
                                       epilogue.bias ? epilogue.bias + j0 : nullptr, lo, hi);
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

void GemmPackedA(const float* packed_a, int m, int k, const FlatConvOperands& io,
                 const GemmEpilogue& epilogue) {
  const FloatVector lo = BroadcastFloat(epilogue.clamp.min);
  const FloatVector hi = BroadcastFloat(epilogue.clamp.max);
  const int positions = io.layout->positions;
  const int vectors = (positions + kLanes - 1) / kLanes;
  for (int v0 = 0; v0 < vectors;) {
    // Tiles of three vectors; four left are two tiles of two.
    const int left = vectors - v0;
    const int nv = left == 4 ? 2 : std::min(left, kMaxTileVectors);
    const int last_lanes = std::min(kLanes, positions - (v0 + nv - 1) * kLanes);
    for (int i0 = 0; i0 < m; i0 += kRowPanel) {
      const float* panel = packed_a + static_cast<ptrdiff_t>(i0) * k;
      const int rows = std::min(kRowPanel, m - i0);
      const float* bias = epilogue.bias ? epilogue.bias + i0 : nullptr;
      FlatConvOperands tile = io;
      tile.output += i0 * io.channel_stride;
      if (io.layout->masks_taps)
        FlatTileOfWidth<true>(nv, panel, k, tile, v0, last_lanes, rows, bias, lo, hi);
      else
        FlatTileOfWidth<false>(nv, panel, k, tile, v0, last_lanes, rows, bias, lo, hi);
    }
    v0 += nv;
  }
}

size_t PackedColumnPanelsFloats(int k, int n) {
  return static_cast<size_t>((n + kLanes - 1) / kLanes) * kLanes * k;
}

void PackColumnPanels(const float* b, ptrdiff_t row_stride, ptrdiff_t column_stride, int k, int n,
                      float scale, float* packed) {
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
  if (m < 4) {  // batch 1 and the like: eight accumulators per row
    for (int i = 0; i < m; ++i)
      ColumnTileRow<1, 8>(a + i * a_row_stride, a_row_stride, a_column_stride, 1, k, packed_b, n,
                          c + i * ldc, ldc, epilogue);
    return;
  }
  // Column blocks outermost, so that a block of packed B stays in cache while every row reads
  // it; kColumnTileRows rows share each loaded B vector, the last rows one tile.
  const FloatVector lo = BroadcastFloat(epilogue.clamp.min);
  const FloatVector hi = BroadcastFloat(epilogue.clamp.max);
  for (int j0 = 0; j0 < n; j0 += kBlockVectors * kLanes) {
    const int columns = std::min(kBlockVectors * kLanes, n - j0);
    const int nv = (columns + kLanes - 1) / kLanes;
    const LaneBits last_mask = LaneMask(columns - (nv - 1) * kLanes);
    const float* block = packed_b + static_cast<ptrdiff_t>(j0) * k;
    const float* bias = epilogue.bias ? epilogue.bias + j0 : nullptr;
    int i = 0;
    for (; i + kColumnTileRows <= m; i += kColumnTileRows)
      ColumnTileOfWidth<kColumnTileRows, kBlockVectors>(
          nv, a + i * a_row_stride, a_row_stride, a_column_stride, block, k, last_mask,
          kColumnTileRows, c + i * ldc + j0, ldc, bias, lo, hi);
    if (i < m)
      LastRowsTile(m - i, nv, a + i * a_row_stride, a_row_stride, a_column_stride, block, k,
                   last_mask, c + i * ldc + j0, ldc, bias, lo, hi);
  }
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
