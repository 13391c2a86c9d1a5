#!/usr/bin/python3
"""Writes the model pairs of the delta-update benchmark (scripts/bench-delta) as ONNX files.

Usage: make_delta_pairs.py OUT_DIR

Fine-tuned pairs, real retraining (scikit-learn MLPClassifier, fixed seeds, single thread):
  digits.v1.onnx / digits.v2.onnx            the digits example's MLP 64 -> 32 -> 10
  digits_wide.v1.onnx / digits_wide.v2.onnx  a wider MLP 64 -> 256 -> 256 -> 10 (85k weights)
v1 is trained on 70% of the digits train split; v2 starts from v1's weights and trains FINE_TUNE
more epochs on the whole train split (more data), as a vendor's next release would; v3
(MODEL.v3.onnx, the release after, for chained deltas v1 -> v2 -> v3) FINE_TUNE more from v2's.
Fine-tuned pair by perturbation (no training data for it here):
  ic_resnet8.v1.onnx / ic_resnet8.v2.onnx    MLPerf Tiny ResNet-8 with its seeded random weights
                                             (bench/models/make_mlperf_tiny_onnx.py) and the
                                             same with every float weight w + N(0, (1e-3 std)^2);
                                             v3 the same noise again on v2 (another seed)
Calibration sets for the re-quantized pairs (the same float model, two calibrations):
  digits.cal_a.npy / digits.cal_b.npy        100 train samples each, disjoint
  digits_wide.cal_a.npy / .cal_b.npy         the same two sets
  ic_resnet8.cal_a.npy / ic_resnet8.cal_b.npy  32 random inputs each, two seeds
Running it again writes the same files.
"""

import copy
import os
import sys
import warnings

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
import make_mlperf_tiny_onnx  # noqa: E402

SEED = 0
FINE_TUNE = 5  # epochs of v2 on the whole train split, from v1's weights


def digits_split():
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    return train_test_split(x, y, test_size=0.2, stratify=y, random_state=SEED)


def export_mlp(model, name):
    """Gemm(transB=1) + Relu per hidden layer, then Gemm + Softmax; input "pixels" [1, 64]."""
    nodes, initializers = [], []
    x = "pixels"
    layers = len(model.coefs_)
    for i, (w, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        initializers += [numpy_helper.from_array(w.T.astype(np.float32), f"fc{i}.weight"),
                         numpy_helper.from_array(b.astype(np.float32), f"fc{i}.bias")]
        nodes.append(helper.make_node("Gemm", [x, f"fc{i}.weight", f"fc{i}.bias"], [f"fc{i}"],
                                      name=f"fc{i}", transB=1))
        x = f"fc{i}"
        if i + 1 < layers:
            nodes.append(helper.make_node("Relu", [x], [f"relu{i}"], name=f"relu{i}"))
            x = f"relu{i}"
    nodes.append(helper.make_node("Softmax", [x], ["probabilities"], name="softmax", axis=1))
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 10])],
        initializer=initializers)
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                                   producer_name="tinymlops-bench")
    onnx_model.ir_version = 7
    onnx.checker.check_model(onnx_model)
    return onnx_model


def mlp_pair(hidden, x_train, y_train, x_heldout, y_heldout):
    first, _, first_y, _ = train_test_split(x_train, y_train, train_size=0.7, stratify=y_train,
                                            random_state=SEED)
    v1 = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam", alpha=1e-4,
                       batch_size=64, learning_rate_init=1e-2, max_iter=200, random_state=SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        v1.fit(first, first_y)
    versions = [v1]
    for _ in range(2):  # v2, then v3 from v2
        tuned = copy.deepcopy(versions[-1])
        tuned.set_params(warm_start=True, max_iter=FINE_TUNE, learning_rate_init=1e-3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            tuned.fit(x_train, y_train)
        versions.append(tuned)
    accuracies = [float(np.mean(m.predict(x_heldout) == y_heldout)) for m in versions]
    return versions, accuracies


def perturbed(model, relative, seed):
    rng = np.random.default_rng(seed)
    out = copy.deepcopy(model)
    for tensor in out.graph.initializer:
        if tensor.data_type != TensorProto.FLOAT:
            continue
        w = numpy_helper.to_array(tensor)
        noise = rng.standard_normal(w.shape) * relative * (float(np.std(w)) or 1.0)
        tensor.CopyFrom(numpy_helper.from_array((w + noise).astype(np.float32), tensor.name))
    return out


def main():
    if len(sys.argv) != 2:
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    x_train, x_heldout, y_train, y_heldout = digits_split()
    rng = np.random.default_rng(SEED)
    picks = rng.choice(len(x_train), 200, replace=False)
    for name, hidden in (("digits", (32,)), ("digits_wide", (256, 256))):
        versions, accuracies = mlp_pair(hidden, x_train, y_train, x_heldout, y_heldout)
        for i, version in enumerate(versions):
            onnx.save(export_mlp(version, name), os.path.join(out, f"{name}.v{i + 1}.onnx"))
        np.save(os.path.join(out, f"{name}.cal_a.npy"), x_train[np.sort(picks[:100])])
        np.save(os.path.join(out, f"{name}.cal_b.npy"), x_train[np.sort(picks[100:])])
        print(f"{name}: held-out accuracy v1 {accuracies[0]:.4f}, v2 {accuracies[1]:.4f}, "
              f"v3 {accuracies[2]:.4f}")

    resnet = make_mlperf_tiny_onnx.ic_resnet8()
    onnx.save(resnet, os.path.join(out, "ic_resnet8.v1.onnx"))
    resnet_v2 = perturbed(resnet, 1e-3, SEED)
    onnx.save(resnet_v2, os.path.join(out, "ic_resnet8.v2.onnx"))
    onnx.save(perturbed(resnet_v2, 1e-3, SEED + 1), os.path.join(out, "ic_resnet8.v3.onnx"))
    for suffix, seed in (("cal_a", 1), ("cal_b", 2)):
        samples = np.random.default_rng(seed).uniform(0.0, 1.0, (32, 3, 32, 32))
        np.save(os.path.join(out, f"ic_resnet8.{suffix}.npy"), samples.astype(np.float32))
    print("ic_resnet8: v2 = v1 + noise of 1e-3 of each tensor's std, v3 = v2 + the same "
          "(not retrained)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
