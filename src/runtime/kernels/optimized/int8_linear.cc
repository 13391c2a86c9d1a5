#include "runtime/kernels/optimized/int8_linear.h"

#ifdef TINYMLOPS_OPTIMIZED_FLOAT

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "runtime/kernels/linear_requantization.h"
#include "runtime/kernels/optimized/vector_requantization.h"

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = kIntLanes;  // int32 accumulators per vector
constexpr int kMaxVectors = 8;     // column vectors per tile

struct Int8LinearData {
  int rows, depth, depth_pairs, cols;
  ptrdiff_t a_row_stride, a_depth_stride;
  const int16_t* packed_b;  // per kLanes-column panel: depth_pairs x 16 x (b[2p, n], b[2p+1, n])
  // Per column, padded with zeros to whole vectors of columns: the bias (0 without one) and the
  // requantization of linear_requantization.h in the form of vector_requantization.h.
  const int32_t* bias;
  const int32_t* multiplier;
  const int32_t* left_shift;
  const int32_t* right_shift;
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t output_min;
  int32_t output_max;
};

// Packs B minus its zero points into kLanes-column panels of int16 k-pairs (zero-padded).
template <typename W>
void PackPairs(const Int8LinearSpec& spec, const LinearRequantization& r, int16_t* packed) {
  const W* b = spec.b->Data<W>();
  const int depth_pairs = (spec.depth + 1) / 2;
  for (int n0 = 0; n0 < spec.cols; n0 += kLanes)
    for (int pair = 0; pair < depth_pairs; ++pair)
      for (int lane = 0; lane < kLanes; ++lane)
        for (int half = 0; half < 2; ++half) {
          const int n = n0 + lane, k = 2 * pair + half;
          *packed++ = n < spec.cols && k < spec.depth
                          ? static_cast<int16_t>(
                                r.Weight(b[k * spec.b_depth_stride + n * spec.b_col_stride], n))
                          : int16_t{0};
        }
}

// acc[v] for columns [n0, n0 + kLanes * NV) of one row, from its packed A pairs.
template <int NV>
void Accumulate(const Int8LinearData& data, const int32_t* a_pairs, int n0, int32_t* sums) {
  IntVector acc[NV];  // the loops over v are unrolled so that acc stays in registers
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) acc[v] = BroadcastInt32(0);
  const int16_t* panel = data.packed_b + static_cast<ptrdiff_t>(n0) * data.depth_pairs * 2;
  const ptrdiff_t panel_stride = static_cast<ptrdiff_t>(data.depth_pairs) * kLanes * 2;
  for (int pair = 0; pair < data.depth_pairs; ++pair) {
    const IntVector a = BroadcastInt32(a_pairs[pair]);
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      const IntVector b =
          LoadInts(reinterpret_cast<const int32_t*>(panel + v * panel_stride + pair * kLanes * 2));
      acc[v] = MultiplyAddInt16Pairs(acc[v], a, b);
    }
  }
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) StoreInts(sums + v * kLanes, acc[v]);
}

template <int NV>
void AccumulateUpTo(int nv, const Int8LinearData& data, const int32_t* a_pairs, int n0,
                    int32_t* sums) {
  if constexpr (NV > 1) {
    if (nv < NV) return AccumulateUpTo<NV - 1>(nv, data, a_pairs, n0, sums);
  }
  Accumulate<NV>(data, a_pairs, n0, sums);
}

// a_pairs = row[k * depth_stride] - zero_point as int16 for k in [0, 2 * depth_pairs), with
// 0 past depth.
template <typename X>
void PackRow(const Int8LinearData& data, const X* row, int16_t* a_pairs) {
#ifdef TINYMLOPS_OPTIMIZED_AVX512
  if (data.a_depth_stride == 1) {  // contiguous: 32 values per masked vector
    const __m512i zero_point = _mm512_set1_epi16(static_cast<int16_t>(data.input_zero_point));
    for (int k = 0; k < 2 * data.depth_pairs; k += 32) {
      const int valid = std::min(32, data.depth - k);
      const __mmask32 mask = valid >= 32 ? ~__mmask32{0}
                             : valid > 0 ? (__mmask32{1} << valid) - 1
                                         : 0;
      const __m256i bytes = _mm256_maskz_loadu_epi8(mask, row + k);
      const __m512i wide =
          std::is_same_v<X, int8_t> ? _mm512_cvtepi8_epi16(bytes) : _mm512_cvtepu8_epi16(bytes);
      const int stored = std::min(32, 2 * data.depth_pairs - k);
      _mm512_mask_storeu_epi16(a_pairs + k, (__mmask32{1} << (stored - 1) << 1) - 1,
                               _mm512_maskz_sub_epi16(mask, wide, zero_point));
    }
    return;
  }
#endif
  for (int k = 0; k < 2 * data.depth_pairs; ++k)
    a_pairs[k] = k < data.depth
                     ? static_cast<int16_t>(row[k * data.a_depth_stride] - data.input_zero_point)
                     : int16_t{0};
}

template <typename X>
Status EvalInt8Linear(Node& node) {
  const auto& data = *static_cast<const Int8LinearData*>(node.user_data);
  const X* a = node.inputs[0]->Data<X>();
  X* y = node.outputs[0]->Data<X>();
  auto* a_pairs = static_cast<int16_t*>(node.scratch);
  alignas(64) int32_t sums[kMaxVectors * kLanes];
  const IntVector zero_point = BroadcastInt32(data.output_zero_point);
  const IntVector low = BroadcastInt32(data.output_min);
  const IntVector high = BroadcastInt32(data.output_max);
  for (int m = 0; m < data.rows; ++m) {
    // Pair p holds (a[2p] - zero_point) in its low and (a[2p+1] - zero_point) in its high
    // int16; an odd depth's last pair has 0 high, against B's zero padding.
    PackRow(data, a + m * data.a_row_stride, a_pairs);
    auto* y_row = reinterpret_cast<uint8_t*>(y + static_cast<ptrdiff_t>(m) * data.cols);
    for (int n0 = 0; n0 < data.cols; n0 += kMaxVectors * kLanes) {
      const int columns = std::min(kMaxVectors * kLanes, data.cols - n0);
      AccumulateUpTo<kMaxVectors>((columns + kLanes - 1) / kLanes, data,
                                  reinterpret_cast<const int32_t*>(a_pairs), n0, sums);
      for (int j = 0; j < columns; j += kLanes) {
        const int n = n0 + j;
        const IntVector accumulator = AddInt32(LoadInts(sums + j), LoadInts(data.bias + n));
        const IntVector result = RequantizeLanes(
            accumulator, LoadInts(data.multiplier + n), LoadInts(data.left_shift + n),
            LoadInts(data.right_shift + n), zero_point, low, high);
        const int count = std::min(kLanes, columns - j);
        if (count == kLanes) {
          StoreLowBytes(y_row + n, result);
        } else {
          uint8_t bytes[kLanes];
          StoreLowBytes(bytes, result);
          std::memcpy(y_row + n, bytes, count);
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status PrepareInt8Linear(PrepareContext& context, Node& node, const Int8LinearSpec& spec) {
  const Tensor& input = *node.inputs[0];
  const Tensor& output = *node.outputs[0];
  const int depth_pairs = (spec.depth + 1) / 2;
  const size_t panels = static_cast<size_t>((spec.cols + kLanes - 1) / kLanes);
  const size_t packed_bytes = panels * depth_pairs * kLanes * 2 * sizeof(int16_t);
  const size_t column_bytes = panels * kLanes * sizeof(int32_t);  // one per-column array
  const size_t header_bytes = (sizeof(Int8LinearData) + 63) / 64 * 64;
  const size_t bytes = header_bytes + packed_bytes + 4 * column_bytes;
  auto* block = static_cast<unsigned char*>(context.AllocatePersistent(bytes));
  if (!block)
    return Status::Error(StatusCode::kResourceExhausted,
                         "%s node '%s': cannot allocate %zu bytes for packed weights",
                         tmm::EnumNameOpType(node.op->type()), node.name, bytes);
  auto* data = reinterpret_cast<Int8LinearData*>(block);
  *data = Int8LinearData{};
  LinearRequantization requantization;
  TMM_RETURN_IF_ERROR(PrepareLinearRequantization(context, node, input, *spec.b,
                                                  spec.b_channel_axis, spec.cols, output,
                                                  spec.activation, &requantization));
  auto* packed = reinterpret_cast<int16_t*>(block + header_bytes);
  if (spec.b->dtype == DType::kInt8)
    PackPairs<int8_t>(spec, requantization, packed);
  else
    PackPairs<uint8_t>(spec, requantization, packed);
  // The block is zeroed, so the padding columns stay 0.
  auto* columns = reinterpret_cast<int32_t*>(block + header_bytes + packed_bytes);
  const size_t column_count = column_bytes / sizeof(int32_t);
  int32_t* bias = columns;
  int32_t* multiplier = columns + column_count;
  int32_t* left_shift = columns + 2 * column_count;
  int32_t* right_shift = columns + 3 * column_count;
  for (int n = 0; n < spec.cols; ++n) {
    const int index = requantization.channel_count == 1 ? 0 : n;
    const ChannelRequantization channel = ChannelRequantization::FromShift(
        requantization.multiplier[index], requantization.shift[index]);
    bias[n] = spec.bias ? spec.bias[n * spec.bias_col_stride] : 0;
    multiplier[n] = channel.multiplier;
    left_shift[n] = channel.left_shift;
    right_shift[n] = channel.right_shift;
  }
  data->rows = spec.rows;
  data->depth = spec.depth;
  data->depth_pairs = depth_pairs;
  data->cols = spec.cols;
  data->a_row_stride = spec.a_row_stride;
  data->a_depth_stride = spec.a_depth_stride;
  data->packed_b = packed;
  data->bias = bias;
  data->multiplier = multiplier;
  data->left_shift = left_shift;
  data->right_shift = right_shift;
  data->input_zero_point = requantization.input_zero_point;
  data->output_zero_point = requantization.output_zero_point;
  data->output_min = requantization.output_range.min;
  data->output_max = requantization.output_range.max;
  context.RequestScratch(node, depth_pairs * sizeof(int32_t));
  node.user_data = data;
  node.eval = input.dtype == DType::kInt8 ? EvalInt8Linear<int8_t> : EvalInt8Linear<uint8_t>;
  return Status::Ok();
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_FLOAT
