#include "runtime/kernels/reference/binary_op.h"

#include <type_traits>

#include "runtime/kernels/activation_range.h"
#include "runtime/kernels/broadcast.h"
#include "runtime/kernels/integer_range.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/per_tensor_quantization.h"
#include "runtime/kernels/quantized_math.h"

namespace tinymlops::runtime::reference {
namespace {

enum class Arithmetic : uint8_t { kFloat, kInteger, kQuantized };

struct BinaryOpParams {
  tmm::OpType op;
  Arithmetic arithmetic;
  DType dtype;
  BroadcastPlan broadcast;
  FloatRange float_range;
  IntegerRange integer_range;  // of int32/int64 and unquantized int8/uint8
  QuantizedBinaryParams quantized;
};

struct AddOp {
  static float Float(float a, float b) { return a + b; }
  template <typename U>
  static U Wrapping(U a, U b) {
    return static_cast<U>(a + b);
  }
  static int32_t Quantized(int32_t a, int32_t b, const QuantizedBinaryParams& p);
};

struct SubOp {
  static float Float(float a, float b) { return a - b; }
  template <typename U>
  static U Wrapping(U a, U b) {
    return static_cast<U>(a - b);
  }
  static int32_t Quantized(int32_t a, int32_t b, const QuantizedBinaryParams& p);
};

struct MulOp {
  static float Float(float a, float b) { return a * b; }
  template <typename U>
  static U Wrapping(U a, U b) {
    return static_cast<U>(a * b);
  }
  static int32_t Quantized(int32_t a, int32_t b, const QuantizedBinaryParams& p);
};

// Both inputs rescaled onto a common scale with 20 bits of headroom, as TFLite's Add/Sub.
inline void ScaleAddSubInputs(int32_t a, int32_t b, const QuantizedBinaryParams& p,
                              int32_t* scaled_a, int32_t* scaled_b) {
  const int32_t shifted_a = (p.input1_offset + a) * (1 << kAddLeftShift);
  const int32_t shifted_b = (p.input2_offset + b) * (1 << kAddLeftShift);
  *scaled_a = MultiplyByQuantizedMultiplier(shifted_a, p.input1_multiplier, p.input1_shift);
  *scaled_b = MultiplyByQuantizedMultiplier(shifted_b, p.input2_multiplier, p.input2_shift);
}

int32_t AddOp::Quantized(int32_t a, int32_t b, const QuantizedBinaryParams& p) {
  int32_t scaled_a, scaled_b;
  ScaleAddSubInputs(a, b, p, &scaled_a, &scaled_b);
  return p.output_offset +
         MultiplyByQuantizedMultiplier(scaled_a + scaled_b, p.output_multiplier, p.output_shift);
}

int32_t SubOp::Quantized(int32_t a, int32_t b, const QuantizedBinaryParams& p) {
  int32_t scaled_a, scaled_b;
  ScaleAddSubInputs(a, b, p, &scaled_a, &scaled_b);
  return p.output_offset +
         MultiplyByQuantizedMultiplier(scaled_a - scaled_b, p.output_multiplier, p.output_shift);
}

int32_t MulOp::Quantized(int32_t a, int32_t b, const QuantizedBinaryParams& p) {
  const int32_t product = (p.input1_offset + a) * (p.input2_offset + b);
  return p.output_offset +
         MultiplyByQuantizedMultiplier(product, p.output_multiplier, p.output_shift);
}

template <typename Op>
void EvalFloat(const BinaryOpParams& p, const float* a, const float* b, float* out) {
  const FloatRange range = p.float_range;
  ForEachBroadcastIndex(p.broadcast, [&](int64_t o, int64_t i, int64_t j) {
    out[o] = range.Clamp(Op::Float(a[i], b[j]));
  });
}

template <typename Op, typename T>
void EvalInteger(const BinaryOpParams& p, const T* a, const T* b, T* out) {
  using U = std::make_unsigned_t<T>;
  const IntegerRange range = p.integer_range;
  ForEachBroadcastIndex(p.broadcast, [&](int64_t o, int64_t i, int64_t j) {
    out[o] = range.Clamp(static_cast<T>(Op::Wrapping(static_cast<U>(a[i]), static_cast<U>(b[j]))));
  });
}

template <typename Op, typename T>
void EvalQuantized(const BinaryOpParams& p, const T* a, const T* b, T* out) {
  const QuantizedBinaryParams& q = p.quantized;
  ForEachBroadcastIndex(p.broadcast, [&](int64_t o, int64_t i, int64_t j) {
    out[o] = static_cast<T>(q.range.Clamp(Op::Quantized(a[i], b[j], q)));
  });
}

template <typename Op, typename T>
void EvalTyped(const BinaryOpParams& p, const Node& node) {
  const T* a = node.inputs[0]->Data<T>();
  const T* b = node.inputs[1]->Data<T>();
  T* out = node.outputs[0]->Data<T>();
  if constexpr (std::is_same_v<T, float>) {
    EvalFloat<Op>(p, a, b, out);
  } else if constexpr (sizeof(T) == 1) {
    if (p.arithmetic == Arithmetic::kQuantized)
      EvalQuantized<Op>(p, a, b, out);
    else
      EvalInteger<Op>(p, a, b, out);
  } else {
    EvalInteger<Op>(p, a, b, out);
  }
}

template <typename Op>
void EvalOp(const BinaryOpParams& p, const Node& node) {
  switch (p.dtype) {
    case DType::kFloat32:
      return EvalTyped<Op, float>(p, node);
    case DType::kInt8:
      return EvalTyped<Op, int8_t>(p, node);
    case DType::kUInt8:
      return EvalTyped<Op, uint8_t>(p, node);
    case DType::kInt32:
      return EvalTyped<Op, int32_t>(p, node);
    case DType::kInt64:
      return EvalTyped<Op, int64_t>(p, node);
  }
}

const char* OpName(const Node& node) { return tmm::EnumNameOpType(node.op->type()); }

// TFLite's PrepareGeneralSubOp (Add, Sub) and Mul preparation.
Status PrepareQuantized(const Node& node, const tmm::Activation* activation,
                        QuantizedBinaryParams* q) {
  const Tensor& a = *node.inputs[0];
  const Tensor& b = *node.inputs[1];
  const Tensor& out = *node.outputs[0];
  TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, a, "input 0"));
  TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, b, "input 1"));
  TMM_RETURN_IF_ERROR(CheckPerTensorQuantized(node, out, "output"));
  TMM_RETURN_IF_ERROR(QuantizedActivationRange(node, activation, out, &q->range));
  q->input1_offset = -a.quant.zero_point[0];
  q->input2_offset = -b.quant.zero_point[0];
  q->output_offset = out.quant.zero_point[0];
  const double scale_a = a.quant.scale[0], scale_b = b.quant.scale[0];
  const double scale_out = out.quant.scale[0];
  if (node.op->type() == tmm::OpType::Mul) {
    QuantizeMultiplier(scale_a * scale_b / scale_out, &q->output_multiplier, &q->output_shift);
    return Status::Ok();
  }
  const double twice_max_input_scale = 2.0 * (scale_a > scale_b ? scale_a : scale_b);
  QuantizeMultiplier(scale_a / twice_max_input_scale, &q->input1_multiplier, &q->input1_shift);
  QuantizeMultiplier(scale_b / twice_max_input_scale, &q->input2_multiplier, &q->input2_shift);
  const double real_output_multiplier =
      twice_max_input_scale / (static_cast<double>(1 << kAddLeftShift) * scale_out);
  if (real_output_multiplier >= 1.0)
    return Status::Error(StatusCode::kUnsupported,
                         "%s node '%s': output scale %g is too small for input scales %g and %g "
                         "(TFLite's 8-bit %s needs output_scale > 2 * max(input scales) / 2^20)",
                         OpName(node), node.name, scale_out, scale_a, scale_b, OpName(node));
  QuantizeMultiplier(real_output_multiplier, &q->output_multiplier, &q->output_shift);
  return Status::Ok();
}

}  // namespace

Status PrepareBinaryOp(PrepareContext& context, Node& node) {
  TMM_RETURN_IF_ERROR(CheckArity(node, 2, 2, 1));
  const Tensor& a = *node.inputs[0];
  const Tensor& b = *node.inputs[1];
  const Tensor& out = *node.outputs[0];
  TMM_RETURN_IF_ERROR(CheckDType(node, b, a.dtype, "input 1"));
  TMM_RETURN_IF_ERROR(CheckDType(node, out, a.dtype, "output"));

  auto* params = static_cast<BinaryOpParams*>(context.AllocatePersistent(sizeof(BinaryOpParams)));
  if (!params)
    return Status::Error(StatusCode::kResourceExhausted,
                         "%s node '%s': no memory for the kernel's parameters", OpName(node),
                         node.name);
  *params = BinaryOpParams();
  params->op = node.op->type();
  params->dtype = a.dtype;
  TMM_RETURN_IF_ERROR(MakeBroadcastPlan(node, a.shape, b.shape, out.shape, &params->broadcast));

  const auto* options = node.op->options_as_ElementwiseOptions();
  const tmm::Activation* activation = options ? options->activation() : nullptr;
  TMM_RETURN_IF_ERROR(FloatActivationRange(node, activation, &params->float_range));
  const int quantized_tensors = (a.quant.IsQuantized() ? 1 : 0) + (b.quant.IsQuantized() ? 1 : 0) +
                                (out.quant.IsQuantized() ? 1 : 0);
  switch (a.dtype) {
    case DType::kFloat32:
      params->arithmetic = Arithmetic::kFloat;
      break;
    case DType::kInt8:
    case DType::kUInt8:
      if (quantized_tensors == 3) {
        params->arithmetic = Arithmetic::kQuantized;
        TMM_RETURN_IF_ERROR(PrepareQuantized(node, activation, &params->quantized));
        break;
      }
      if (quantized_tensors != 0)
        return Status::Error(StatusCode::kInvalidArgument,
                             "%s node '%s': only %d of its 3 %s tensors are quantized; quantize "
                             "both inputs and the output, or none",
                             OpName(node), node.name, quantized_tensors, DTypeName(a.dtype));
      [[fallthrough]];
    case DType::kInt32:
    case DType::kInt64:
      params->arithmetic = Arithmetic::kInteger;
      params->integer_range = IntegerClampRange(a.dtype, params->float_range);
      break;
  }
  node.user_data = params;
  return Status::Ok();
}

Status EvalBinaryOp(Node& node) {
  const auto& params = *static_cast<const BinaryOpParams*>(node.user_data);
  switch (params.op) {
    case tmm::OpType::Add:
      EvalOp<AddOp>(params, node);
      break;
    case tmm::OpType::Sub:
      EvalOp<SubOp>(params, node);
      break;
    default:
      EvalOp<MulOp>(params, node);
      break;
  }
  return Status::Ok();
}

const QuantizedBinaryParams* QuantizedBinaryParamsOf(const Node& node) {
  const auto& params = *static_cast<const BinaryOpParams*>(node.user_data);
  return params.arithmetic == Arithmetic::kQuantized ? &params.quantized : nullptr;
}

}  // namespace tinymlops::runtime::reference
