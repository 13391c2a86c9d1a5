#!/usr/bin/python3
"""Writes random ONNX models built from the ops tinymlops supports, with random inputs, so that
tests/conformance/random_models_vs_ort.cc can compare tinymlops with ONNX Runtime on models
nobody here wrote.

Usage: tests/conformance/make_random_models.py OUTPUT_DIR [--count K] [--seed S]

Each model is a small random graph (1-6 nodes) over one or two float32 graph inputs, with a
random opset in 11..17, random shapes and attributes (strides, dilations, pads, auto_pad,
groups, ceil_mode, count_include_pad, transposes, axes, perms, pad modes, broadcasting, Softmax
axes under both opset semantics, QDQ and QLinear int8 blocks, int8/uint8 outputs) and
initializers for weights.
It writes OUTPUT_DIR/model_NNN/model.onnx and input_J.npy (J in graph-input order); ONNX
Runtime's outputs are added by bench/peer/ort_run.js. Deterministic: the same seed and count
write the same files. Every model passes onnx.checker with full shape inference.
"""
import argparse
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FLOAT = TensorProto.FLOAT
QUANT_TYPES = {np.uint8: TensorProto.UINT8, np.int8: TensorProto.INT8}


class GraphBuilder:
    """A graph under construction: nodes, initializers, inputs and every value's shape."""

    def __init__(self, rng, opset):
        self.rng = rng
        self.opset = opset
        self.nodes = []
        self.initializers = []
        self.inputs = []  # (name, shape)
        self.shapes = {}  # value name -> shape (list), float values only
        self.counter = 0

    def name(self, prefix):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def add_input(self, shape):
        name = self.name("input")
        self.inputs.append((name, list(shape)))
        self.shapes[name] = list(shape)
        return name

    def constant(self, array, prefix="w"):
        name = self.name(prefix)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op_type, inputs, output_shape, **attributes):
        output = self.name(op_type.lower() + "_out")
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=self.name(op_type),
                                           **attributes))
        if output_shape is not None:
            self.shapes[output] = list(output_shape)
        return output

    def weights(self, shape, scale=1.0):
        return (self.rng.standard_normal(shape) * scale).astype(np.float32)


# ---- shapes of sliding windows (Conv, MaxPool, AveragePool) ---------------------------------

def random_window(rng, spatial, allow_dilation):
    """Random kernel, strides, dilations, padding for input spatial dims; returns (attributes,
    output spatial dims) or None when no window fits."""
    rank = len(spatial)
    kernel = [int(rng.integers(1, min(4, s) + 1)) for s in spatial]
    strides = [int(rng.integers(1, 3)) for _ in spatial]
    dilations = [int(rng.integers(1, 3)) if allow_dilation else 1 for _ in spatial]
    effective = [(k - 1) * d + 1 for k, d in zip(kernel, dilations)]
    if any(e > s for e, s in zip(effective, spatial)):
        dilations = [1] * rank
        effective = kernel
    attributes = {"kernel_shape": kernel}
    if any(s != 1 for s in strides) or rng.random() < 0.3:
        attributes["strides"] = strides
    if allow_dilation and (any(d != 1 for d in dilations) or rng.random() < 0.2):
        attributes["dilations"] = dilations
    mode = rng.choice(["NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"])
    if mode.startswith("SAME") and (
            "dilations" in attributes or
            any((-(-s // st) - 1) * st + e < s for s, st, e in zip(spatial, strides, effective))):
        # ONNX Runtime rejects dilations with SAME_UPPER/SAME_LOWER, and SAME padding that would
        # be negative (a stride larger than the kernel) instead of clamping it to 0.
        mode = "NOTSET"
    if mode == "NOTSET":
        # ORT requires pads smaller than the kernel for pools.
        pads = [int(rng.integers(0, k)) for k in kernel] + [int(rng.integers(0, k)) for k in kernel]
        if any(pads) or rng.random() < 0.5:
            attributes["pads"] = pads
        out = [(s + pads[i] + pads[i + rank] - effective[i]) // strides[i] + 1
               for i, s in enumerate(spatial)]
    else:
        attributes["auto_pad"] = mode
        if mode == "VALID":
            out = [(s - e) // st + 1 for s, e, st in zip(spatial, effective, strides)]
        else:
            out = [-(-s // st) for s, st in zip(spatial, strides)]
    if any(o < 1 for o in out):
        return None
    return attributes, out


def pool_ceil_mode(rng, attributes, spatial, out):
    """Maybe turns on ceil_mode where it is unambiguous (the last window starts inside the input
    or its begin padding); returns the output dims."""
    if "auto_pad" in attributes or rng.random() < 0.6:
        return out
    rank = len(spatial)
    kernel = attributes["kernel_shape"]
    strides = attributes.get("strides", [1] * rank)
    dilations = attributes.get("dilations", [1] * rank)
    pads = attributes.get("pads", [0] * (2 * rank))
    ceil_out = []
    for i, s in enumerate(spatial):
        span = s + pads[i] + pads[i + rank] - ((kernel[i] - 1) * dilations[i] + 1)
        o = -(-span // strides[i]) + 1
        if (o - 1) * strides[i] >= s + pads[i]:
            return out
        ceil_out.append(o)
    attributes["ceil_mode"] = 1
    return ceil_out


# ---- one random op applied to the current value ---------------------------------------------

def plan_conv(b, x):
    """Random attributes of a Conv over x; returns (weight shape, attributes, output spatial
    dims, output channels) or None when x is not NCL/NCHW or no window fits."""
    shape = b.shapes[x]
    if len(shape) not in (3, 4):
        return None
    window = random_window(b.rng, shape[2:], allow_dilation=True)
    if window is None:
        return None
    attributes, out = window
    kernel = attributes["kernel_shape"]
    channels = shape[1]
    group = 1
    choice = b.rng.random()
    if choice < 0.25:
        group = channels  # depthwise
    elif choice < 0.45:
        divisors = [g for g in range(2, channels + 1) if channels % g == 0]
        group = int(b.rng.choice(divisors)) if divisors else 1
    out_channels = group * int(b.rng.integers(1, 4)) if group > 1 else int(b.rng.integers(1, 9))
    if group != 1:
        attributes["group"] = group
    if b.rng.random() < 0.5:
        del attributes["kernel_shape"]  # inferred from the weights
    return [out_channels, channels // group] + kernel, attributes, out, out_channels


def conv(b, x):
    plan = plan_conv(b, x)
    if plan is None:
        return None
    weight_shape, attributes, out, out_channels = plan
    inputs = [x, b.constant(b.weights(weight_shape, 0.5))]
    if b.rng.random() < 0.7:
        inputs.append(b.constant(b.weights([out_channels])))
    return b.node("Conv", inputs, [b.shapes[x][0], out_channels] + out, **attributes)


def pool(b, x):
    shape = b.shapes[x]
    if len(shape) not in (3, 4):
        return None
    op = str(b.rng.choice(["MaxPool", "AveragePool"]))
    window = random_window(b.rng, shape[2:], allow_dilation=(op == "MaxPool"))
    if window is None:
        return None
    attributes, out = window
    out = pool_ceil_mode(b.rng, attributes, shape[2:], out)
    if op == "AveragePool" and b.rng.random() < 0.5:
        attributes["count_include_pad"] = 1
    return b.node(op, [x], shape[:2] + out, **attributes)


def global_average_pool(b, x):
    shape = b.shapes[x]
    if len(shape) < 3:
        return None
    return b.node("GlobalAveragePool", [x], shape[:2] + [1] * (len(shape) - 2))


def batch_normalization(b, x):
    shape = b.shapes[x]
    if len(shape) < 2:
        return None
    c = shape[1]
    inputs = [x, b.constant(b.weights([c])), b.constant(b.weights([c])),
              b.constant(b.weights([c])),
              b.constant(b.rng.uniform(0.5, 2.0, [c]).astype(np.float32))]
    return b.node("BatchNormalization", inputs, shape,
                  epsilon=float(b.rng.choice([1e-5, 1e-3])))


def gemm(b, x):
    shape = b.shapes[x]
    if len(shape) != 2:
        return None
    trans_a = int(b.rng.integers(0, 2))
    trans_b = int(b.rng.integers(0, 2))
    attributes = {}
    if trans_a:
        attributes["transA"] = 1
        x = b.node("Transpose", [x], shape[::-1])  # keeps the product shape consistent
        shape = shape[::-1]
    m, k = (shape[1], shape[0]) if trans_a else shape
    n = int(b.rng.integers(1, 17))
    if trans_b:
        attributes["transB"] = 1
    weight = b.constant(b.weights([n, k] if trans_b else [k, n], 0.5))
    inputs = [x, weight]
    if b.rng.random() < 0.3:
        attributes["alpha"] = float(np.float32(b.rng.uniform(0.5, 2.0)))
    if b.rng.random() < 0.7:
        bias_shape = [[n], [1, n], [m, n], [m, 1], []][int(b.rng.integers(0, 5))]
        inputs.append(b.constant(b.weights(bias_shape)))
        if b.rng.random() < 0.3:
            attributes["beta"] = float(np.float32(b.rng.uniform(0.5, 2.0)))
    return b.node("Gemm", inputs, [m, n], **attributes)


def matmul(b, x):
    shape = b.shapes[x]
    if len(shape) < 2:
        return None
    k = shape[-1]
    n = int(b.rng.integers(1, 17))
    if len(shape) > 2 and b.rng.random() < 0.3:
        weight_shape = list(shape[:-2]) + [k, n]  # batched weights
    else:
        weight_shape = [k, n]
    return b.node("MatMul", [x, b.constant(b.weights(weight_shape, 0.5))], shape[:-1] + [n])


def broadcast_shape_for(rng, shape):
    """A random shape that broadcasts to `shape` (drops leading dims, sets dims to 1)."""
    keep = int(rng.integers(0, len(shape) + 1))
    other = list(shape[len(shape) - keep:])
    return [d if rng.random() < 0.6 else 1 for d in other]


def binary(b, x):
    shape = b.shapes[x]
    op = str(b.rng.choice(["Add", "Sub", "Mul"]))
    choice = b.rng.random()
    if choice < 0.25 and len(b.inputs) < 2:
        other_shape = broadcast_shape_for(b.rng, shape) if b.rng.random() < 0.5 else shape
        other = b.add_input(other_shape)
    elif choice < 0.4:
        same = [name for name, s in b.shapes.items() if s == shape]
        other = str(b.rng.choice(same))
    else:
        other = b.constant(b.weights(broadcast_shape_for(b.rng, shape)))
    inputs = [x, other] if b.rng.random() < 0.7 else [other, x]
    # The other operand may also be the larger one when it is a graph input.
    out_shape = list(np.broadcast_shapes(tuple(shape), tuple(b.shapes.get(other, shape))))
    return b.node(op, inputs, out_shape)


def activation(b, x):
    op = str(b.rng.choice(["Relu", "Sigmoid", "Tanh", "Clip"]))
    if op != "Clip":
        return b.node(op, [x], b.shapes[x])
    low = float(b.rng.uniform(-1.5, 0.0))
    high = float(b.rng.uniform(0.0, 1.5))
    inputs = [x]
    choice = b.rng.random()
    if choice < 0.4:
        inputs += [b.constant(np.float32(low)), b.constant(np.float32(high))]
    elif choice < 0.6:
        inputs += [b.constant(np.float32(low))]
    elif choice < 0.8:
        inputs += ["", b.constant(np.float32(high))]
    return b.node("Clip", inputs, b.shapes[x])


def softmax(b, x):
    rank = len(b.shapes[x])
    axis = int(b.rng.integers(-rank, rank))
    # The default axis is 1 before opset 13, which a rank-1 input does not have.
    default_fits = b.opset >= 13 or rank >= 2
    attributes = {} if b.rng.random() < 0.2 and default_fits else {"axis": axis}
    return b.node("Softmax", [x], b.shapes[x], **attributes)


def random_factorization(rng, count, max_rank):
    """Random dims (rank 1..max_rank) whose product is `count`."""
    dims = []
    remaining = count
    rank = int(rng.integers(1, max_rank + 1))
    for _ in range(rank - 1):
        divisors = [d for d in range(1, remaining + 1) if remaining % d == 0]
        d = int(rng.choice(divisors))
        dims.append(d)
        remaining //= d
    dims.append(remaining)
    rng.shuffle(dims)
    return dims


def reshape(b, x):
    shape = b.shapes[x]
    count = int(np.prod(shape))
    target = random_factorization(b.rng, count, 4)
    spec = list(target)
    if b.rng.random() < 0.5:
        spec[int(b.rng.integers(0, len(spec)))] = -1
    for i in range(min(len(spec), len(shape))):
        if spec[i] == shape[i] and spec[i] != -1 and b.rng.random() < 0.5:
            spec[i] = 0  # copy the input's dim
    attributes = {}
    if b.opset >= 14 and b.rng.random() < 0.3:
        attributes["allowzero"] = 0
    return b.node("Reshape", [x, b.constant(np.array(spec, np.int64), "shape")], target,
                  **attributes)


def flatten(b, x):
    shape = b.shapes[x]
    rank = len(shape)
    axis = int(b.rng.integers(-rank, rank + 1))
    positive = axis + rank if axis < 0 else axis
    out = [int(np.prod(shape[:positive])), int(np.prod(shape[positive:]))]
    attributes = {} if b.rng.random() < 0.2 else {"axis": axis}
    if not attributes:
        out = [shape[0], int(np.prod(shape[1:]))]
    return b.node("Flatten", [x], out, **attributes)


def transpose(b, x):
    shape = b.shapes[x]
    if b.rng.random() < 0.2:
        return b.node("Transpose", [x], shape[::-1])
    perm = [int(p) for p in b.rng.permutation(len(shape))]
    return b.node("Transpose", [x], [shape[p] for p in perm], perm=perm)


def concat(b, x):
    shape = b.shapes[x]
    rank = len(shape)
    axis = int(b.rng.integers(-rank, rank))
    positive = axis % rank
    inputs = [x]
    total = shape[positive]
    for _ in range(int(b.rng.integers(1, 3))):
        if b.rng.random() < 0.3:
            inputs.append(x)
            total += shape[positive]
        else:
            other = list(shape)
            other[positive] = int(b.rng.integers(1, 4))
            inputs.append(b.constant(b.weights(other)))
            total += other[positive]
    b.rng.shuffle(inputs)
    out = list(shape)
    out[positive] = total
    return b.node("Concat", inputs, out, axis=axis)


def pad(b, x):
    shape = b.shapes[x]
    rank = len(shape)
    mode = str(b.rng.choice(["constant", "reflect", "edge"]))
    limit = [min(2, d - 1) if mode == "reflect" else 2 for d in shape]
    pads = [int(b.rng.integers(0, lim + 1)) for lim in limit]
    pads += [int(b.rng.integers(0, lim + 1)) for lim in limit]
    if rank >= 3 and b.rng.random() < 0.5:  # usually only the spatial dims of NCHW
        for i in (0, 1, rank, rank + 1):
            pads[i] = 0
    inputs = [x, b.constant(np.array(pads, np.int64), "pads")]
    if mode == "constant" and b.rng.random() < 0.5:
        inputs.append(b.constant(np.float32(b.rng.uniform(-1, 1)), "value"))
    attributes = {} if mode == "constant" and b.rng.random() < 0.5 else {"mode": mode}
    out = [d + pads[i] + pads[i + rank] for i, d in enumerate(shape)]
    return b.node("Pad", inputs, out, **attributes)


# ---- int8 blocks: QDQ and QLinear ops -------------------------------------------------------

def quant_params(b, dtype):
    scale = np.float32(b.rng.uniform(0.01, 0.1))
    if dtype == np.uint8:
        zero_point = np.uint8(b.rng.integers(100, 156))
    else:
        zero_point = np.int8(b.rng.integers(-20, 21))
    return b.constant(scale, "scale"), b.constant(np.array(zero_point, dtype), "zero_point")


def quantize(b, x, dtype):
    scale, zero_point = quant_params(b, dtype)
    output = b.name("quantized")
    b.nodes.append(helper.make_node("QuantizeLinear", [x, scale, zero_point], [output],
                                    name=b.name("QuantizeLinear")))
    return output


def dequantize(b, q, shape):
    """DequantizeLinear of q with the parameters q was quantized with."""
    producer = next(n for n in b.nodes if n.output[0] == q)
    scale, zero_point = producer.input[-2], producer.input[-1]
    return b.node("DequantizeLinear", [q, scale, zero_point], shape)


def quantized_weights(b, shape, axis_size, per_channel):
    # 7-bit weights (-64..63), what ONNX Runtime's quantizer calls reduce_range. On x86 without
    # VNNI, ONNX Runtime's int8 GEMM sums adjacent u8 x s8 products in a saturating int16
    # (vpmaddubsw), so full-range weights make *its* outputs wrong there (255 * 127 * 2 > 32767),
    # and the comparison would fail on the peer's arithmetic, not ours. With |w| <= 64 a pair is
    # at most 255 * 128 = 32640. Full-range weights are covered by the kernel tests against the
    # reference kernels (tests/runtime/kernels/optimized_int8_{conv,linear}_test.cc).
    weights = (b.rng.integers(-127, 128, shape) // 2).astype(np.int8)
    if per_channel:
        scales = b.rng.uniform(0.002, 0.02, [axis_size]).astype(np.float32)
        zero_points = np.zeros([axis_size], np.int8)
    else:
        scales = np.float32(b.rng.uniform(0.002, 0.02))
        zero_points = np.int8(0)
    return (b.constant(weights, "wq"), b.constant(scales, "w_scale"),
            b.constant(np.array(zero_points, np.int8), "w_zero_point"))


def qdq(b, x):
    """QuantizeLinear then DequantizeLinear: fake quantization of an activation."""
    dtype = np.uint8 if b.rng.random() < 0.5 else np.int8
    return dequantize(b, quantize(b, x, dtype), b.shapes[x])


def qlinear_conv(b, x):
    plan = plan_conv(b, x)
    if plan is None:
        return None
    weight_shape, attributes, out, out_channels = plan
    dtype = np.uint8 if b.rng.random() < 0.5 else np.int8
    q = quantize(b, x, dtype)
    producer = b.nodes[-1]
    per_channel = b.rng.random() < 0.5
    w, w_scale, w_zero_point = quantized_weights(b, weight_shape, out_channels, per_channel)
    y_scale, y_zero_point = quant_params(b, dtype)
    inputs = [q, producer.input[1], producer.input[2], w, w_scale, w_zero_point, y_scale,
              y_zero_point]
    if b.rng.random() < 0.7:
        inputs.append(b.constant(b.rng.integers(-2000, 2000, [out_channels]).astype(np.int32),
                                 "bias"))
    shape = [b.shapes[x][0], out_channels] + out
    y = b.name("qlinearconv_out")
    b.nodes.append(helper.make_node("QLinearConv", inputs, [y], name=b.name("QLinearConv"),
                                    **attributes))
    return b.node("DequantizeLinear", [y, y_scale, y_zero_point], shape)


def qlinear_matmul(b, x):
    shape = b.shapes[x]
    if len(shape) not in (2, 3):
        return None
    dtype = np.uint8 if b.rng.random() < 0.5 else np.int8
    q = quantize(b, x, dtype)
    producer = b.nodes[-1]
    n = int(b.rng.integers(1, 17))
    w, w_scale, w_zero_point = quantized_weights(b, [shape[-1], n], n, per_channel=False)
    y_scale, y_zero_point = quant_params(b, dtype)
    y = b.name("qlinearmatmul_out")
    b.nodes.append(helper.make_node(
        "QLinearMatMul",
        [q, producer.input[1], producer.input[2], w, w_scale, w_zero_point, y_scale,
         y_zero_point], [y], name=b.name("QLinearMatMul")))
    return b.node("DequantizeLinear", [y, y_scale, y_zero_point], shape[:-1] + [n])


def qdq_conv(b, x):
    """The QDQ form of an int8 Conv: Q/DQ on the input, DQ on int8 weights, Q/DQ on the output."""
    plan = plan_conv(b, x)
    if plan is None:
        return None
    weight_shape, attributes, out, out_channels = plan
    x_dq = qdq(b, x)
    per_channel = b.opset >= 13 and b.rng.random() < 0.5
    w, w_scale, w_zero_point = quantized_weights(b, weight_shape, out_channels, per_channel)
    w_attributes = {"axis": 0} if per_channel else {}
    w_dq = b.node("DequantizeLinear", [w, w_scale, w_zero_point], weight_shape, **w_attributes)
    y = b.node("Conv", [x_dq, w_dq], [b.shapes[x][0], out_channels] + out, **attributes)
    return qdq(b, y)


# Each op with the most nodes it adds (int8 blocks and Gemm's transA add several).
OPS = [(conv, 1), (conv, 1), (pool, 1), (pool, 1), (global_average_pool, 1), (batch_normalization, 1),
       (gemm, 2), (matmul, 1), (binary, 1), (binary, 1), (activation, 1), (activation, 1),
       (softmax, 1), (reshape, 1), (flatten, 1), (transpose, 1), (concat, 1), (pad, 1),
       (qdq, 2), (qlinear_conv, 3), (qlinear_matmul, 3), (qdq_conv, 6)]
MAX_NODES = 6


def random_input_shape(rng):
    kind = rng.random()
    if kind < 0.55:  # an image, NCHW
        return [int(rng.integers(1, 3)), int(rng.integers(1, 9)), int(rng.integers(3, 13)),
                int(rng.integers(3, 13))]
    if kind < 0.7:  # a sequence, NCL
        return [int(rng.integers(1, 3)), int(rng.integers(1, 9)), int(rng.integers(3, 17))]
    if kind < 0.85:  # a batch of vectors
        return [int(rng.integers(1, 5)), int(rng.integers(1, 33))]
    return [int(rng.integers(1, 5)) for _ in range(int(rng.integers(1, 6)))]


def quantized_source(b, value):
    """(name, ONNX element type) of the int8/uint8 activation that `value` dequantizes, or None
    when `value` is not a DequantizeLinear of an activation."""
    producer = next((n for n in b.nodes if value in n.output), None)
    if producer is None or producer.op_type != "DequantizeLinear":
        return None
    source = producer.input[0]
    if any(init.name == source for init in b.initializers):
        return None
    zero_point = next(init for init in b.initializers if init.name == producer.input[2])
    return source, zero_point.data_type


def make_model(rng, index):
    opset = int(rng.integers(11, 18))
    b = GraphBuilder(rng, opset)
    value = b.add_input(random_input_shape(rng))
    target_nodes = int(rng.integers(1, 7))
    outputs = []
    attempts = 0
    while len(b.nodes) < target_nodes and attempts < 50:
        attempts += 1
        op, most_nodes = OPS[int(rng.integers(0, len(OPS)))]
        if len(b.nodes) + most_nodes > MAX_NODES:
            continue
        result = op(b, value)
        if result is None:
            continue
        if int(np.prod(b.shapes[result])) > 20000:  # keep models small for the ASan build
            return None
        if rng.random() < 0.15 and len(b.nodes) < target_nodes:
            outputs.append(result)  # an intermediate value is also a graph output
        value = result
    outputs.append(value)
    output_infos = [helper.make_tensor_value_info(name, FLOAT, b.shapes[name]) for name in outputs]
    quantized = quantized_source(b, value)
    if quantized is not None and rng.random() < 0.5:
        # The int8/uint8 tensor behind the last dequantization is an output too.
        name, elem_type = quantized
        output_infos.append(helper.make_tensor_value_info(name, elem_type, b.shapes[value]))
    graph = helper.make_graph(
        b.nodes, f"random_{index:03d}",
        [helper.make_tensor_value_info(name, FLOAT, shape) for name, shape in b.inputs],
        output_infos, b.initializers)
    model = helper.make_model(graph, producer_name="tinymlops make_random_models.py",
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7  # opset 11-17 models load in every ONNX Runtime release
    onnx.checker.check_model(model, full_check=True)
    return model, b.inputs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir")
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--seed", type=int, default=20240611)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    shutil.rmtree(args.output_dir, ignore_errors=True)
    index = 0
    while index < args.count:
        made = make_model(rng, index)
        if made is None:
            continue
        model, inputs = made
        model_dir = os.path.join(args.output_dir, f"model_{index:03d}")
        os.makedirs(model_dir)
        onnx.save(model, os.path.join(model_dir, "model.onnx"))
        for j, (_, shape) in enumerate(inputs):
            data = rng.uniform(-2.0, 2.0, shape).astype(np.float32)
            np.save(os.path.join(model_dir, f"input_{j}.npy"), data)
        index += 1
    print(f"make_random_models.py: {args.count} models in {args.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
