#!/usr/bin/python3
"""Prints the markdown table of scripts/bench-vs-ort from the files it wrote.

Usage: vs_ort_report.py RESULTS_DIR MODEL [MODEL ...]

RESULTS_DIR holds round-K/ort.json (bench/peer/ort_bench.js), round-K/MODEL.fp32.json and
round-K/MODEL.int8.json (`tinymlops model bench --json`), MODEL.inspect.json (`tinymlops model
inspect --json`), MODEL.agree.json (bench/compare_npy.py) and MODEL.STEP.error (the last error
line of a step of ours that failed). Each latency is the median over rounds of each round's
median. "ratio" divides our fp32 latency by ONNX Runtime's with node's call overhead subtracted:
the stricter comparison, since that overhead also holds ONNX Runtime's own fixed cost per call.
A cell whose data is missing shows "-", and the errors are listed under the table.
"""

import glob
import json
import os
import platform
import statistics
import sys

MISSING = "-"


def load(path):
    """The JSON in `path`, or None when the file is missing, empty or not JSON."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def number(value, digits=1):
    return MISSING if value is None else f"{value:.{digits}f}"


def kibibytes(byte_count):
    return None if byte_count is None else byte_count / 1024


def ratio(numerator, denominator):
    if numerator is None or denominator is None or denominator <= 0:
        return MISSING
    return f"{numerator / denominator:.2f}"


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def agreement_cell(agreement):
    if agreement is None:
        return MISSING
    worst = max(o.get("max_abs_error", float("inf")) for o in agreement["outputs"])
    return f"{'yes' if agreement['agree'] else 'NO'} (max abs err {worst:.1e})"


def main():
    if len(sys.argv) < 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    results_dir, models = sys.argv[1], sys.argv[2:]
    round_dirs = sorted(glob.glob(os.path.join(results_dir, "round-*")))
    ort_rounds = [r for r in (load(os.path.join(d, "ort.json")) for d in round_dirs) if r]
    if not ort_rounds:
        print(f"vs_ort_report: no round-*/ort.json in {results_dir}", file=sys.stderr)
        return 2

    def ort_median(model, field):
        return median_or_none(m[field] for r in ort_rounds for m in r["models"]
                              if m["name"] == model)

    def ours_median(model, variant):
        reports = (load(os.path.join(d, f"{model}.{variant}.json")) for d in round_dirs)
        return median_or_none(r["latency_us"]["median"] for r in reports if r)

    overhead = statistics.median(r["call_overhead"]["median_us"] for r in ort_rounds)
    print(f"ONNX Runtime {ort_rounds[0]['onnxruntime_version']} (onnxruntime-node, CPU EP, 1 "
          f"thread) against tinymlops (optimized kernels, 1 thread), batch 1, on {cpu_name()}; "
          f"median over {len(ort_rounds)} rounds of {ort_rounds[0]['runs']} timed runs each. "
          f"node call overhead (Add of one float): {overhead:.1f} us.\n")
    print("| model | ORT us | ORT minus node overhead | ours fp32 us | ratio | ours int8 us "
          "| int8/fp32 | outputs agree | arena KB | lower bound KB | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    for model in models:
        ort = ort_median(model, "median_us")
        ort_net = ort_median(model, "median_minus_overhead_us")
        fp32 = ours_median(model, "fp32")
        int8 = ours_median(model, "int8")
        agreement = load(os.path.join(results_dir, f"{model}.agree.json"))
        inspect = load(os.path.join(results_dir, f"{model}.inspect.json"))
        arena = inspect["arena"]["bytes"] if inspect else None
        bound = inspect["arena"]["liveness_lower_bound"] if inspect else None
        print(f"| {model} | {number(ort)} | {number(ort_net)} | {number(fp32)} | "
              f"{ratio(fp32, ort_net)} | {number(int8)} | {ratio(int8, fp32)} | "
              f"{agreement_cell(agreement)} | {number(kibibytes(arena))} | "
              f"{number(kibibytes(bound))} | {ratio(arena, bound)} |")

    errors = sorted(glob.glob(os.path.join(results_dir, "*.error")))
    if errors:
        print("\nSteps that failed:\n")
        for path in errors:
            model_step = os.path.basename(path)[:-len(".error")]
            with open(path) as f:
                print(f"- {model_step}: {f.read().strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
