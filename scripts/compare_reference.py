#!/usr/bin/env python3
"""Compares an actbench results.json with the tutorial's own figures.

usage: scripts/compare_reference.py RESULTS_JSON [--reference FILE] [--tolerance POINTS]

For every run whose activation label the reference has (docs/reference/tutorial-mnist.json:
ReLU, Sigmoid, Tanh, LeakyReLU), prints its test accuracy, test loss and train loss after its
last epoch beside the reference's at the same epoch (for a run longer than the reference: at the
reference's last epoch), and whether the accuracy agrees within the tolerance (default 0.5
points: about the spread between seeds at epoch 10). A run that diverged (status "diverged", or a
loss that is not finite: null in actbench.results/4, "NaN" or "Infinity" in /5) disagrees. The
table goes to stdout, then one line: "agrees: ..." or "disagrees: ...".

Both files are checked before anything is compared: results.json against
docs/results.schema.json (actbench.results/4 or /5), the reference against
docs/reference.schema.json (and its lists of one activation equally long).

Exit status:
  0  every run compared agrees with the reference
  1  some run disagrees or diverged (the comparison's verdict; the table says which)
  2  bad input: a missing, unreadable or oversized file, a directory, not JSON (NaN tokens
     included), a file that does not match its schema, a results.json with no runs or no run
     the reference has, a bad --tolerance or argument. One line on stderr,
     "compare_reference: error: <what, where, how to fix>", and nothing on stdout.
  3  this Python cannot run the script (no jsonschema: apt-get install python3-jsonschema, then
     use /usr/bin/python3), or a bug (a traceback, then one line)

--strict is still accepted and changes nothing: disagreement always exits 1.
"""
import argparse
import math
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from plotting import jsonfile  # noqa: E402
from plotting.jsonfile import InputError, SetupError, number  # noqa: E402

DEFAULT_REFERENCE = os.path.join(HERE, "..", "docs", "reference", "tutorial-mnist.json")
REFERENCE_MAX_BYTES = 1 << 20
PROG = "compare_reference"


def fail(message, code=2):
    print("%s: error: %s" % (PROG, " ".join(str(message).split())), file=sys.stderr, flush=True)
    sys.exit(code)


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message):  # one line, like every other error, instead of usage + error
        fail("%s (usage: %s RESULTS_JSON [--reference FILE] [--tolerance POINTS])"
             % (message, os.path.basename(sys.argv[0])))


def parse_args(argv):
    summary, _, details = __doc__.partition("\n\n")
    ap = ArgumentParser(prog=os.path.basename(sys.argv[0]), description=summary,
                        epilog=details.partition("\n\n")[2],
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", metavar="RESULTS_JSON", help="an actbench results.json")
    ap.add_argument("--reference", default=DEFAULT_REFERENCE, metavar="FILE",
                    help="the figures to compare with (default: "
                         "docs/reference/tutorial-mnist.json)")
    ap.add_argument("--tolerance", type=float, default=0.5, metavar="POINTS",
                    help="largest test-accuracy difference that agrees (default 0.5)")
    ap.add_argument("--strict", action="store_true",
                    help="no effect (kept for old command lines): disagreement exits 1")
    args = ap.parse_args(argv)
    if not (math.isfinite(args.tolerance) and args.tolerance >= 0):
        raise InputError("--tolerance %s: give a number of accuracy points, 0 or more"
                         % args.tolerance)
    return args


def load_reference(path):
    fix = "see docs/reference.schema.json; docs/reference/tutorial-mnist.json is one"
    doc = jsonfile.load(path, "reference file", "reference.schema.json", fix,
                        max_bytes=REFERENCE_MAX_BYTES)
    for label, ref in doc["results"].items():
        epochs = len(ref["train_loss"])
        for key in ("test_loss", "test_accuracy"):
            if len(ref[key]) != epochs:
                raise InputError("reference file %s: %s has %d values where train_loss has %d "
                                 "(one per epoch; %s)" % (
                                     path, jsonfile.json_path(("results", label, key)),
                                     len(ref[key]), epochs, fix))
    return doc["results"]


def load_results(path):
    fix = ("give the results.json that `actbench run` or `actbench merge DIR` wrote; `actbench "
           "merge %s` rewrites it from its runs/" % os.path.dirname(os.path.abspath(path)))
    doc = jsonfile.load(path, "results file", "results.schema.json", fix,
                        jsonfile.RESULTS_VERSIONS)
    if not doc["runs"]:
        raise InputError("results file %s has no runs at $.runs: nothing to compare (%s)"
                         % (path, fix))
    for i, run in enumerate(doc["runs"]):
        if not run["epochs"]:
            raise InputError("results file %s: %s (%s) has no epochs: nothing to compare (%s)"
                             % (path, jsonfile.json_path(("runs", i, "epochs")), run["name"], fix))
    return doc


def diverged_at(run):
    """The first epoch whose losses are not finite, the last one for a run marked diverged,
    or None."""
    for e in run["epochs"]:
        if not all(math.isfinite(number(e[k])) for k in ("train_loss", "test_loss",
                                                        "test_accuracy")):
            return e["epoch"]
    return run["epochs"][-1]["epoch"] if run["status"] == "diverged" else None


def compare(results, reference, tolerance):
    """(rows for the table, the runs that disagree as words)."""
    rows, bad = [], []
    for run in results["runs"]:
        ref = reference.get(run["label"])
        if ref is None:
            continue
        n = min(len(run["epochs"]), len(ref["test_accuracy"]))
        last = run["epochs"][n - 1]
        acc = number(last["test_accuracy"])
        delta = acc - ref["test_accuracy"][n - 1]
        diverged = diverged_at(run)
        if diverged is not None:
            verdict = "DIVERGED"
            bad.append("%s diverged at epoch %d" % (run["name"], diverged))
        elif abs(delta) <= tolerance:
            verdict = "ok"
        else:
            verdict = "DIFFERS"
            bad.append("%s differs by %+.2f points" % (run["name"], delta))
        rows.append((run["label"], n, acc, ref["test_accuracy"][n - 1], delta,
                     number(last["test_loss"]), ref["test_loss"][n - 1],
                     number(last["train_loss"]), ref["train_loss"][n - 1], verdict))
    return rows, bad


def loss(x):
    """A loss for the table: 4 decimals, or 3 significant digits once it has run away."""
    return f"{x:.4f}" if abs(x) < 1e4 or not math.isfinite(x) else f"{x:.2e}"


def main(argv=None):
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
        results = load_results(args.results)
        reference = load_reference(args.reference)
        rows, bad = compare(results, reference, args.tolerance)
        if not rows:
            raise InputError("no run in %s has an activation label the reference has (%s): "
                             "nothing to compare; label runs as the tutorial does "
                             "(configs/seed.yaml)" % (args.results, ", ".join(reference)))
    except InputError as e:
        fail(e)
    except SetupError as e:
        fail(e, code=3)
    print(f"{'activation':<12} {'epoch':>5} {'test acc%':>9} {'tutorial':>8} {'delta':>6} "
          f"{'test loss':>9} {'tutorial':>8} {'train loss':>10} {'tutorial':>8}  within "
          f"{args.tolerance:g} pt")
    for r in rows:
        print(f"{r[0]:<12} {r[1]:>5} {r[2]:>9.2f} {r[3]:>8.2f} {r[4]:>+6.2f} {loss(r[5]):>9} "
              f"{r[6]:>8.4f} {loss(r[7]):>10} {r[8]:>8.4f}  {r[9]}")
    if bad:
        print("disagrees: %d of %d runs: %s" % (len(bad), len(rows), "; ".join(bad)))
        return 1
    print("agrees: %d of %d runs within %g points of the reference"
          % (len(rows), len(rows), args.tolerance))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # a bug: the traceback, then one line; never 1, which means "disagrees"
        traceback.print_exc()
        fail("unexpected failure (a bug in compare_reference.py; the traceback is above)", 3)
