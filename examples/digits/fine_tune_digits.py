#!/usr/bin/python3
"""Fine-tunes the digits example classifier: the next version a vendor would ship.

Starts from the weights of digits.onnx (train_digits.py) and trains FINE_TUNE more epochs on
the same training split at a tenth of the learning rate (scikit-learn's MLPClassifier, warm
start, fixed seed, single thread). The digits set has no newer data, so this stands in for a
weekly fine-tune on the week's data: every weight moves a little, the architecture stays, as
in a real retrain. Prints the held-out accuracy before and after.

Usage: /usr/bin/python3 examples/digits/fine_tune_digits.py OUT.onnx [--base digits.onnx]
Running it again writes the same file.
"""

import argparse
import os
import warnings

import numpy as np
import onnx
from onnx import numpy_helper
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from train_digits import HIDDEN, SEED, export_onnx, load_split

FINE_TUNE = 5  # epochs, from the base weights


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--base", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                       "digits.onnx"))
    args = parser.parse_args()
    weights = {t.name: numpy_helper.to_array(t) for t in onnx.load(args.base).graph.initializer}

    x_train, x_heldout, y_train, y_heldout = load_split()
    model = MLPClassifier(hidden_layer_sizes=(HIDDEN,), activation="relu", solver="adam",
                          alpha=1e-4, batch_size=64, learning_rate_init=1e-3, max_iter=1,
                          warm_start=True, random_state=SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x_train, y_train)  # sets up the layers; the base weights replace what it learnt
    model.coefs_[0][...] = weights["fc1.weight"].T
    model.intercepts_[0][...] = weights["fc1.bias"]
    model.coefs_[1][...] = weights["fc2.weight"].T
    model.intercepts_[1][...] = weights["fc2.bias"]
    before = float(np.mean(model.predict(x_heldout) == y_heldout))
    model.set_params(max_iter=FINE_TUNE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x_train, y_train)
    after = float(np.mean(model.predict(x_heldout) == y_heldout))
    onnx.save(export_onnx(model), args.output)
    print(f"fine-tuned {FINE_TUNE} epochs: held-out accuracy {before:.4f} -> {after:.4f}")


if __name__ == "__main__":
    main()
