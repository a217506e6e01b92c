#!/usr/bin/python3
"""Draws the figures and a report for an actbench sweep.

usage: scripts/plot_results.py RESULTS_OR_SWEEP_DIR [--out DIR] [--curves FILE] [--formats png,svg]

RESULTS_OR_SWEEP_DIR is a results.json (schema actbench.results/4) or the sweep directory holding
one. summary.json (actbench.summary/3, required) is read from beside it, and curves.json
(actbench.curves/1, from `actbench curves --out FILE`) when present; --curves names another
curves file. results.json and summary.json are validated against docs/results.schema.json and
docs/summary.schema.json. The figures and report go to --out (default: <that directory>/plots),
which is created; every file is written atomically (a temporary file renamed into place).

Everything shown comes from what actbench wrote: the statistics (per-epoch means and standard
deviations, estimates with 95% intervals, paired differences), the labels, the order, each
activation's colour, line style and marker, the sentences and the ranking table are
summary.json's; this script only draws them and lays out the report.

Figures, each as PNG (1500x900 pixels) and SVG unless --formats says otherwise:
  train_loss, test_loss, test_accuracy  the metric against epoch, one line per activation and one
                                        panel per swept point: the mean over completed seeds with a
                                        +-1 std band
  curves             each activation and its derivative (from curves.json; skipped without one)
  gradient_norms     per activation, each Linear layer's mean weight-gradient norm by epoch
  gradient_vs_depth  input-layer gradient norm against the number of hidden layers, at the first
                     step (the initial weights) and over the last epoch (only when model.hidden
                     is swept over several depths): vanishing gradients at a glance
  dead_saturated     dead units and saturated outputs per hidden layer after the last epoch
  final_accuracy     final test accuracy per group with 95% intervals, and the paired
                     differences against the baseline
  seconds_per_epoch  time per epoch per group with its 95% interval, and the last epoch split
                     into forward/backward/optimizer/other training/test where the phases were
                     timed (CPU)
plus report.md (setup, the ranking table, the paired differences, every figure with a caption)
and report.html (the same, self-contained: images embedded, no external resources). The figures
that need per-epoch diagnostics (train.diagnostics) or curves.json are skipped, with a log line,
without them.

Example:
  build/actbench run configs/depth.yaml --out results/depth
  build/actbench curves --out results/depth/curves.json
  /usr/bin/python3 scripts/plot_results.py results/depth     # -> results/depth/plots/report.html

Progress goes to stderr; the written files are listed on stdout, one per line. Bad input (a
missing path, a file that is not JSON, of another schema version or not matching its schema, no
runs, no summary.json, a bad --formats) is one line on stderr starting "plot_results: error:",
exit 2, and nothing written. Exit 1: this Python lacks matplotlib or jsonschema, or a bug.

Needs Debian's Python 3 with python3-matplotlib and python3-jsonschema (scripts/setup.sh installs
both); where the python3 first on PATH lacks them, run the script with /usr/bin/python3.
"""
import argparse
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from plotting.common import FORMATS, InputError, fail, log, write_atomic  # noqa: E402
from plotting.load import SetupError, load, parse_formats  # noqa: E402

USAGE = ("scripts/plot_results.py RESULTS_OR_SWEEP_DIR [--out DIR] [--curves FILE] "
         "[--formats png,svg]")


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message):  # one line, like every other error, instead of usage + error
        fail("%s (usage: %s)" % (message, USAGE))


def parse_args(argv):
    p = ArgumentParser(
        prog="plot_results.py",
        description="Figures and a report (report.md, report.html) for an actbench sweep "
                    "(results.json actbench.results/4 and summary.json actbench.summary/3).")
    p.add_argument("input", metavar="RESULTS_OR_SWEEP_DIR",
                   help="results.json, or its sweep directory (summary.json beside it)")
    p.add_argument("--out", metavar="DIR", help="output directory (default: <input dir>/plots)")
    p.add_argument("--curves", metavar="FILE", help="`actbench curves` output "
                   "(default: curves.json beside the results)")
    p.add_argument("--formats", default="png,svg", help="png, svg or png,svg (default)")
    return p.parse_args(argv)


def draw_everything(canvas):
    from plotting import figures_epochs, figures_groups, figures_layers
    from plotting.report import build_report, render_html, render_markdown
    figures_epochs.draw_epoch_figures(canvas)
    figures_epochs.draw_curves(canvas)
    figures_layers.draw_gradient_norms(canvas)
    figures_layers.draw_gradient_vs_depth(canvas)
    figures_layers.draw_dead_saturated(canvas)
    figures_groups.draw_final_accuracy(canvas)
    figures_groups.draw_seconds_per_epoch(canvas)
    blocks = build_report(canvas.sweep, canvas)
    for name, render in (("report.md", render_markdown),
                         ("report.html", lambda b: render_html(b, canvas.out_dir))):
        path = os.path.join(canvas.out_dir, name)
        write_atomic(path, render(blocks))
        canvas.written.append(path)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        formats = parse_formats(args.formats, FORMATS)
        sweep = load(args.input, args.curves)
    except InputError as e:
        fail(e)
    except SetupError as e:
        fail(e, code=1)
    out_dir = args.out or os.path.join(os.path.dirname(os.path.abspath(sweep.results_path)),
                                       "plots")
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        fail("--out %s exists and is not a directory" % out_dir)

    try:
        import matplotlib
    except ImportError:
        fail("matplotlib is not installed for %s (Debian: apt-get install python3-matplotlib, "
             "then run this script with /usr/bin/python3)" % sys.executable, code=1)
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    matplotlib.rcParams.update({"svg.hashsalt": "actbench", "font.size": 10,
                                "axes.titlesize": 11, "legend.frameon": False})
    from plotting.figures_base import Canvas

    log("reading %s: %d group%s at %d point%s, summary %s, %s" % (
        sweep.results_path, len(sweep.groups), "s" * (len(sweep.groups) != 1),
        len(sweep.points), "s" * (len(sweep.points) != 1), sweep.summary_path,
        "curves %s" % sweep.curves_path if sweep.curves_path else "no curves"))
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        fail("cannot create --out %s: %s" % (out_dir, e.strerror or e))

    canvas = Canvas(sweep, out_dir, formats, plt)
    try:
        draw_everything(canvas)
    except OSError as e:
        fail("cannot write into %s: %s" % (out_dir, e), code=1)
    except Exception:  # a bug here: the traceback, then the usual one-line summary
        traceback.print_exc()
        fail("unexpected failure after writing %d files into %s (a bug in plot_results.py; "
             "the traceback is above)" % (len(canvas.written), out_dir), code=1)
    log("wrote %d files into %s" % (len(canvas.written), out_dir))
    for path in canvas.written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
