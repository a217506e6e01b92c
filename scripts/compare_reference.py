#!/usr/bin/env python3
"""Compares an actbench results.json with the tutorial's own figures.

usage: scripts/compare_reference.py RESULTS_JSON [--reference FILE] [--tolerance POINTS] [--strict]

For every activation present in both (matched by label), prints final test accuracy, final test
loss and final train loss side by side, and whether the accuracy agrees within the tolerance
(default 0.5 points: about the spread between seeds at epoch 10). --strict exits 1 on disagreement.
Standard library only.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_REFERENCE = os.path.join(HERE, "..", "docs", "reference", "tutorial-mnist.json")


def load(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        sys.exit(f"compare_reference: cannot read {what} {path}: {e.strerror}")
    except json.JSONDecodeError as e:
        sys.exit(f"compare_reference: {what} {path} is not valid JSON: {e}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("--reference", default=DEFAULT_REFERENCE)
    ap.add_argument("--tolerance", type=float, default=0.5)
    ap.add_argument("--strict", action="store_true")
    args = ap.parse_args()

    results = load(args.results, "results")
    reference = load(args.reference, "reference")
    if not str(results.get("schema", "")).startswith("actbench.results/"):
        sys.exit(f"compare_reference: {args.results} is not an actbench results file")
    ref_runs = reference["results"]

    rows, bad = [], 0
    for run in results.get("runs", []):
        ref = ref_runs.get(run["label"])
        if ref is None or not run["epochs"]:
            continue
        n = len(run["epochs"])
        if n > len(ref["test_accuracy"]):
            continue
        last = run["epochs"][-1]
        ref_acc = ref["test_accuracy"][n - 1]
        delta = last["test_accuracy"] - ref_acc
        ok = abs(delta) <= args.tolerance
        bad += not ok
        rows.append((run["label"], n, last["test_accuracy"], ref_acc, delta,
                     last["test_loss"], ref["test_loss"][n - 1],
                     last["train_loss"], ref["train_loss"][n - 1], "ok" if ok else "DIFFERS"))
    if not rows:
        print("compare_reference: no activation in common with the reference", file=sys.stderr)
        return 0
    print(f"{'activation':<12} {'epoch':>5} {'test acc%':>9} {'tutorial':>8} {'delta':>6} "
          f"{'test loss':>9} {'tutorial':>8} {'train loss':>10} {'tutorial':>8}  within "
          f"{args.tolerance:g} pt")
    for r in rows:
        print(f"{r[0]:<12} {r[1]:>5} {r[2]:>9.2f} {r[3]:>8.2f} {r[4]:>+6.2f} {r[5]:>9.4f} "
              f"{r[6]:>8.4f} {r[7]:>10.4f} {r[8]:>8.4f}  {r[9]}")
    return 1 if (bad and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
