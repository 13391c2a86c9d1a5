#include "runtime/kernels/optimized/int8_linear.h"

#ifdef TINYMLOPS_OPTIMIZED_AVX512

#include <algorithm>
#include <cstdint>

#include "runtime/kernels/linear_requantization.h"

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = 16;       // int32 accumulators per __m512i
constexpr int kMaxVectors = 8;   // column vectors per tile

struct Int8LinearData {
  int rows, depth, depth_pairs, cols;
  ptrdiff_t a_row_stride, a_depth_stride;
  const int16_t* packed_b;  // per 16-column panel: depth_pairs x 16 x (b[2p, n], b[2p+1, n])
  int32_t* bias;            // cols values, or nullptr
  LinearRequantization requantization;
};

// Packs B minus its zero points into 16-column panels of int16 k-pairs (zero-padded).
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
                          ? static_cast<int16_t>(r.Weight(
                                b[k * spec.b_depth_stride + n * spec.b_col_stride], n))
                          : int16_t{0};
        }
}

// acc[v] for columns [n0, n0 + 16 * NV) of one row, from its packed A pairs.
template <int NV>
void Accumulate(const Int8LinearData& data, const int32_t* a_pairs, int n0, int32_t* sums) {
  __m512i acc[NV];
  for (int v = 0; v < NV; ++v) acc[v] = _mm512_setzero_si512();
  const int16_t* panel = data.packed_b + static_cast<ptrdiff_t>(n0) * data.depth_pairs * 2;
  const ptrdiff_t panel_stride = static_cast<ptrdiff_t>(data.depth_pairs) * kLanes * 2;
  for (int pair = 0; pair < data.depth_pairs; ++pair) {
    const __m512i a = _mm512_set1_epi32(a_pairs[pair]);
    for (int v = 0; v < NV; ++v)
      acc[v] = _mm512_add_epi32(
          acc[v], _mm512_madd_epi16(a, _mm512_loadu_si512(panel + v * panel_stride +
                                                           pair * kLanes * 2)));
  }
  for (int v = 0; v < NV; ++v) _mm512_storeu_si512(sums + v * kLanes, acc[v]);
}

template <int NV>
void AccumulateUpTo(int nv, const Int8LinearData& data, const int32_t* a_pairs, int n0,
                    int32_t* sums) {
  if constexpr (NV > 1) {
    if (nv < NV) return AccumulateUpTo<NV - 1>(nv, data, a_pairs, n0, sums);
  }
  Accumulate<NV>(data, a_pairs, n0, sums);
}

template <typename X>
Status EvalInt8Linear(Node& node) {
  const auto& data = *static_cast<const Int8LinearData*>(node.user_data);
  const LinearRequantization& r = data.requantization;
  const X* a = node.inputs[0]->Data<X>();
  X* y = node.outputs[0]->Data<X>();
  auto* a_pairs = static_cast<int32_t*>(node.scratch);
  alignas(64) int32_t sums[kMaxVectors * kLanes];
  for (int m = 0; m < data.rows; ++m) {
    const X* row = a + m * data.a_row_stride;
    // Pair p holds (a[2p] - zero_point) in its low and (a[2p+1] - zero_point) in its high
    // int16; an odd depth's last pair has 0 high, against B's zero padding.
    for (int pair = 0; pair < data.depth_pairs; ++pair) {
      const int k = 2 * pair;
      const int32_t low = r.Input(row[k * data.a_depth_stride]);
      const int32_t high = k + 1 < data.depth ? r.Input(row[(k + 1) * data.a_depth_stride]) : 0;
      a_pairs[pair] = static_cast<int32_t>((static_cast<uint32_t>(high) << 16) |
                                           (static_cast<uint32_t>(low) & 0xFFFFu));
    }
    for (int n0 = 0; n0 < data.cols; n0 += kMaxVectors * kLanes) {
      const int columns = std::min(kMaxVectors * kLanes, data.cols - n0);
      AccumulateUpTo<kMaxVectors>((columns + kLanes - 1) / kLanes, data, a_pairs, n0, sums);
      for (int j = 0; j < columns; ++j) {
        const int n = n0 + j;
        const int32_t accumulator = sums[j] + (data.bias ? data.bias[n] : 0);
        y[static_cast<ptrdiff_t>(m) * data.cols + n] = static_cast<X>(r.Output(accumulator, n));
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
  const size_t bias_bytes = spec.bias ? spec.cols * sizeof(int32_t) : 0;
  const size_t header_bytes = (sizeof(Int8LinearData) + 63) / 64 * 64;
  const size_t bytes = header_bytes + packed_bytes + bias_bytes;
  auto* block = static_cast<unsigned char*>(context.AllocatePersistent(bytes));
  if (!block)
    return Status::Error(StatusCode::kResourceExhausted,
                         "%s node '%s': cannot allocate %zu bytes for packed weights",
                         tmm::EnumNameOpType(node.op->type()), node.name, bytes);
  auto* data = reinterpret_cast<Int8LinearData*>(block);
  *data = Int8LinearData{};
  TMM_RETURN_IF_ERROR(PrepareLinearRequantization(context, node, input, *spec.b,
                                                  spec.b_channel_axis, spec.cols, output,
                                                  spec.activation, &data->requantization));
  auto* packed = reinterpret_cast<int16_t*>(block + header_bytes);
  if (spec.b->dtype == DType::kInt8)
    PackPairs<int8_t>(spec, data->requantization, packed);
  else
    PackPairs<uint8_t>(spec, data->requantization, packed);
  int32_t* bias = nullptr;
  if (spec.bias) {
    bias = reinterpret_cast<int32_t*>(block + header_bytes + packed_bytes);
    for (int n = 0; n < spec.cols; ++n) bias[n] = spec.bias[n * spec.bias_col_stride];
  }
  data->rows = spec.rows;
  data->depth = spec.depth;
  data->depth_pairs = depth_pairs;
  data->cols = spec.cols;
  data->a_row_stride = spec.a_row_stride;
  data->a_depth_stride = spec.a_depth_stride;
  data->packed_b = packed;
  data->bias = bias;
  context.RequestScratch(node, depth_pairs * sizeof(int32_t));
  node.user_data = data;
  node.eval = input.dtype == DType::kInt8 ? EvalInt8Linear<int8_t> : EvalInt8Linear<uint8_t>;
  return Status::Ok();
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_AVX512
