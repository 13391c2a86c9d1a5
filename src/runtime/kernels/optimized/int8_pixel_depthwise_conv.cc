#include "runtime/kernels/optimized/int8_pixel_depthwise_conv.h"

#ifdef TINYMLOPS_OPTIMIZED_INT8_PIXEL_DEPTHWISE

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "runtime/kernels/optimized/int8_conv_channels.h"

namespace tinymlops::runtime::optimized {
namespace {

constexpr int kLanes = 16;      // output pixels per vector
constexpr int kLoadBytes = 64;  // what one load and one vpermb cover
// At most this many distinct lane patterns (index vectors) per node; a vector's pattern depends
// only on where its first pixel falls in an output row, so this is reached only by odd widths
// of more than 64 pixels.
constexpr int kMaxPatterns = 64;
// The vectors of one channel computed together (independent dpbusd chains).
constexpr int kMaxVectorsInFlight = 8;
// The channels' planes are built a chunk of about this many bytes at a time before any is
// read: a load that overlaps recent masked stores waits for them to reach the cache.
constexpr size_t kChunkBytes = size_t{16} << 10;
// Planes of at most this many 64-byte chunks are built chunk by chunk from a table made at
// prepare (narrow rows cost a few operations per row otherwise); larger ones row by row.
constexpr int kMaxTableChunks = 128;
// Below this many filled lanes per vector on average, the float kernels of
// int8_depthwise_conv.h are used instead (wide strides on narrow planes).
constexpr int kMinLanesPerVector = 6;

// One vector of output pixels of a channel.
struct PixelVector {
  int32_t input_offset;   // plane byte of lane 0's window origin (kernel row 0, tap 0)
  int32_t output_offset;  // output pixel of lane 0
  uint16_t pattern;       // its index vector
  // The output bytes its store writes: up to kLanes within the plane, the lanes past its pixels
  // writing bytes that the next vectors' stores (which come after) overwrite.
  uint16_t stored_lanes;
};

// How 64 consecutive bytes of a padded plane are gathered from the channel's input.
struct PlaneChunk {
  uint64_t input_lanes;  // the bytes that come from the input (the others are padding)
  int32_t source;        // the first input byte they read
  int32_t count;         // the input bytes from `source` that they read (0 to 64)
  uint8_t index[kLoadBytes];  // byte i = input byte source + index[i], for input_lanes
};

struct PixelDepthwiseData {
  ConvGeometry g;
  int padded_w = 0;
  int taps = 0;  // dwords of one channel's weights: kernel rows x tap quads per row
  int vector_count = 0;
  uint8_t flip = 0;  // 0x80 for int8 input (to unsigned), 0 for uint8
  uint8_t pad = 0;   // the input zero point in the unsigned domain
  const PixelVector* vectors = nullptr;  // vector_count, in output order
  const uint8_t* patterns = nullptr;     // [pattern][kLoadBytes]: vpermb byte indexes
  const int32_t* tap_offset = nullptr;   // [taps]: plane bytes from a window origin to the quad
  const uint32_t* tap_ones = nullptr;    // [taps]: a 1 byte per real tap of the quad
  const int32_t* weights = nullptr;      // [channel][taps]: signed tap quads, 0 past the kernel
  const DotProductChannel* channel = nullptr;
  int32_t output_zero_point = 0;
  int32_t output_min = 0;
  int32_t output_max = 0;
  size_t plane_bytes = 0;  // padded height * padded_w
  int chunk_channels = 0;  // planes built at a time
  int plane_chunks = 0;    // the entries of `table`, or 0 to build planes row by row
  const PlaneChunk* table = nullptr;
};

inline __mmask64 ByteMask(int count) {
  return count >= 64 ? ~__mmask64{0} : (__mmask64{1} << count) - 1;
}

// Sets `count` bytes to `value` by whole 64-byte stores, so up to 63 bytes past them too. The
// planes are written in increasing address order, and bytes past one part are written again by
// the next (or are the slack past the planes): masked stores are slow on some CPUs, and a load
// overlapping several of them waits for them all.
void FillBytes(uint8_t* destination, __m512i value, ptrdiff_t count) {
  for (; count > 0; count -= kLoadBytes, destination += kLoadBytes)
    _mm512_storeu_si512(destination, value);
}

// Copies channel plane `x` into `plane`: padded rows of unsigned bytes, the padding holding
// the input zero point; writes up to 63 bytes past the plane (see FillBytes). By d.table's
// chunks where it has one, else row by row.
void BuildPlaneByTable(const PixelDepthwiseData& d, const uint8_t* x, uint8_t* plane) {
  const __m512i pad = _mm512_set1_epi8(static_cast<char>(d.pad));
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(d.flip));
  for (int j = 0; j < d.plane_chunks; ++j) {
    const PlaneChunk& chunk = d.table[j];
    const __m512i bytes =
        _mm512_xor_si512(_mm512_maskz_loadu_epi8(ByteMask(chunk.count), x + chunk.source), flip);
    _mm512_storeu_si512(plane + ptrdiff_t{j} * kLoadBytes,
                        _mm512_mask_permutexvar_epi8(pad, chunk.input_lanes,
                                                     _mm512_loadu_si512(chunk.index), bytes));
  }
}

void BuildPlaneByRows(const PixelDepthwiseData& d, const uint8_t* x, uint8_t* plane) {
  const ConvGeometry& g = d.g;
  const __m512i pad = _mm512_set1_epi8(static_cast<char>(d.pad));
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(d.flip));
  const __m512i lanes = _mm512_set_epi8(
      63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41,
      40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
      17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  FillBytes(plane, pad, ptrdiff_t{g.pad_top} * d.padded_w);
  for (int ih = 0; ih < g.in_h; ++ih) {
    uint8_t* row = plane + ptrdiff_t{g.pad_top + ih} * d.padded_w;
    const uint8_t* source = x + ptrdiff_t{ih} * g.in_w;
    // Chunk k of the row holds input bytes [64k - pad_left, 64k - pad_left + 64): loaded from
    // `first`, moved up by `shift` lanes, the rest padding.
    for (int k = 0; k < d.padded_w; k += kLoadBytes) {
      const int first = std::max(k - g.pad_left, 0);
      const int shift = first - (k - g.pad_left);
      const int count = std::min(kLoadBytes - shift, g.in_w - first);
      __m512i chunk = pad;
      if (shift < kLoadBytes && count > 0) {
        const __m512i bytes =
            _mm512_xor_si512(_mm512_maskz_loadu_epi8(ByteMask(count), source + first), flip);
        chunk = _mm512_mask_permutexvar_epi8(
            pad, ByteMask(shift + count) & ~ByteMask(shift),
            _mm512_sub_epi8(lanes, _mm512_set1_epi8(static_cast<char>(shift))), bytes);
      }
      _mm512_storeu_si512(row + k, chunk);
    }
  }
  const ptrdiff_t filled = ptrdiff_t{g.pad_top + g.in_h} * d.padded_w;
  FillBytes(plane + filled, pad, static_cast<ptrdiff_t>(d.plane_bytes) - filled);
}

// The NV vectors from `vectors` of one channel, from its plane, weights and constants.
template <int NV, bool kWeightOffsets, bool kRoundNegatives>
void ConvolveVectors(const PixelDepthwiseData& d, const uint8_t* plane, const int32_t* weights,
                     const DotProductChannel& channel, const PixelVector* vectors, uint8_t* y) {
  __m512i acc[NV], sums[NV], index[NV];
  const uint8_t* origin[NV];
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) {
    acc[v] = sums[v] = _mm512_setzero_si512();
    index[v] = _mm512_loadu_si512(d.patterns + ptrdiff_t{vectors[v].pattern} * kLoadBytes);
    origin[v] = plane + vectors[v].input_offset;
  }
  int t = 0;
  do {  // taps >= 1; a do-while keeps acc in registers (see int8_conv.cc)
    const __m512i w = _mm512_set1_epi32(weights[t]);
    const ptrdiff_t offset = d.tap_offset[t];
    const __m512i ones =
        kWeightOffsets ? _mm512_set1_epi32(static_cast<int32_t>(d.tap_ones[t])) : w;
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      const __m512i x = _mm512_permutexvar_epi8(index[v], _mm512_loadu_si512(origin[v] + offset));
      acc[v] = _mm512_dpbusd_epi32(acc[v], x, w);
      if constexpr (kWeightOffsets) sums[v] = _mm512_dpbusd_epi32(sums[v], x, ones);
    }
  } while (++t < d.taps);
  const __m512i zero_point = _mm512_set1_epi32(d.output_zero_point);
  const __m512i low = _mm512_set1_epi32(d.output_min);
  const __m512i high = _mm512_set1_epi32(d.output_max);
  // Copies, so that the stores (bytes, which may alias anything) do not force reloads.
  const DotProductChannel c = channel;
  PixelVector where[NV];
  std::memcpy(where, vectors, sizeof(where));
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) {
    const __m128i out = _mm512_cvtepi32_epi8(
        RequantizeDotProducts<kWeightOffsets, kRoundNegatives>(acc[v], sums[v], c, zero_point,
                                                               low, high));
    StoreByteLanes(y + where[v].output_offset, out, where[v].stored_lanes);
  }
}

using ConvolveFn = void (*)(const PixelDepthwiseData&, const uint8_t*, const int32_t*,
                            const DotProductChannel&, const PixelVector*, uint8_t*);

// ConvolveVectors by vector count - 1.
template <bool kWeightOffsets, bool kRoundNegatives>
constexpr ConvolveFn kConvolve[kMaxVectorsInFlight] = {
    ConvolveVectors<1, kWeightOffsets, kRoundNegatives>,
    ConvolveVectors<2, kWeightOffsets, kRoundNegatives>,
    ConvolveVectors<3, kWeightOffsets, kRoundNegatives>,
    ConvolveVectors<4, kWeightOffsets, kRoundNegatives>,
    ConvolveVectors<5, kWeightOffsets, kRoundNegatives>,
    ConvolveVectors<6, kWeightOffsets, kRoundNegatives>,
    ConvolveVectors<7, kWeightOffsets, kRoundNegatives>,
    ConvolveVectors<8, kWeightOffsets, kRoundNegatives>};

// With or without the weight-offset sums and the rounding of negative products
// (RequantizeVector).
template <bool kWeightOffsets, bool kRoundNegatives>
Status EvalPixelDepthwise(Node& node) {
  const auto& d = *static_cast<const PixelDepthwiseData*>(node.user_data);
  const ConvGeometry& g = d.g;
  const auto* x = static_cast<const uint8_t*>(node.inputs[0]->data);
  auto* y = static_cast<uint8_t*>(node.outputs[0]->data);
  auto* planes = static_cast<uint8_t*>(node.scratch);  // chunk_channels planes, then slack
  for (int n = 0; n < g.batch; ++n)
    for (int c0 = 0; c0 < g.in_channels; c0 += d.chunk_channels) {
      const int chunk = std::min(d.chunk_channels, g.in_channels - c0);
      const ptrdiff_t first = ptrdiff_t{n} * g.in_channels + c0;
      for (int c = 0; c < chunk; ++c) {
        const uint8_t* x_channel = x + (first + c) * g.in_plane();
        uint8_t* plane = planes + c * d.plane_bytes;
        d.plane_chunks ? BuildPlaneByTable(d, x_channel, plane)
                       : BuildPlaneByRows(d, x_channel, plane);
      }
      // The bytes the last loads read past the planes (never used; set for determinism).
      FillBytes(planes + chunk * d.plane_bytes, _mm512_set1_epi8(static_cast<char>(d.pad)),
                kLoadBytes);
      for (int c = 0; c < chunk; ++c) {
        const int32_t* weights = d.weights + ptrdiff_t{c0 + c} * d.taps;
        uint8_t* y_channel = y + (first + c) * g.out_plane();
        for (int v = 0; v < d.vector_count; v += kMaxVectorsInFlight) {
          const int count = std::min(kMaxVectorsInFlight, d.vector_count - v);
          kConvolve<kWeightOffsets, kRoundNegatives>[count - 1](d, planes + c * d.plane_bytes, weights,
                                               d.channel[c0 + c], d.vectors + v, y_channel);
        }
      }
    }
  return Status::Ok();
}

// The vectors of an output plane and their lane patterns: each vector takes the next output
// pixels (in flattened order) while every lane's quad of taps stays inside one 64-byte load
// from lane 0's window origin. Fills `vectors` when it is not null; returns false when some
// window row cannot fit a load or the patterns exceed kMaxPatterns.
struct PlaneWalk {
  int vector_count = 0;
  int pattern_count = 0;
  alignas(64) uint8_t patterns[kMaxPatterns][kLoadBytes];
};

// The chunks of a padded plane of `plane_bytes` bytes (rows of padded_w) of geometry g: input
// byte indexes only grow with the plane's, and never faster, so each chunk reads at most 64
// consecutive input bytes.
void FillPlaneTable(const ConvGeometry& g, int padded_w, int64_t plane_bytes, int chunks,
                    PlaneChunk* table) {
  for (int j = 0; j < chunks; ++j) {
    PlaneChunk chunk{};
    int32_t last = -1;
    for (int i = 0; i < kLoadBytes; ++i) {
      const int64_t at = int64_t{j} * kLoadBytes + i;
      if (at >= plane_bytes) break;
      const int ih = static_cast<int>(at / padded_w) - g.pad_top;
      const int iw = static_cast<int>(at % padded_w) - g.pad_left;
      if (ih < 0 || ih >= g.in_h || iw < 0 || iw >= g.in_w) continue;
      const int32_t input = ih * g.in_w + iw;
      if (last < 0) chunk.source = input;
      chunk.input_lanes |= uint64_t{1} << i;
      chunk.index[i] = static_cast<uint8_t>(input - chunk.source);
      last = input;
    }
    chunk.count = last < 0 ? 0 : last - chunk.source + 1;
    table[j] = chunk;
  }
}

bool WalkPlane(const ConvGeometry& g, int padded_w, PixelVector* vectors, PlaneWalk* walk) {
  const int row_taps = std::min(4, g.kernel_w);
  const int reach = (row_taps - 1) * g.dilation_w;  // a quad's bytes past its lane's origin
  const auto window_origin = [&](int pixel) {
    return ptrdiff_t{pixel / g.out_w} * g.stride_h * padded_w + ptrdiff_t{pixel % g.out_w} * g.stride_w;
  };
  walk->vector_count = walk->pattern_count = 0;
  for (int p = 0; p < g.out_plane();) {
    const ptrdiff_t origin = window_origin(p);
    alignas(64) uint8_t index[kLoadBytes] = {};
    int lanes = 0;
    for (; lanes < kLanes && p + lanes < g.out_plane(); ++lanes) {
      const ptrdiff_t relative = window_origin(p + lanes) - origin;
      if (relative + reach >= kLoadBytes) break;
      for (int j = 0; j < 4; ++j)
        index[4 * lanes + j] = static_cast<uint8_t>(relative + (j < row_taps ? j * g.dilation_w : 0));
    }
    if (lanes == 0) return false;
    int pattern = 0;
    while (pattern < walk->pattern_count &&
           std::memcmp(walk->patterns[pattern], index, kLoadBytes) != 0)
      ++pattern;
    if (pattern == walk->pattern_count) {
      if (pattern == kMaxPatterns) return false;
      std::memcpy(walk->patterns[pattern], index, kLoadBytes);
      ++walk->pattern_count;
    }
    const int stored = std::min(kLanes, g.out_plane() - p);  // inside the plane
    if (vectors)
      vectors[walk->vector_count] = {static_cast<int32_t>(origin), p,
                                     static_cast<uint16_t>(pattern), static_cast<uint16_t>(stored)};
    ++walk->vector_count;
    p += lanes;
  }
  return true;
}

}  // namespace

Status PrepareInt8PixelDepthwiseConv(PrepareContext& context, Node& node, const ConvGeometry& g,
                                     bool* prepared) {
  *prepared = false;
  const int padded_h = g.pad_top + g.in_h + g.pad_bottom;
  const int padded_w = g.pad_left + g.in_w + g.pad_right;
  const int64_t plane_bytes = int64_t{padded_h} * padded_w;
  if (plane_bytes + kLoadBytes > INT32_MAX) return Status::Ok();
  PlaneWalk walk;
  if (!WalkPlane(g, padded_w, nullptr, &walk) ||
      int64_t{walk.vector_count} * kMinLanesPerVector > g.out_plane())
    return Status::Ok();

  Int8ConvChannels channels;
  TMM_RETURN_IF_ERROR(PrepareInt8ConvChannels(context, node, &channels));
  const Tensor& weights = *node.inputs[1];
  const int quads = (g.kernel_w + 3) / 4;
  const int taps = g.kernel_h * quads;
  const size_t vector_bytes = sizeof(PixelVector) * walk.vector_count;
  const size_t pattern_bytes = size_t{kLoadBytes} * walk.pattern_count;
  const size_t tap_bytes = (sizeof(int32_t) + sizeof(uint32_t)) * taps;
  const size_t weight_bytes = sizeof(int32_t) * taps * g.in_channels;
  const size_t channel_bytes = sizeof(DotProductChannel) * g.in_channels;
  const int64_t plane_chunks = (plane_bytes + kLoadBytes - 1) / kLoadBytes;
  const int table_chunks = plane_chunks <= kMaxTableChunks ? static_cast<int>(plane_chunks) : 0;
  const size_t table_bytes = sizeof(PlaneChunk) * table_chunks;
  auto* data = static_cast<PixelDepthwiseData*>(context.AllocatePersistent(sizeof(PixelDepthwiseData)));
  auto* vectors = static_cast<PixelVector*>(context.AllocatePersistent(vector_bytes));
  auto* patterns = static_cast<uint8_t*>(context.AllocatePersistent(pattern_bytes));
  auto* tap_offset = static_cast<int32_t*>(context.AllocatePersistent(tap_bytes));
  auto* packed = static_cast<int32_t*>(context.AllocatePersistent(weight_bytes));
  auto* channel = static_cast<DotProductChannel*>(context.AllocatePersistent(channel_bytes));
  auto* table = static_cast<PlaneChunk*>(context.AllocatePersistent(table_bytes));
  if (!data || !vectors || !patterns || !tap_offset || !packed || !channel ||
      (table_bytes && !table))
    return Status::Error(StatusCode::kResourceExhausted,
                         "Conv node '%s': cannot allocate %zu bytes for depthwise weights",
                         node.name,
                         sizeof(PixelDepthwiseData) + vector_bytes + pattern_bytes + tap_bytes +
                             weight_bytes + channel_bytes + table_bytes);
  WalkPlane(g, padded_w, vectors, &walk);
  FillPlaneTable(g, padded_w, plane_bytes, table_chunks, table);
  std::memcpy(patterns, walk.patterns, pattern_bytes);
  auto* tap_ones = reinterpret_cast<uint32_t*>(tap_offset + taps);
  for (int kh = 0; kh < g.kernel_h; ++kh)
    for (int q = 0; q < quads; ++q) {
      const int t = kh * quads + q;
      tap_offset[t] = kh * g.dilation_h * padded_w + 4 * q * g.dilation_w;
      const int real = std::min(4, g.kernel_w - 4 * q);
      tap_ones[t] = real == 4 ? 0x01010101u : 0x01010101u & ((uint32_t{1} << (8 * real)) - 1);
    }

  // Signed tap quads (uint8 weights flipped, their zero points moved with them) and the
  // channels' folded constants.
  const bool uint8_weights = weights.dtype == DType::kUInt8;
  const uint8_t flip = node.inputs[0]->dtype == DType::kInt8 ? 0x80 : 0;
  const uint8_t pad = static_cast<uint8_t>(channels.input_zero_point) ^ flip;
  const int kernel = g.kernel_h * g.kernel_w;
  bool weight_offsets = false;
  for (int c = 0; c < g.in_channels; ++c) {
    uint32_t weight_sum = 0;
    for (int kh = 0; kh < g.kernel_h; ++kh)
      for (int q = 0; q < quads; ++q) {
        uint8_t quad[4] = {};
        for (int j = 0; j < 4 && 4 * q + j < g.kernel_w; ++j) {
          const int32_t w = ConvWeightAt(weights, ptrdiff_t{c} * kernel + kh * g.kernel_w + 4 * q + j);
          const auto signed_w = static_cast<int8_t>(uint8_weights ? w - 128 : w);
          quad[j] = static_cast<uint8_t>(signed_w);
          weight_sum += static_cast<uint32_t>(int32_t{signed_w});
        }
        std::memcpy(packed + ptrdiff_t{c} * taps + kh * quads + q, quad, sizeof(quad));
      }
    const int32_t b = channels.channel[c].weight_zero_point - (uint8_weights ? 128 : 0);
    weight_offsets = weight_offsets || b != 0;
    channel[c] = FoldDotProductChannel(channels.channel[c], pad, weight_sum, b,
                                       static_cast<uint32_t>(kernel));
  }

  *data = PixelDepthwiseData{};
  data->g = g;
  data->padded_w = padded_w;
  data->taps = taps;
  data->vector_count = walk.vector_count;
  data->flip = flip;
  data->pad = pad;
  data->vectors = vectors;
  data->patterns = patterns;
  data->tap_offset = tap_offset;
  data->tap_ones = tap_ones;
  data->weights = packed;
  data->channel = channel;
  data->output_zero_point = channels.output_zero_point;
  data->output_min = channels.output_min;
  data->output_max = channels.output_max;
  data->plane_bytes = static_cast<size_t>(plane_bytes);
  data->plane_chunks = table_chunks;
  data->table = table;
  data->chunk_channels = static_cast<int>(
      std::clamp<size_t>(kChunkBytes / data->plane_bytes, 1, static_cast<size_t>(g.in_channels)));
  context.RequestScratch(node, data->chunk_channels * data->plane_bytes + kLoadBytes);
  node.user_data = data;
  if (channels.output_min < channels.output_zero_point)
    node.eval = weight_offsets ? EvalPixelDepthwise<true, true> : EvalPixelDepthwise<false, true>;
  else
    node.eval = weight_offsets ? EvalPixelDepthwise<true, false> : EvalPixelDepthwise<false, false>;
  *prepared = true;
  return Status::Ok();
}

}  // namespace tinymlops::runtime::optimized

#endif  // TINYMLOPS_OPTIMIZED_INT8_PIXEL_DEPTHWISE
