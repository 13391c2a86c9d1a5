#!/usr/bin/python3
"""Trains the digits example classifier and exports it to ONNX.

Data: scikit-learn's bundled digits set (1797 8x8 images, 10 classes), pixels scaled from
[0, 16] to [0, 1]. Split: 80% train / 20% held out, stratified, fixed seed. Model: an MLP
64 -> 32 (ReLU) -> 10 trained by scikit-learn's MLPClassifier with a fixed seed, exported by
hand as ONNX opset 13: Gemm + Relu + Gemm + Softmax, input "pixels" [1, 64] float32, output
"probabilities" [1, 10] float32.

Writes, next to this script (or into --out-dir):
  digits.onnx         the model
  heldout_x.npy       float32 [N, 64], the held-out inputs
  heldout_y.npy       int64 [N], their labels
  calibration_x.npy   float32 [100, 64], a calibration subset of the TRAIN split

Running it again regenerates the same files (fixed seeds, single-threaded training).
Usage: /usr/bin/python3 examples/digits/train_digits.py [--out-dir DIR]
"""

import argparse
import os
import warnings

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

SEED = 0
HIDDEN = 32
CALIBRATION_SAMPLES = 100


def load_split():
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    return train_test_split(x, y, test_size=0.2, stratify=y, random_state=SEED)


def train(x_train, y_train):
    model = MLPClassifier(hidden_layer_sizes=(HIDDEN,), activation="relu", solver="adam",
                          alpha=1e-4, batch_size=64, learning_rate_init=1e-2, max_iter=200,
                          random_state=SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x_train, y_train)
    return model


def export_onnx(model):
    """Gemm(transB=1) + Relu + Gemm(transB=1) + Softmax, weights stored [out, in] as PyTorch does."""
    w1 = model.coefs_[0].T.astype(np.float32)  # [32, 64]
    b1 = model.intercepts_[0].astype(np.float32)
    w2 = model.coefs_[1].T.astype(np.float32)  # [10, 32]
    b2 = model.intercepts_[1].astype(np.float32)
    nodes = [
        helper.make_node("Gemm", ["pixels", "fc1.weight", "fc1.bias"], ["fc1"], name="fc1",
                         transB=1),
        helper.make_node("Relu", ["fc1"], ["relu1"], name="relu1"),
        helper.make_node("Gemm", ["relu1", "fc2.weight", "fc2.bias"], ["logits"], name="fc2",
                         transB=1),
        helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1),
    ]
    initializers = [
        numpy_helper.from_array(w1, "fc1.weight"),
        numpy_helper.from_array(b1, "fc1.bias"),
        numpy_helper.from_array(w2, "fc2.weight"),
        numpy_helper.from_array(b2, "fc2.bias"),
    ]
    graph = helper.make_graph(
        nodes, "digits_mlp",
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 10])],
        initializer=initializers)
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                                   producer_name="tinymlops-examples")
    onnx_model.ir_version = 7
    onnx.checker.check_model(onnx_model)
    return onnx_model


def onnx_forward(x, model):
    """The exported graph's arithmetic in numpy, to check the export against sklearn."""
    hidden = np.maximum(x @ model.coefs_[0] + model.intercepts_[0], 0)
    logits = hidden @ model.coefs_[1] + model.intercepts_[1]
    return np.argmax(logits, axis=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default=os.path.dirname(os.path.abspath(__file__)))
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)

    x_train, x_heldout, y_train, y_heldout = load_split()
    model = train(x_train, y_train)
    accuracy = float(np.mean(model.predict(x_heldout) == y_heldout))
    assert np.array_equal(onnx_forward(x_heldout, model), model.predict(x_heldout))

    rng = np.random.default_rng(SEED)
    calibration = x_train[np.sort(rng.choice(len(x_train), CALIBRATION_SAMPLES, replace=False))]

    onnx.save(export_onnx(model), os.path.join(args.out_dir, "digits.onnx"))
    np.save(os.path.join(args.out_dir, "heldout_x.npy"), np.ascontiguousarray(x_heldout))
    np.save(os.path.join(args.out_dir, "heldout_y.npy"), np.ascontiguousarray(y_heldout))
    np.save(os.path.join(args.out_dir, "calibration_x.npy"), np.ascontiguousarray(calibration))
    print(f"train {len(x_train)}, held out {len(x_heldout)}, calibration {len(calibration)}; "
          f"held-out accuracy (sklearn fp32) {accuracy:.4f}")


if __name__ == "__main__":
    main()
