#!/usr/bin/python3
"""Writes the four MLPerf Tiny reference architectures as ONNX models with random weights.

Usage: make_mlperf_tiny_onnx.py OUT_DIR [--calibration-samples N]

For each model NAME it writes, into OUT_DIR:
  NAME.onnx              opset 13, float32, batch 1, input "input", output "output"
  NAME.input.npy         one fixed input (the outputs of every engine are compared on it)
  NAME.calibration.npy   N random inputs stacked along the batch axis: shape (N, *input shape[1:])
and call_overhead_add.onnx, a single Add of a 1-element tensor: the peer harness times it to
measure the cost of one inference call outside the model (bench/peer/ort_bench.js).

The architectures follow ../shared/data/mlperf-tiny/README.md (the MLPerf Tiny Keras reference
code): Keras 'same' padding is written as explicit ONNX pads (the extra row/column goes at the end,
as TensorFlow does), BatchNormalization stays a real BatchNormalization node (the importer folds
it), ReLU6 is Clip(0, 6). Weights are He-normal and the BatchNorm statistics are near identity, so
activations keep a sane scale through the depth. Everything is seeded: the files are identical on
every run.
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


class GraphBuilder:
    """Accumulates the nodes and initializers of one ONNX graph, with unique tensor names."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.initializers = []
        self.counter = 0

    def fresh(self, prefix):
        self.counter += 1
        return f"{prefix}_{self.counter}"

    def constant(self, prefix, array):
        name = self.fresh(prefix)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op_type, inputs, **attributes):
        output = self.fresh(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=output, **attributes))
        return output

    def he_normal(self, shape, fan_in):
        return (self.rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)

    def conv(self, x, in_channels, out_channels, kernel, stride, in_size, groups=1, bias=True):
        """Conv with Keras 'same' padding for an input of spatial size in_size=(h, w)."""
        kh, kw = kernel
        fan_in = (in_channels // groups) * kh * kw
        weight = self.constant("w", self.he_normal((out_channels, in_channels // groups, kh, kw),
                                                   fan_in))
        inputs = [x, weight]
        if bias:
            inputs.append(self.constant("b", self.rng.uniform(-0.1, 0.1, out_channels)
                                        .astype(np.float32)))
        pads, out_size = same_padding(in_size, kernel, stride)
        y = self.node("Conv", inputs, kernel_shape=[kh, kw], strides=[stride, stride], pads=pads,
                      group=groups)
        return y, out_size

    def batch_norm(self, x, channels):
        gamma = self.rng.uniform(0.8, 1.2, channels).astype(np.float32)
        beta = self.rng.uniform(-0.1, 0.1, channels).astype(np.float32)
        mean = self.rng.uniform(-0.1, 0.1, channels).astype(np.float32)
        var = self.rng.uniform(0.8, 1.2, channels).astype(np.float32)
        names = [self.constant(p, a) for p, a in
                 (("gamma", gamma), ("beta", beta), ("mean", mean), ("var", var))]
        return self.node("BatchNormalization", [x] + names, epsilon=1e-3)

    def relu6(self, x):
        low = self.constant("clip_min", np.array(0.0, np.float32))
        high = self.constant("clip_max", np.array(6.0, np.float32))
        return self.node("Clip", [x, low, high])

    def dense(self, x, in_features, out_features):
        weight = self.constant("w", self.he_normal((in_features, out_features), in_features))
        bias = self.constant("b", self.rng.uniform(-0.1, 0.1, out_features).astype(np.float32))
        return self.node("Gemm", [x, weight, bias])

    def average_pool_all(self, x, size):
        """Keras AveragePooling2D over the whole remaining (h, w), then Flatten."""
        pooled = self.node("AveragePool", [x], kernel_shape=list(size), strides=list(size))
        return self.node("Flatten", [pooled], axis=1)

    def model(self, name, input_shape, output_shape):
        """The graph of every node added so far; the last node's output becomes "output"."""
        self.nodes[-1].output[0] = "output"
        graph = helper.make_graph(
            self.nodes, name,
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, input_shape)],
            [helper.make_tensor_value_info("output", TensorProto.FLOAT, output_shape)],
            self.initializers)
        model = helper.make_model(graph, producer_name="tinymlops bench/models",
                                  opset_imports=[helper.make_opsetid("", OPSET)])
        model.ir_version = 7  # opset 13 needs IR >= 7; older ONNX Runtime builds cap it there
        onnx.checker.check_model(model, full_check=True)
        return model


def same_padding(in_size, kernel, stride):
    """ONNX pads [top, left, bottom, right] and output size of TensorFlow 'same' padding."""
    begins, ends, out_size = [], [], []
    for size, k in zip(in_size, kernel):
        out = -(-size // stride)  # ceil
        total = max((out - 1) * stride + k - size, 0)
        begins.append(total // 2)
        ends.append(total - total // 2)
        out_size.append(out)
    return begins + ends, tuple(out_size)


def kws_ds_cnn():
    """DS-CNN (small) keyword spotting: 1x1x49x10 MFCC -> 12 class probabilities."""
    b = GraphBuilder(seed=1)
    x, size = b.conv("input", 1, 64, (10, 4), 2, (49, 10))
    x = b.node("Relu", [b.batch_norm(x, 64)])
    for _ in range(4):
        x, size = b.conv(x, 64, 64, (3, 3), 1, size, groups=64)
        x = b.node("Relu", [b.batch_norm(x, 64)])
        x, size = b.conv(x, 64, 64, (1, 1), 1, size)
        x = b.node("Relu", [b.batch_norm(x, 64)])
    assert size == (25, 5)
    x = b.average_pool_all(x, size)
    x = b.node("Softmax", [b.dense(x, 64, 12)], axis=1)
    return b.model("kws_ds_cnn", [1, 1, 49, 10], [1, 12])


def ic_resnet8():
    """ResNet-8 CIFAR-10 image classification: 1x3x32x32 -> 10 class probabilities."""
    b = GraphBuilder(seed=2)
    x, size = b.conv("input", 3, 16, (3, 3), 1, (32, 32))
    x = b.node("Relu", [b.batch_norm(x, 16)])
    channels = 16
    for filters, stride in ((16, 1), (32, 2), (64, 2)):
        y, out_size = b.conv(x, channels, filters, (3, 3), stride, size)
        y = b.node("Relu", [b.batch_norm(y, filters)])
        y, _ = b.conv(y, filters, filters, (3, 3), 1, out_size)
        y = b.batch_norm(y, filters)
        if stride != 1 or channels != filters:
            x, _ = b.conv(x, channels, filters, (1, 1), stride, size)
        x = b.node("Relu", [b.node("Add", [x, y])])
        channels, size = filters, out_size
    assert size == (8, 8)
    x = b.average_pool_all(x, size)
    x = b.node("Softmax", [b.dense(x, 64, 10)], axis=1)
    return b.model("ic_resnet8", [1, 3, 32, 32], [1, 10])


def vww_mobilenet_v1_025():
    """MobileNetV1 alpha 0.25 visual wake words: 1x3x96x96 -> 2 class probabilities."""
    b = GraphBuilder(seed=3)
    x, size = b.conv("input", 3, 8, (3, 3), 2, (96, 96), bias=False)
    x = b.relu6(b.batch_norm(x, 8))
    channels = 8
    block_channels = [16, 32, 32, 64, 64] + [128] * 6 + [256, 256]
    stride_two_blocks = {2, 4, 6, 12}
    for block, filters in enumerate(block_channels, start=1):
        stride = 2 if block in stride_two_blocks else 1
        x, size = b.conv(x, channels, channels, (3, 3), stride, size, groups=channels,
                         bias=False)
        x = b.relu6(b.batch_norm(x, channels))
        x, size = b.conv(x, channels, filters, (1, 1), 1, size, bias=False)
        x = b.relu6(b.batch_norm(x, filters))
        channels = filters
    assert size == (3, 3)
    x = b.average_pool_all(x, size)
    x = b.node("Softmax", [b.dense(x, 256, 2)], axis=1)
    return b.model("vww_mobilenet_v1_025", [1, 3, 96, 96], [1, 2])


def ad_fc_autoencoder():
    """FC autoencoder anomaly detection (ToyCar): 1x640 -> 1x640 reconstruction."""
    b = GraphBuilder(seed=4)
    x, features = "input", 640
    for width in [128] * 4 + [8] + [128] * 4:
        x = b.node("Relu", [b.batch_norm(b.dense(x, features, width), width)])
        features = width
    x = b.dense(x, features, 640)
    return b.model("ad_fc_autoencoder", [1, 640], [1, 640])


def call_overhead_add():
    """The smallest useful model: output = input + 1 on a 1-element tensor."""
    b = GraphBuilder(seed=0)
    b.node("Add", ["input", b.constant("one", np.ones([1], np.float32))])
    return b.model("call_overhead_add", [1], [1])


# name -> (builder, input sampler). Inputs resemble the real ones in scale: standardized MFCC
# features and spectrogram frames (normal), images scaled to [0, 1] (uniform).
MODELS = {
    "kws_ds_cnn": (kws_ds_cnn, lambda rng, shape: rng.standard_normal(shape)),
    "ic_resnet8": (ic_resnet8, lambda rng, shape: rng.uniform(0.0, 1.0, shape)),
    "vww_mobilenet_v1_025": (vww_mobilenet_v1_025, lambda rng, shape: rng.uniform(0.0, 1.0, shape)),
    "ad_fc_autoencoder": (ad_fc_autoencoder, lambda rng, shape: rng.standard_normal(shape)),
}


def input_shape(model):
    dims = model.graph.input[0].type.tensor_type.shape.dim
    return tuple(d.dim_value for d in dims)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", help="folder to write the models and samples into")
    parser.add_argument("--calibration-samples", type=int, default=32,
                        help="random inputs per model in NAME.calibration.npy (default 32)")
    args = parser.parse_args()
    if args.calibration_samples < 1:
        parser.error("--calibration-samples must be at least 1")
    os.makedirs(args.out_dir, exist_ok=True)

    for seed, (name, (build, sample)) in enumerate(MODELS.items(), start=100):
        model = build()
        shape = input_shape(model)
        rng = np.random.default_rng(seed)
        fixed_input = sample(rng, shape).astype(np.float32)
        calibration = sample(rng, (args.calibration_samples,) + shape[1:]).astype(np.float32)
        path = os.path.join(args.out_dir, name)
        onnx.save(model, path + ".onnx")
        np.save(path + ".input.npy", fixed_input)
        np.save(path + ".calibration.npy", calibration)
        parameters = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
        print(f"{name}: {len(model.graph.node)} nodes, {parameters} parameters, "
              f"input {list(shape)} -> {path}.onnx")
    onnx.save(call_overhead_add(), os.path.join(args.out_dir, "call_overhead_add.onnx"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
