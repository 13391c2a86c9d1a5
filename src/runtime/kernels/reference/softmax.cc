// Softmax over the flattened block of dimensions [axis, axis_end) (SoftmaxOptions): opset 13
// normalizes one axis (axis_end = axis + 1), older opsets the coerced 2-D rows (axis_end =
// rank). Without options, the last axis.
// - float32: exp(x - max) / sum, the max subtracted for range.
// - int8/uint8 (per-tensor quantized, beta 1): TensorFlow Lite's reference integer softmax,
//   integer-only: differences to the row maximum are rescaled to gemmlowp Q5.26 with an int32
//   multiplier from input_scale * 2^26, differences below diff_min contribute nothing, exps
//   are summed in Q12.19 and normalized with a fixed-point reciprocal. The exp of each of the
//   256 possible differences is computed once at prepare time with that same arithmetic (a
//   1 KB table), so eval looks it up. The output must have TFLite's fixed parameters: scale
//   1/256 with zero point -128 (int8) or 0 (uint8).
#include <cmath>
#include <limits>

#include "runtime/kernels/fixed_point.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/per_tensor_quantization.h"
#include "runtime/kernels/quantized_math.h"
#include "runtime/kernels/reference/registrations.h"

namespace tinymlops::runtime::reference {
namespace {

constexpr int kScaledDiffIntegerBits = 5;
constexpr int kAccumulationIntegerBits = 12;

struct SoftmaxParams {
  int64_t outer;  // product of dims before axis
  int64_t depth;  // product of dims in [axis, axis_end): the normalized block
  int64_t inner;  // product of dims from axis_end: the stride between block elements
  int32_t input_multiplier;
  int input_left_shift;
  int32_t diff_min;
  int32_t exp_of_diff[256];  // raw Q0.31 exp of difference -i, for 8-bit inputs
};

Status CheckOutputQuantization(const Node& node, const Tensor& output) {
  const int32_t expected_zero_point = output.dtype == DType::kInt8 ? -128 : 0;
  if (output.quant.scale[0] == 1.0f / 256.0f && output.quant.zero_point[0] == expected_zero_point)
    return Status::Ok();
  return Status::Error(StatusCode::kUnsupported,
                       "Softmax node '%s': quantized output '%s' has scale %g and zero point %d; "
                       "the integer softmax writes scale 1/256 with zero point %d (%s): "
                       "quantize the output with those parameters",
                       node.name, output.name, static_cast<double>(output.quant.scale[0]),
                       output.quant.zero_point[0], expected_zero_point, DTypeName(output.dtype));
}

// TFLite's PreprocessSoftmaxScaling (beta = 1) and CalculateInputRadius.
Status PrepareQuantized(const Node& node, SoftmaxParams* params) {
  const Tensor& input = *node.inputs[0];
  const Tensor& output = *node.outputs[0];
  TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, input, "input 0"));
  TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, output, "output"));
  TMM_RETURN_IF_ERROR(CheckOutputQuantization(node, output));
  const double real_multiplier = std::fmin(
      static_cast<double>(input.quant.scale[0]) * (int64_t{1} << (31 - kScaledDiffIntegerBits)),
      static_cast<double>((int64_t{1} << 31) - 1));
  if (real_multiplier <= 1.0)
    return Status::Error(StatusCode::kUnsupported,
                         "Softmax node '%s': input '%s' scale %g is below 2^-26, too small for "
                         "the integer softmax",
                         node.name, input.name, static_cast<double>(input.quant.scale[0]));
  QuantizeMultiplier(real_multiplier, &params->input_multiplier, &params->input_left_shift);
  const double radius = std::ldexp(static_cast<double>((1 << kScaledDiffIntegerBits) - 1),
                                   31 - kScaledDiffIntegerBits - params->input_left_shift);
  params->diff_min = -static_cast<int32_t>(std::floor(radius));
  // Differences below diff_min are never looked up (their rescaling could overflow).
  for (int32_t i = 0; i < 256 && -i >= params->diff_min; ++i)
    params->exp_of_diff[i] =
        fixed_point::ExpOnNegativeValues(
            fixed_point::FixedPoint<kScaledDiffIntegerBits>::FromRaw(MultiplyByQuantizedMultiplier(
                -i, params->input_multiplier, params->input_left_shift)))
            .raw;
  return Status::Ok();
}

Status Prepare(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(CheckArity(node, 1, 1, 1));
  const Tensor& input = *node.inputs[0];
  const Tensor& output = *node.outputs[0];
  TMM_RETURN_IF_ERROR(CheckDType(node, output, input.dtype, "output"));
  if (input.shape != output.shape)
    return Status::Error(StatusCode::kInvalidArgument,
                         "Softmax node '%s': output '%s' must have the shape of input '%s'",
                         node.name, output.name, input.name);
  const int rank = input.shape.rank;
  int axis = rank - 1, axis_end = rank;
  if (const tmm::SoftmaxOptions* options = node.op->options_as_SoftmaxOptions()) {
    axis = options->axis() < 0 ? options->axis() + rank : options->axis();
    axis_end = options->axis_end() < 0 ? options->axis_end() + rank : options->axis_end();
  }
  if (axis < 0 || axis >= axis_end || axis_end > rank)
    return Status::Error(StatusCode::kInvalidArgument,
                         "Softmax node '%s': axes [%d, %d) are not a block of input '%s' of "
                         "rank %d",
                         node.name, axis, axis_end, input.name, rank);
  auto* params = static_cast<SoftmaxParams*>(context.AllocatePersistent(sizeof(SoftmaxParams)));
  if (!params)
    return Status::Error(StatusCode::kResourceExhausted,
                         "Softmax node '%s': no memory for the kernel's parameters", node.name);
  params->outer = params->depth = params->inner = 1;
  for (int d = 0; d < rank; ++d)
    (d < axis       ? params->outer
     : d < axis_end ? params->depth
                    : params->inner) *= input.shape.dims[d];
  if (input.dtype == DType::kInt8 || input.dtype == DType::kUInt8)
    TMM_RETURN_IF_ERROR(PrepareQuantized(node, params));
  else if (input.dtype != DType::kFloat32)
    return UnsupportedDType(node, input, "input 0");
  node.user_data = params;
  return Status::Ok();
}

void SoftmaxFloat(const SoftmaxParams& p, const float* in, float* out) {
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t i = 0; i < p.inner; ++i) {
      const int64_t base = o * p.depth * p.inner + i;
      float max = -std::numeric_limits<float>::infinity();
      for (int64_t c = 0; c < p.depth; ++c) max = std::fmax(max, in[base + c * p.inner]);
      float sum = 0.0f;
      for (int64_t c = 0; c < p.depth; ++c) {
        const float e = std::exp(in[base + c * p.inner] - max);
        out[base + c * p.inner] = e;
        sum += e;
      }
      const float reciprocal = 1.0f / sum;
      for (int64_t c = 0; c < p.depth; ++c) out[base + c * p.inner] *= reciprocal;
    }
}

// TFLite's reference_ops::Softmax for 8-bit input and output, on strided rows.
template <typename T>
void SoftmaxQuantized(const SoftmaxParams& p, const T* in, T* out) {
  using fixed_point::FixedPoint;
  using Accumulator = FixedPoint<kAccumulationIntegerBits>;
  constexpr int32_t kOutputMin = std::numeric_limits<T>::min();
  constexpr int32_t kOutputMax = std::numeric_limits<T>::max();
  // diff is in [-255, 0] for 8-bit values.
  auto exp_of_diff = [&](int32_t diff) { return FixedPoint<0>::FromRaw(p.exp_of_diff[-diff]); };
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t i = 0; i < p.inner; ++i) {
      const int64_t base = o * p.depth * p.inner + i;
      int32_t max = kOutputMin;
      for (int64_t c = 0; c < p.depth; ++c)
        if (in[base + c * p.inner] > max) max = in[base + c * p.inner];
      Accumulator sum = Accumulator::Zero();
      for (int64_t c = 0; c < p.depth; ++c) {
        const int32_t diff = static_cast<int32_t>(in[base + c * p.inner]) - max;
        if (diff >= p.diff_min)
          sum = sum + fixed_point::Rescale<kAccumulationIntegerBits>(exp_of_diff(diff));
      }
      int num_bits_over_unit = 0;
      const FixedPoint<0> shifted_scale = FixedPoint<0>::FromRaw(
          fixed_point::GetReciprocal(sum.raw, kAccumulationIntegerBits, &num_bits_over_unit));
      for (int64_t c = 0; c < p.depth; ++c) {
        const int32_t diff = static_cast<int32_t>(in[base + c * p.inner]) - max;
        int32_t value = kOutputMin;
        if (diff >= p.diff_min) {
          // Beyond 31 the quotient of a Q0.31 value rounds to 0 (only rows of 256+ maxima).
          const int exponent = num_bits_over_unit + 31 - 8;
          const int32_t unsaturated =
              exponent > 31
                  ? 0
                  : RoundingDivideByPOT((shifted_scale * exp_of_diff(diff)).raw, exponent);
          value = ClampInt32(unsaturated + kOutputMin, kOutputMin, kOutputMax);
        }
        out[base + c * p.inner] = static_cast<T>(value);
      }
    }
}

Status Eval(Node& node) {
  const auto& params = *static_cast<const SoftmaxParams*>(node.user_data);
  const Tensor& input = *node.inputs[0];
  Tensor& output = *node.outputs[0];
  switch (input.dtype) {
    case DType::kInt8:
      SoftmaxQuantized(params, input.Data<int8_t>(), output.Data<int8_t>());
      break;
    case DType::kUInt8:
      SoftmaxQuantized(params, input.Data<uint8_t>(), output.Data<uint8_t>());
      break;
    default:
      SoftmaxFloat(params, input.Data<float>(), output.Data<float>());
      break;
  }
  return Status::Ok();
}

}  // namespace

KernelRegistration Softmax() { return {"Softmax", Prepare, Eval}; }

}  // namespace tinymlops::runtime::reference
