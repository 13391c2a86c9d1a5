#!/usr/bin/python3
"""Checks that two engines' outputs agree: each EXPECTED_DIR/NAME.npy against ACTUAL_DIR/NAME.npy.

Usage: compare_npy.py [--rtol R] [--atol A] EXPECTED_DIR ACTUAL_DIR

Agreement is numpy.allclose(actual, expected, rtol, atol) with equal shapes, per output: the
criterion of the ONNX backend tests (defaults rtol 1e-4, atol 1e-5). Prints one JSON object
{"agree": bool, "outputs": [{"name", "agree", "max_abs_error", "max_rel_error"}]} and exits 0
when every output agrees, 1 when one does not, 2 when a file is missing or unreadable.
"""

import argparse
import json
import os
import sys

import numpy as np


def compare(expected, actual, rtol, atol):
    if expected.shape != actual.shape:
        return {"agree": False, "reason": f"shape {list(actual.shape)}, expected "
                                          f"{list(expected.shape)}"}
    expected = expected.astype(np.float64)
    actual = actual.astype(np.float64)
    error = np.abs(actual - expected)
    relative = error / np.maximum(np.abs(expected), np.finfo(np.float32).tiny)
    return {
        "agree": bool(np.allclose(actual, expected, rtol=rtol, atol=atol)),
        "max_abs_error": float(error.max(initial=0.0)),
        "max_rel_error": float(relative.max(initial=0.0)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("expected_dir")
    parser.add_argument("actual_dir")
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-5)
    args = parser.parse_args()

    try:
        names = sorted(f for f in os.listdir(args.expected_dir) if f.endswith(".npy"))
        if not names:
            raise OSError(f"{args.expected_dir} holds no .npy file")
        results = []
        for name in names:
            expected = np.load(os.path.join(args.expected_dir, name))
            actual = np.load(os.path.join(args.actual_dir, name))
            results.append({"name": name[:-len(".npy")],
                            **compare(expected, actual, args.rtol, args.atol)})
    except (OSError, ValueError) as error:
        print(f"compare_npy: {error}", file=sys.stderr)
        return 2
    agree = all(r["agree"] for r in results)
    print(json.dumps({"agree": agree, "outputs": results}))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
