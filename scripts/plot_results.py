#!/usr/bin/python3
"""Draws the figures and a report for an actbench sweep (results schema actbench.results/3).

usage: scripts/plot_results.py RESULTS_OR_SWEEP_DIR [--out DIR] [--curves FILE] [--formats png,svg]

RESULTS_OR_SWEEP_DIR is a results.json (schema actbench.results/3) or the sweep directory holding
one. summary.json (actbench.summary/1) and curves.json (actbench.curves/1, from
`actbench curves --out FILE`) are read from beside it when present; --curves names another curves
file. The figures and report go to --out (default: <that directory>/plots), which is created;
every file is written atomically (a temporary file renamed into place).

Figures, each as PNG (1500x900 pixels) and SVG unless --formats says otherwise:
  train_loss, test_loss, test_accuracy  the metric against epoch, one line per group (activation
                                        and swept values but the seed): the mean over completed
                                        seeds with a +-1 std band; diverged runs are left out
  curves             each activation and its derivative (from curves.json; skipped without one)
  gradient_norms     per activation, each Linear layer's mean weight-gradient norm by epoch
                     (at the first swept point when several are swept)
  gradient_vs_depth  input-layer gradient norm against the number of hidden layers, at the first
                     step (the initial weights) and over the last epoch (only when depth is
                     swept): vanishing gradients at a glance
  dead_saturated     dead units and saturated outputs per hidden layer after the last epoch
                     (at the first swept point)
  final_accuracy     final test accuracy per group with 95% intervals (from summary.json)
  seconds_per_epoch  time per epoch per group, split into forward/backward/optimizer/other
                     training/test where the diagnostics timed the phases (CPU), else the total
plus report.md (ranking table, paired differences, every figure with a caption) and report.html
(the same, self-contained: images embedded, no external resources). The figures that need
per-epoch diagnostics (train.diagnostics) or curves.json are skipped, with a log line, without.

Example:
  build/actbench run configs/depth.yaml --out results/depth
  build/actbench curves --out results/depth/curves.json
  /usr/bin/python3 scripts/plot_results.py results/depth     # -> results/depth/plots/report.html

Colours and line styles are fixed per activation label in every figure. Progress goes to stderr;
the written files are listed on stdout, one per line. Bad input (a missing path, a file that is
not JSON or not actbench.results/3, no runs, a bad --formats) is one line on stderr starting
"plot_results: error:", exit 2, and nothing written.

Needs Python 3 with matplotlib (Debian: apt-get install python3-matplotlib) and nothing else;
where the python3 first on PATH has no matplotlib, run the script with /usr/bin/python3.
"""
import argparse
import base64
import html
import io
import json
import math
import os
import shlex
import sys
import tempfile
import textwrap
import traceback
import zlib

PROG = "plot_results"
RESULTS_SCHEMA = "actbench.results/3"
SUMMARY_SCHEMA = "actbench.summary/1"
CURVES_SCHEMA = "actbench.curves/1"
FORMATS = ("png", "svg")
FIGSIZE = (10, 6)
DPI = 150  # 10 x 6 inches at 150 dpi: 1500 x 900 pixels


class InputError(Exception):
    """Bad input: reported as one line, exit 2, nothing written."""


def log(message):
    print("%s: %s" % (PROG, message), file=sys.stderr, flush=True)


def fail(message, code=2):
    print("%s: error: %s" % (PROG, " ".join(str(message).split())), file=sys.stderr, flush=True)
    sys.exit(code)


# ---------------------------------------------------------------------------------------------
# Colours and line styles: fixed per activation label, in every figure.

_TAB10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
_DARK = ["#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173",
         "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363"]
# The default labels of actbench's 24 activations. The tutorial's four (ReLU, Sigmoid, Tanh,
# LeakyReLU) get tab10's four most distinct colours.
_DEFAULT_LABELS = ["ReLU", "Sigmoid", "Tanh", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU",
                   "Mish", "Softplus", "Softsign", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish",
                   "LogSigmoid", "Tanhshrink", "Hardshrink", "Softshrink"]
STYLE_TABLE = {}
for _i, _label in enumerate(_DEFAULT_LABELS):
    STYLE_TABLE[_label] = (_TAB10[_i] if _i < 10 else _DARK[_i - 10], "-" if _i < 10 else "--")
STYLE_TABLE.update({"Threshold": ("#e7ba52", "-."), "RReLU": ("#ad494a", "-."),
                    "PReLU": ("#6b6ecf", "-."), "Identity": ("#000000", ":")})
# Any other label: a colour and a dash pattern chosen by a stable hash of the label (never
# Python's hash(), which changes between processes). Neither the colours nor the dash patterns
# are used above, so an unknown label never looks like a default one.
_HASH_COLOURS = ["#5254a3", "#8ca252", "#bd9e39", "#a55194", "#6baed6", "#fd8d3c",
                 "#74c476", "#9e9ac8", "#969696", "#d6616b", "#ce6dbd", "#17a589"]
_HASH_DASHES = [(0, (1, 1)), (0, (5, 1)), (0, (3, 1, 1, 1)), (0, (6, 2, 2, 2))]
INIT_STYLES = {"default": "-", "kaiming_normal": "--", "kaiming_uniform": "-.",
               "xavier_normal": ":", "xavier_uniform": (0, (5, 1)),
               "orthogonal": (0, (3, 1, 1, 1, 1, 1))}
_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p"]
MAX_GROUP_LEGEND = 24  # more groups than this: the legend lists activations and points apart


def label_style(label):
    """(colour, line style) of an activation label: the same in every figure and every run."""
    if label in STYLE_TABLE:
        return STYLE_TABLE[label]
    h = zlib.crc32(label.encode("utf-8"))
    return (_HASH_COLOURS[h % len(_HASH_COLOURS)],
            _HASH_DASHES[(h // len(_HASH_COLOURS)) % len(_HASH_DASHES)])


def init_style(init):
    if init in INIT_STYLES:
        return INIT_STYLES[init]
    return _HASH_DASHES[zlib.crc32(init.encode("utf-8")) % len(_HASH_DASHES)]


# ---------------------------------------------------------------------------------------------
# Text as actbench writes it (src/util/text.cpp: format_number, value_text, last_key_part).

def format_number(v):
    mag = abs(v)
    plain = mag == 0.0 or (1e-4 <= mag < 1e15)
    s = repr(v)
    for precision in range(1, 18):
        s = "%.*g" % (precision, v)
        if plain and "e" in s:
            continue
        if float(s) == v:
            break
    return s


def value_text(v):
    if isinstance(v, str):
        return v
    if isinstance(v, list) and len(v) >= 3 and all(x == v[0] for x in v):
        return "[%s]*%d" % (value_text(v[0]), len(v))
    if isinstance(v, float):
        return format_number(v)
    return json.dumps(v, separators=(",", ":"))


def last_key_part(key):
    return key.rsplit(".", 1)[-1]


def point_text(point, keys):
    """'hidden=[64]*4 lr=0.01': the swept values of a point (keys whose last part repeats are
    written in full, as in actbench's run names)."""
    uses = {}
    for k in keys:
        uses[last_key_part(k)] = uses.get(last_key_part(k), 0) + 1
    parts = []
    for k in keys:
        if k in point:
            name = k if uses[last_key_part(k)] > 1 else last_key_part(k)
            parts.append("%s=%s" % (name, value_text(point[k])))
    return " ".join(parts)


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def finite(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


# ---------------------------------------------------------------------------------------------
# Input

class Run:
    __slots__ = ("index", "label", "activation", "seed", "status", "point", "point_key",
                 "hidden", "init", "epochs", "final", "name", "initial_grad_norm")


class Group:
    def __init__(self, label, point, point_key, point_index):
        self.label = label
        self.point = point
        self.point_key = point_key
        self.point_index = point_index
        self.runs = []
        self.name = label

    @property
    def completed(self):
        return [r for r in self.runs if r.status == "completed"]

    @property
    def diverged(self):
        return len(self.runs) - len(self.completed)

    def legend_label(self):
        d = self.diverged
        return self.name + (" (%d diverged)" % d if d else "")


class Data:
    """What the figures and the report are drawn from."""

    def __init__(self):
        self.results_path = None
        self.results = None
        self.runs = []
        self.groups = []
        self.points = []        # point keys in order of first appearance
        self.point_values = {}  # point key -> point (dict, without train.seed)
        self.keys = []          # swept keys but train.seed, sorted as in actbench's plan
        self.labels = []        # activation labels in order of first appearance
        self.summary = None
        self.summary_path = None
        self.curves = None
        self.curves_path = None
        self.notes = []         # things the reader should know (a missing summary, ...)


def read_json(path, what):
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise InputError("cannot read %s %s: %s" % (what, path, e.strerror or e))
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise InputError("%s %s is not JSON: %s" % (what, path, e))


def check_list(obj, key, where):
    v = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(v, list):
        raise InputError("%s has no '%s' list" % (where, key))
    return v


def load_results(path):
    doc = read_json(path, "results file")
    if not isinstance(doc, dict):
        raise InputError("%s is not an actbench results file (a JSON object with 'schema' and "
                         "'runs')" % path)
    schema = doc.get("schema")
    if schema != RESULTS_SCHEMA:
        found = ("schema %s" % json.dumps(schema)) if schema is not None else "no 'schema' key"
        raise InputError("%s has %s; plot_results.py reads %s (runs with per-epoch "
                         "diagnostics): rerun the sweep with the current actbench, which writes "
                         "it" % (path, found, RESULTS_SCHEMA))
    runs_json = check_list(doc, "runs", path)
    if not runs_json:
        raise InputError("%s has an empty runs list: nothing to plot" % path)
    runs = []
    for i, rj in enumerate(runs_json):
        where = "%s: run %d" % (path, i + 1)
        if not isinstance(rj, dict):
            raise InputError("%s is not an object" % where)
        run = Run()
        run.index = i
        run.activation = str(rj.get("activation", ""))
        run.label = str(rj.get("label") or run.activation)
        if not run.label:
            raise InputError("%s has neither 'label' nor 'activation'" % where)
        run.name = str(rj.get("name") or run.label)
        where = "%s (%s)" % (where, run.name)
        run.seed = rj.get("seed")
        run.status = rj.get("status", "completed")
        point = rj.get("point") or {}
        if not isinstance(point, dict):
            raise InputError("%s: 'point' is not an object" % where)
        run.point = {k: v for k, v in point.items() if k != "train.seed"}
        run.point_key = canonical(run.point)
        config = rj.get("config") if isinstance(rj.get("config"), dict) else {}
        model = config.get("model") if isinstance(config.get("model"), dict) else {}
        hidden = model.get("hidden")
        run.hidden = hidden if isinstance(hidden, list) else None
        run.init = str(model.get("init") or "default")
        epochs = check_list(rj, "epochs", where)
        for e in epochs:
            if not isinstance(e, dict) or not isinstance(e.get("epoch"), int):
                raise InputError("%s: an entry of 'epochs' has no integer 'epoch'" % where)
            d = e.get("diagnostics")
            if d is not None and not isinstance(d, dict):
                raise InputError("%s, epoch %d: 'diagnostics' is not an object"
                                 % (where, e["epoch"]))
        run.epochs = epochs
        run.final = rj.get("final") if isinstance(rj.get("final"), dict) else {}
        initial = rj.get("initial_grad_norm")
        run.initial_grad_norm = initial if isinstance(initial, list) else []
        runs.append(run)
    return doc, runs


def load_summary(path):
    """summary.json beside the results, or None (with the reason logged) when it is unusable."""
    try:
        doc = read_json(path, "summary file")
    except InputError as e:
        log("ignoring the summary: %s" % e)
        return None
    if not isinstance(doc, dict) or doc.get("schema") != SUMMARY_SCHEMA:
        log("ignoring %s: schema %s, not %s" % (path, json.dumps(doc.get("schema")
                                                                 if isinstance(doc, dict) else None),
                                                 SUMMARY_SCHEMA))
        return None
    if not isinstance(doc.get("groups"), list) or not isinstance(doc.get("differences", []), list):
        log("ignoring %s: no 'groups' list" % path)
        return None
    return doc


def load_curves(path, explicit):
    """curves.json, or None. A file named with --curves must be good (else InputError); one found
    beside the results is skipped with a log line when it is not."""
    def bad(message):
        if explicit:
            raise InputError(message)
        log("skipping the activation curves: %s" % message)
        return None

    try:
        doc = read_json(path, "curves file")
    except InputError as e:
        return bad(str(e))
    if not isinstance(doc, dict) or doc.get("schema") != CURVES_SCHEMA:
        found = doc.get("schema") if isinstance(doc, dict) else None
        return bad("%s has schema %s, not %s (write it with `actbench curves --out FILE`)"
                   % (path, json.dumps(found), CURVES_SCHEMA))
    x = doc.get("x")
    acts = doc.get("activations")
    if not isinstance(x, list) or not x or not isinstance(acts, list) or not acts:
        return bad("%s has no 'x' or no 'activations'" % path)
    for a in acts:
        if (not isinstance(a, dict) or not isinstance(a.get("y"), list)
                or not isinstance(a.get("dy"), list) or len(a["y"]) != len(x)
                or len(a["dy"]) != len(x)):
            return bad("%s: every activation needs 'y' and 'dy' with one value per x" % path)
    return doc


def resolve_input(arg):
    if not os.path.exists(arg):
        raise InputError("%s does not exist (give a results.json or a sweep directory)" % arg)
    if os.path.isdir(arg):
        path = os.path.join(arg, "results.json")
        if not os.path.isfile(path):
            raise InputError("%s holds no results.json (is it an actbench sweep directory? a "
                             "sweep writes results.json once every run is finished; "
                             "`actbench merge DIR` writes it from runs/)" % arg)
        return path
    return arg


def load(args):
    data = Data()
    data.results_path = resolve_input(args.input)
    data.results, data.runs = load_results(data.results_path)
    base_dir = os.path.dirname(os.path.abspath(data.results_path))

    keys = set()
    for run in data.runs:
        keys.update(run.point)
        if run.point_key not in data.point_values:
            data.points.append(run.point_key)
            data.point_values[run.point_key] = run.point
        if run.label not in data.labels:
            data.labels.append(run.label)
    data.keys = sorted(keys)
    by_key = {}
    for run in data.runs:
        k = (run.label, run.point_key)
        if k not in by_key:
            g = Group(run.label, run.point, run.point_key, data.points.index(run.point_key))
            where = point_text(run.point, data.keys)
            g.name = run.label + (" " + where if where else "")
            by_key[k] = g
            data.groups.append(g)
        by_key[k].runs.append(run)

    summary_path = os.path.join(base_dir, "summary.json")
    if os.path.isfile(summary_path):
        data.summary = load_summary(summary_path)
        data.summary_path = summary_path if data.summary is not None else None
    else:
        log("no summary.json beside %s: final accuracy without confidence intervals"
            % data.results_path)
    if data.summary is None:
        data.notes.append("No usable summary.json beside the results: the ranking and the final "
                          "accuracy figure use plain means over completed seeds, without "
                          "confidence intervals or paired differences.")

    if args.curves is not None:
        if not os.path.isfile(args.curves):
            raise InputError("--curves %s: no such file (write one with `actbench curves --out "
                             "FILE`)" % args.curves)
        data.curves = load_curves(args.curves, explicit=True)
        data.curves_path = args.curves
    else:
        path = os.path.join(base_dir, "curves.json")
        if os.path.isfile(path):
            data.curves = load_curves(path, explicit=False)
            data.curves_path = path if data.curves is not None else None
    return data


def parse_formats(text):
    formats = []
    for part in text.split(","):
        part = part.strip().lower()
        if not part:
            continue
        if part not in FORMATS:
            raise InputError("--formats %s: unknown format %s (use png, svg or png,svg)"
                             % (text, json.dumps(part)))
        if part not in formats:
            formats.append(part)
    if not formats:
        raise InputError("--formats %s names no format (use png, svg or png,svg)"
                         % json.dumps(text))
    return formats


# ---------------------------------------------------------------------------------------------
# Numbers from the runs

def diagnostics_of(epoch):
    d = epoch.get("diagnostics")
    return d if isinstance(d, dict) else None


def final_diagnostics(run):
    if not run.epochs:
        return None
    return diagnostics_of(run.epochs[-1])


def has_diagnostics(data):
    return any(diagnostics_of(e) for r in data.runs for e in r.epochs)


def mean_std(values):
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, None
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))


def per_epoch(runs, get):
    """{epoch: [values over runs]} of the finite values get(epoch_entry) gives."""
    out = {}
    for run in runs:
        for e in run.epochs:
            v = get(e)
            if finite(v):
                out.setdefault(e["epoch"], []).append(float(v))
    return out


def list_value(d, key, i):
    if d is None:
        return None
    v = d.get(key)
    if isinstance(v, list) and i < len(v):
        return v[i]
    return None


def first_point_runs(data, label):
    key = data.points[0]
    return [r for g in data.groups if g.label == label and g.point_key == key for r in g.completed]


def first_point_note(data):
    if len(data.points) < 2:
        return ""
    where = point_text(data.point_values[data.points[0]], data.keys)
    return " at %s (the first of %d swept points)" % (where, len(data.points))


# ---------------------------------------------------------------------------------------------
# Figures

class Figures:
    def __init__(self, data, out_dir, formats, plt):
        self.data = data
        self.out_dir = out_dir
        self.formats = formats
        self.plt = plt
        self.written = []   # paths, in the order written
        self.figures = []   # (name, title, caption) of each figure written
        self.skipped = []   # (name, reason)

    # -- helpers ------------------------------------------------------------------------------

    def new_figure(self, nrows=1, ncols=1, **kw):
        fig, axes = self.plt.subplots(nrows, ncols, figsize=FIGSIZE, dpi=DPI, squeeze=False, **kw)
        fig.subplots_adjust(left=0.08, right=0.75, bottom=0.1, top=0.88, wspace=0.3, hspace=0.45)
        return fig, axes

    def outside_legend(self, fig, handles, labels, title=None, top=0.88):
        """A legend in a right margin reserved for it, beside (never over) the plotting area: it
        is measured, the axes are narrowed to leave room for it, and long legends get smaller
        type or more columns."""
        renderer = fig.canvas.get_renderer()
        fig_w, fig_h = fig.bbox.width, fig.bbox.height
        n = len(handles)
        legend = None
        for fontsize in (9, 8, 7, 6, 5):
            for ncol in (1, 2, 3, 4):
                if ncol > 1 and n <= (ncol - 1) * 8:
                    break  # more columns than such a short legend needs
                if legend is not None:
                    legend.remove()
                legend = fig.legend(handles, labels, loc="upper right",
                                    bbox_to_anchor=(0.995, top), fontsize=fontsize, ncol=ncol,
                                    title=title, title_fontsize=fontsize, frameon=False,
                                    borderaxespad=0.0, handlelength=2.6, columnspacing=1.2)
                box = legend.get_window_extent(renderer)
                if box.height <= fig_h * (top - 0.03) and box.width <= fig_w * 0.42:
                    fig.subplots_adjust(right=min(0.8, 1.0 - box.width / fig_w - 0.025))
                    return legend
        # Too long to fit anywhere: the smallest type, and the axes give way to it.
        box = legend.get_window_extent(renderer)
        fig.subplots_adjust(right=max(0.2, 1.0 - box.width / fig_w - 0.025))
        return legend

    def keep_left_labels_inside(self, fig):
        """Moves the axes right when a y axis label or its tick labels would be cut off."""
        renderer = fig.canvas.get_renderer()
        lefts = []
        for ax in fig.axes:
            if ax.get_visible():
                box = ax.yaxis.get_tightbbox(renderer)
                if box is not None:
                    lefts.append(box.x0)
        margin = 8.0
        if lefts and min(lefts) < margin:
            shift = (margin - min(lefts)) / fig.bbox.width
            fig.subplots_adjust(left=min(0.5, fig.subplotpars.left + shift))

    def save(self, fig, name, title, caption):
        self.keep_left_labels_inside(fig)
        for fmt in self.formats:
            buf = io.BytesIO()
            meta = {"Date": None} if fmt == "svg" else {"Software": None}
            fig.savefig(buf, format=fmt, dpi=DPI, metadata=meta)
            path = os.path.join(self.out_dir, "%s.%s" % (name, fmt))
            write_atomic(path, buf.getvalue())
            self.written.append(path)
        self.plt.close(fig)
        self.figures.append((name, title, caption))
        log("wrote %s (%s)" % (name, ", ".join(self.formats)))

    def skip(self, name, reason):
        self.skipped.append((name, reason))
        log("skipping %s: %s" % (name, reason))

    def group_style(self, group):
        colour, style = label_style(group.label)
        marker = _MARKERS[group.point_index % len(_MARKERS)] if len(self.data.points) > 1 else None
        return colour, style, marker

    def log_y(self, ax):
        """Log y axis with readable labels: 1-2-5 ticks labelled with plain numbers when the
        data spans few decades (matplotlib would label only the powers of ten)."""
        ax.set_yscale("log")
        lo, hi = ax.get_ylim()
        if lo > 0 and hi > lo and math.log10(hi / lo) <= 3.5:
            ax.yaxis.set_major_locator(self.ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            ax.yaxis.set_major_formatter(self.ticker.FuncFormatter(lambda v, _: "%g" % v))
            ax.yaxis.set_minor_formatter(self.ticker.NullFormatter())

    def colour_ticklabels(self, ticklabels, groups):
        for t, g in zip(ticklabels, groups):
            t.set_color(label_style(g.label)[0])

    # -- a: metric against epoch ----------------------------------------------------------------

    def factored_legend(self):
        from matplotlib.lines import Line2D
        data = self.data
        handles, labels = [], []
        for label in data.labels:
            colour, style = label_style(label)
            diverged = sum(g.diverged for g in data.groups if g.label == label)
            handles.append(Line2D([], [], color=colour, linestyle=style, linewidth=1.8))
            labels.append(label + (" (%d diverged)" % diverged if diverged else ""))
        for i, key in enumerate(data.points):
            handles.append(Line2D([], [], color="#555555", linestyle="none",
                                  marker=_MARKERS[i % len(_MARKERS)]))
            labels.append(point_text(data.point_values[key], data.keys))
        return handles, labels

    def epoch_metric(self, name, key, ylabel, title, caption):
        fig, axes = self.new_figure()
        ax = axes[0][0]
        handles, labels = [], []
        max_epoch = 1
        # Up to MAX_GROUP_LEGEND groups: one legend entry per group. More: one entry per
        # activation (colour, line style) and one per swept point (marker).
        factored = len(self.data.groups) > MAX_GROUP_LEGEND and len(self.data.points) > 1
        for g in self.data.groups:
            colour, style, marker = self.group_style(g)
            values = per_epoch(g.completed, lambda e: e.get(key))
            epochs = sorted(values)
            if not epochs:
                h, = ax.plot([], [], color=colour, linestyle=style, marker=marker)
                handles.append(h)
                labels.append(g.legend_label() + " (no completed run)")
                continue
            max_epoch = max(max_epoch, epochs[-1])
            stats = [mean_std(values[e]) for e in epochs]
            means = [m for m, _ in stats]
            h, = ax.plot(epochs, means, color=colour, linestyle=style, linewidth=1.8,
                         marker=marker, markersize=5, markevery=max(1, len(epochs) // 12))
            if len(g.completed) > 1:
                lo = [m - (s or 0.0) for m, s in stats]
                hi = [m + (s or 0.0) for m, s in stats]
                ax.fill_between(epochs, lo, hi, color=colour, alpha=0.15, linewidth=0)
            handles.append(h)
            labels.append(g.legend_label())
        if factored:
            handles, labels = self.factored_legend()
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.xaxis.set_major_locator(self.ticker.MaxNLocator(integer=True))
        ax.set_xlim(0.8, max_epoch + 0.2)
        ax.grid(True, alpha=0.3)
        self.outside_legend(fig, handles, labels, title="mean over seeds, band: \u00b11 std")
        self.save(fig, name, title, caption)

    # -- b: activation curves -------------------------------------------------------------------

    def curves(self):
        data = self.data
        if data.curves is None:
            self.skip("curves", "no curves file (write one with `actbench curves --out "
                      "DIR/curves.json`, or pass --curves FILE)")
            return
        wanted = set(r.label for r in data.runs) | set(r.activation for r in data.runs)
        acts = [a for a in data.curves["activations"]
                if a.get("name") in wanted or a.get("label") in wanted]
        shown_all = not acts
        if shown_all:
            acts = data.curves["activations"]
        x = [float(v) for v in data.curves["x"]]
        fig, axes = self.new_figure(1, 2)
        handles, labels = [], []
        for a in acts:
            label = str(a.get("label") or a.get("name"))
            colour, style = label_style(label)
            y = [float(v) if finite(v) else float("nan") for v in a["y"]]
            dy = [float(v) if finite(v) else float("nan") for v in a["dy"]]
            h, = axes[0][0].plot(x, y, color=colour, linestyle=style, linewidth=1.8)
            axes[0][1].plot(x, dy, color=colour, linestyle=style, linewidth=1.8)
            formula = a.get("formula")
            handles.append(h)
            labels.append(label + (": " + formula if formula else ""))
        for ax, ylabel, sub in ((axes[0][0], "activation f(x)", "value"),
                                (axes[0][1], "derivative f\u2032(x)", "first derivative")):
            ax.set_xlabel("x (pre-activation input)")
            ax.set_ylabel(ylabel)
            ax.set_title(sub)
            ax.axhline(0, color="#999999", linewidth=0.8)
            ax.axvline(0, color="#999999", linewidth=0.8)
            ax.grid(True, alpha=0.3)
        title = "Activation functions and their derivatives"
        if shown_all:
            title += " (none of the curves file's matches the results: all shown)"
        fig.suptitle(title)
        self.outside_legend(fig, handles, labels)
        self.save(fig, "curves", title,
                  "Each activation (left) and its derivative (right): where the derivative is "
                  "near zero, as in sigmoid's and tanh's flat tails, almost no gradient flows "
                  "back through the unit.")

    # -- c: gradient norms per layer ------------------------------------------------------------

    def gradient_norms(self):
        data = self.data
        if not has_diagnostics(data):
            self.skip("gradient_norms", "the runs carry no diagnostics")
            return
        labels = data.labels
        ncols = int(math.ceil(math.sqrt(len(labels))))
        nrows = int(math.ceil(len(labels) / float(ncols)))
        fig, axes = self.new_figure(nrows, ncols, sharex=True, sharey=True)
        cmap = self.plt.get_cmap("viridis")
        max_layers = 0
        layer_handles = {}
        drawn = False
        for i, label in enumerate(labels):
            ax = axes[i // ncols][i % ncols]
            runs = first_point_runs(data, label)
            layers = max([len(list_value_list(e, "grad_norm")) for r in runs for e in r.epochs]
                         or [0])
            max_layers = max(max_layers, layers)
            for layer in range(layers):
                values = per_epoch(runs, lambda e, j=layer: list_value(diagnostics_of(e),
                                                                       "grad_norm", j))
                epochs = [e for e in sorted(values) if any(v > 0 for v in values[e])]
                if not epochs:
                    continue
                means = [sum(values[e]) / len(values[e]) for e in epochs]
                colour = cmap(0.85 * layer / max(1, layers - 1)) if layers > 1 else cmap(0.0)
                h, = ax.plot(epochs, means, color=colour, linewidth=1.8, marker="o",
                             markersize=3, markevery=max(1, len(epochs) // 12))
                drawn = True
                layer_handles.setdefault((layer, layers), h)
            ax.set_yscale("log")
            ax.set_title(label, color=label_style(label)[0], fontsize=10)
            ax.grid(True, which="both", alpha=0.25)
            ax.xaxis.set_major_locator(self.ticker.MaxNLocator(integer=True,
                                                               nbins=max(3, 8 - ncols)))
            if not runs:
                ax.text(0.5, 0.5, "no completed run", transform=ax.transAxes, ha="center",
                        va="center", color="#777777")
            if i // ncols == nrows - 1 or i + ncols >= len(labels):
                ax.set_xlabel("epoch")
                ax.tick_params(labelbottom=True)
        for j in range(len(labels), nrows * ncols):
            axes[j // ncols][j % ncols].set_visible(False)
        if drawn:
            for j in range(len(labels)):
                self.log_y(axes[j // ncols][j % ncols])
        if not drawn:
            self.plt.close(fig)
            self.skip("gradient_norms", "no finite gradient norms in the diagnostics")
            return
        handles, names = [], []
        for (layer, layers), h in sorted(layer_handles.items(), key=lambda kv: kv[0]):
            if layers != max_layers:
                continue
            handles.append(h)
            names.append(layer_name(layer, layers))
        title = "Weight-gradient norm per Linear layer (mean over seeds)" + first_point_note(data)
        fig.suptitle(wrap(title), fontsize=11)
        fig.subplots_adjust(top=0.88 if nrows == 1 and len(wrap(title).splitlines()) == 1
                            else 0.84, hspace=0.45 if nrows < 4 else 0.6)
        fig.text(0.015, 0.47, "L2 norm of dL/dW (log scale)", rotation=90, ha="left",
                 va="center")
        self.outside_legend(fig, handles, names, title="Linear layer")
        self.save(fig, "gradient_norms", title,
                  "The mean L2 norm of each Linear layer's weight gradient per epoch (log scale): "
                  "layers whose line sits orders of magnitude below the output layer's receive "
                  "almost no gradient, the signature of vanishing gradients.")

    # -- d: gradient vs depth -------------------------------------------------------------------

    def gradient_vs_depth(self):
        data = self.data
        depths = set(len(r.hidden) for r in data.runs if r.hidden)
        if len(depths) < 2:
            self.skip("gradient_vs_depth", "the runs do not differ in depth (number of hidden "
                      "layers)")
            return
        if not has_diagnostics(data):
            self.skip("gradient_vs_depth", "the runs carry no diagnostics")
            return
        inits = []
        for r in data.runs:
            if r.init not in inits:
                inits.append(r.init)
        # Two moments: the first step (the initial weights' gradient: what the initialisation
        # lets through) and the last epoch (after training has adapted the weights).
        panels = []
        for when, get in (("at the first step (initial weights)",
                           lambda r: r.initial_grad_norm[0] if r.initial_grad_norm else None),
                          ("mean over the last epoch",
                           lambda r: list_value(final_diagnostics(r), "grad_norm", 0))):
            by_line = {}  # (label, init) -> {depth: [input-layer norms]}
            for r in data.runs:
                if r.status != "completed" or not r.hidden:
                    continue
                v = get(r)
                if finite(v) and v > 0:
                    by_line.setdefault((r.label, r.init), {}).setdefault(
                        len(r.hidden), []).append(float(v))
            if by_line:
                panels.append((when, by_line))
        if not panels:
            self.skip("gradient_vs_depth", "no finite input-layer gradient norms")
            return
        fig, axes = self.new_figure(1, len(panels), sharey=True)
        handles, labels = [], []
        for p, (when, by_line) in enumerate(panels):
            ax = axes[0][p]
            order = [(lab, ini) for lab in data.labels for ini in inits if (lab, ini) in by_line]
            for lab, ini in order:
                points = by_line[(lab, ini)]
                colour, style = label_style(lab)
                if len(inits) > 1:
                    style = init_style(ini)
                xs = sorted(points)
                geo = [math.exp(sum(math.log(v) for v in points[d]) / len(points[d]))
                       for d in xs]
                # Activations drawn first get wider lines, so one hidden under another (ReLU under
                # LeakyReLU(0.01), say) still shows.
                width = max(1.4, 3.4 - 0.6 * data.labels.index(lab))
                h, = ax.plot(xs, geo, color=colour, linestyle=style, linewidth=width, marker="o",
                             markersize=width + 3.5)
                for d in xs:  # each seed, faintly
                    ax.plot([d] * len(points[d]), points[d], linestyle="none", marker="o",
                            markersize=3, color=colour, alpha=0.35)
                if p == 0:
                    handles.append(h)
                    labels.append(lab + (" (init %s)" % ini if len(inits) > 1 else ""))
            self.log_y(ax)
            ax.set_xticks(sorted(depths))
            ax.set_xlabel("number of hidden layers")
            if p == 0:
                ax.set_ylabel("L2 norm of dL/dW, input layer (log scale)")
            ax.set_title(when, fontsize=10)
            ax.grid(True, which="both", alpha=0.25)
        others = [k for k in data.keys if k not in ("model.hidden", "model.init")]
        title = "Input-layer gradient norm against depth"
        fig.suptitle(title + " (geometric mean over seeds%s; faint dots: single runs)"
                     % (" and over " + ", ".join(others) if others else ""), fontsize=11)
        self.outside_legend(fig, handles, labels,
                            title="activation (line style: init)" if len(inits) > 1 else
                            "activation")
        self.save(fig, "gradient_vs_depth", title,
                  "The input layer's weight-gradient norm against the number of hidden layers "
                  "(log scale), at the first step (left: what the initialisation lets through) "
                  "and over the last epoch (right): a line that falls steeply with depth shows "
                  "the gradient vanishing on its way back to the input.")

    # -- e: dead and saturated units ------------------------------------------------------------

    def dead_saturated(self):
        data = self.data
        if not has_diagnostics(data):
            self.skip("dead_saturated", "the runs carry no diagnostics")
            return
        fig, axes = self.new_figure(1, 2)
        labels = data.labels
        width = 0.8 / max(1, len(labels))
        handles, names = [], []
        max_layers = 0
        drawn = False
        for li, label in enumerate(labels):
            runs = first_point_runs(data, label)
            finals = [final_diagnostics(r) for r in runs]
            finals = [d for d in finals if d]
            colour = label_style(label)[0]
            h = None
            for ax, key in ((axes[0][0], "dead"), (axes[0][1], "saturated")):
                layers = max([len(d.get(key) or []) for d in finals] or [0])
                max_layers = max(max_layers, layers)
                xs, ys = [], []
                for layer in range(layers):
                    vals = [list_value(d, key, layer) for d in finals]
                    vals = [float(v) for v in vals if finite(v)]
                    if vals:
                        xs.append(layer + 1 + (li - (len(labels) - 1) / 2.0) * width)
                        ys.append(100.0 * sum(vals) / len(vals))
                if xs:
                    h = ax.bar(xs, ys, width=width * 0.95, color=colour, edgecolor="white",
                               linewidth=0.5)
                    drawn = True
            if h is not None:
                handles.append(h)
                names.append(label)
        if not drawn:
            self.plt.close(fig)
            self.skip("dead_saturated", "no dead/saturated fractions in the diagnostics")
            return
        for ax, ylabel, sub in (
                (axes[0][0], "dead units (% of the layer)",
                 "dead: derivative 0 on every test example"),
                (axes[0][1], "saturated outputs (% of example \u00d7 unit)",
                 "saturated: derivative < 5% of its maximum")):
            ax.set_xticks(range(1, max_layers + 1))
            ax.set_xlabel("hidden layer (1 = nearest the input)")
            ax.set_ylabel(ylabel)
            ax.set_title(sub, fontsize=10)
            ax.set_ylim(bottom=0)
            ax.grid(True, axis="y", alpha=0.3)
        title = "Dead and saturated units after the last epoch (mean over seeds)" + \
            first_point_note(data)
        fig.suptitle(wrap(title), fontsize=11)
        if len(wrap(title).splitlines()) > 1:
            fig.subplots_adjust(top=0.84)
        self.outside_legend(fig, handles, names, title="activation")
        self.save(fig, "dead_saturated", title,
                  "Per hidden layer after the last epoch: units that never pass gradient on the "
                  "test set (dead) and outputs on an activation's flat part (saturated); high "
                  "bars mean a layer that has largely stopped learning.")

    # -- f: final accuracy ----------------------------------------------------------------------

    def final_accuracy(self):
        data = self.data
        rows = []  # (group name, label, mean or None, half width or None, n, note)
        if data.summary is not None:
            for g in data.summary["groups"]:
                if not isinstance(g, dict):
                    continue
                label = str(g.get("activation"))
                point = g.get("point") if isinstance(g.get("point"), dict) else {}
                where = point_text(point, data.keys)
                e = g.get("final_test_accuracy")
                mean = e.get("mean") if isinstance(e, dict) else None
                hw = e.get("half_width") if isinstance(e, dict) else None
                n = e.get("n", 0) if isinstance(e, dict) else 0
                rows.append((label + (" " + where if where else ""), label,
                             mean if finite(mean) else None, hw if finite(hw) else None, n,
                             g.get("diverged", 0)))
            title = "Final test accuracy (mean over seeds, 95% confidence interval)"
        else:
            for g in data.groups:
                vals = [r.final.get("test_accuracy") for r in g.completed]
                vals = [float(v) for v in vals if finite(v)]
                rows.append((g.name, g.label, sum(vals) / len(vals) if vals else None, None,
                             len(vals), g.diverged))
            title = "Final test accuracy (mean over seeds; no summary.json, so no intervals)"
        if not rows:
            self.skip("final_accuracy", "the summary has no groups")
            return
        fig, axes = self.new_figure()
        ax = axes[0][0]
        n = len(rows)
        fontsize = row_fontsize(n)
        ys = list(range(n))[::-1]  # first group at the top
        lows, highs = [], []
        handles, names = [], []
        notes = []  # (low, high, y, text): a value label beside each interval
        for y, (name, label, mean, hw, count, diverged) in zip(ys, rows):
            colour = label_style(label)[0]
            if mean is None:
                ax.text(0.01, y, "no completed run", transform=ax.get_yaxis_transform(),
                        va="center", fontsize=fontsize, color="#777777")
                continue
            h = ax.errorbar([mean], [y], xerr=[[hw], [hw]] if hw is not None else None,
                            fmt="o", color=colour, ecolor=colour, elinewidth=1.8, capsize=4,
                            markersize=6)
            if label not in names:
                handles.append(h)
                names.append(label)
            lows.append(mean - (hw or 0.0))
            highs.append(mean + (hw or 0.0))
            if n <= 30:
                text = "%.2f" % mean + (" \u00b1 %.2f" % hw if hw is not None else "") + \
                    "  (n=%d%s)" % (count, ", %d diverged" % diverged if diverged else "")
                notes.append((mean - (hw or 0.0), mean + (hw or 0.0), y, text))
        ax.set_yticks(ys)
        ax.set_yticklabels([r[0] for r in rows], fontsize=fontsize)
        for t, row in zip(ax.get_yticklabels(), rows):
            t.set_color(label_style(row[1])[0])
        if lows:
            lo, hi = min(lows), max(highs)
            span = max(hi - lo, 0.5)
            ax.set_xlim(lo - 0.06 * span, hi + 0.06 * span)
        ax.set_ylim(-0.7, n - 0.3)
        ax.set_xlabel("final test accuracy (%)")
        ax.set_title(title, fontsize=11)
        ax.grid(True, axis="x", alpha=0.3)
        self.fit_left_margin(fig, ax)
        self.outside_legend(fig, handles, names, title="activation")
        self.annotate_inside(fig, ax, notes, fontsize)
        self.save(fig, "final_accuracy", title,
                  "Final test accuracy per activation and swept setting with its 95% interval "
                  "over seeds: overlapping intervals do not establish a difference (the paired "
                  "differences are the sharper test).")

    def annotate_inside(self, fig, ax, notes, fontsize):
        """Writes each (low, high, y, text) label beside its interval, on whichever side has room
        inside the axes (so no label runs into the legend's margin)."""
        renderer = fig.canvas.get_renderer()
        x0, x1 = ax.get_xlim()
        width_px = ax.get_window_extent(renderer).width
        for low, high, y, text in notes:
            label = ax.annotate(text, (high, y), xytext=(5, 0), textcoords="offset points",
                                va="center", ha="left", fontsize=fontsize, color="#333333")
            need = label.get_window_extent(renderer).width + 8
            right_room = (x1 - high) / (x1 - x0) * width_px
            left_room = (low - x0) / (x1 - x0) * width_px
            if right_room < need and left_room > right_room:
                label.xy = (low, y)
                label.set_position((-5, 0))
                label.set_ha("right")

    def fit_left_margin(self, fig, ax):
        """Moves the axes' left edge right of the longest y tick label."""
        renderer = fig.canvas.get_renderer()
        widths = [t.get_window_extent(renderer).width for t in ax.get_yticklabels()
                  if t.get_text()]
        if widths:
            left = min(0.45, max(0.08, max(widths) / fig.bbox.width + 0.03))
            fig.subplots_adjust(left=left)

    # -- g: seconds per epoch -------------------------------------------------------------------

    def seconds_per_epoch(self):
        data = self.data
        groups = [g for g in data.groups if g.completed]
        if not groups:
            self.skip("seconds_per_epoch", "no completed run")
            return
        parts = ("forward_seconds", "backward_seconds", "optimizer_seconds")

        def split(run):
            """Mean per epoch of (forward, backward, optimizer, other training, test), or None
            when an epoch lacks the split."""
            sums = [0.0] * 5
            for e in run.epochs:
                d = diagnostics_of(e)
                times = [d.get(p) if d else None for p in parts]
                train, test = e.get("train_seconds"), e.get("test_seconds")
                if not all(finite(t) for t in times) or not finite(train) or not finite(test):
                    return None
                other = max(0.0, float(train) - sum(times))
                for i, v in enumerate(list(times) + [other, test]):
                    sums[i] += float(v)
            return [s / len(run.epochs) for s in sums] if run.epochs else None

        splits = {}
        for g in groups:
            per_run = [split(r) for r in g.completed]
            if per_run and all(s is not None for s in per_run):
                splits[g.name] = [sum(s[i] for s in per_run) / len(per_run) for i in range(5)]
        stacked = len(splits) == len(groups)
        fig, axes = self.new_figure()
        ax = axes[0][0]
        n = len(groups)
        fontsize = row_fontsize(n)
        ys = list(range(n))[::-1]
        handles, names = [], []
        if stacked:
            # Each bar keeps its activation's colour; the phases are lighter shades with
            # hatching (the legend shows them in grey).
            from matplotlib.colors import to_rgb
            from matplotlib.patches import Patch
            shades = [0.0, 0.35, 0.6, 0.8, 0.45]
            hatches = ["", "//", "\\\\", "", "xx"]
            seg_names = ["forward (with the loss)", "backward", "optimizer",
                         "other training (batching, bookkeeping)", "test evaluation"]

            def shade(colour, t):
                return tuple(c + (1.0 - c) * t for c in to_rgb(colour))
            for i in range(5):
                left = [sum(splits[g.name][:i]) for g in groups]
                width = [splits[g.name][i] for g in groups]
                colours = [shade(label_style(g.label)[0], shades[i]) for g in groups]
                ax.barh(ys, width, left=left, height=0.7, color=colours, hatch=hatches[i],
                        edgecolor="white", linewidth=0.6)
                if any(w > 0 for w in width):
                    handles.append(Patch(facecolor=shade("#555555", shades[i]),
                                         hatch=hatches[i], edgecolor="white"))
                    names.append(seg_names[i])
            if n <= 30:
                longest = max(sum(splits[g.name]) for g in groups)
                ax.set_xlim(0, longest * 1.15 if longest > 0 else 1.0)
                for y, g in zip(ys, groups):
                    total = sum(splits[g.name])
                    ax.annotate(("%.3f s" if total < 10 else "%.1f s") % total, (total, y),
                                xytext=(4, 0), textcoords="offset points", va="center",
                                fontsize=fontsize, color="#333333")
            title = "Seconds per epoch, split into training phases and test (mean over seeds)"
        else:
            totals = []
            for g in groups:
                vals = []
                for r in g.completed:
                    secs = [e.get("seconds") for e in r.epochs if finite(e.get("seconds"))]
                    if secs:
                        vals.append(sum(secs) / len(secs))
                totals.append(mean_std(vals) if vals else (0.0, None))
            for y, g, (m, s) in zip(ys, groups, totals):
                colour = label_style(g.label)[0]
                h = ax.barh([y], [m], height=0.7, color=colour,
                            xerr=[s] if s is not None else None, capsize=3)
                if g.label not in names:
                    handles.append(h)
                    names.append(g.label)
            title = "Seconds per epoch (mean over seeds; the forward/backward/optimizer " \
                "split was not measured)"
        ax.set_yticks(ys)
        ax.set_yticklabels([g.name for g in groups], fontsize=fontsize)
        self.colour_ticklabels(ax.get_yticklabels(), groups)
        ax.set_ylim(-0.7, n - 0.3)
        ax.set_xlabel("seconds per epoch (s)")
        ax.set_title(title, fontsize=11)
        ax.grid(True, axis="x", alpha=0.3)
        self.fit_left_margin(fig, ax)
        self.outside_legend(fig, handles, names, title="phase" if stacked else "activation")
        self.save(fig, "seconds_per_epoch", title,
                  "Wall-clock time per epoch for each activation and setting%s: shows what an "
                  "activation costs and where the time goes."
                  % (", split into forward, backward, optimizer and test" if stacked else ""))

    # -- all -----------------------------------------------------------------------------------

    def draw_all(self):
        import matplotlib.ticker as ticker
        self.ticker = ticker
        self.epoch_metric("train_loss", "train_loss", "cross-entropy loss (nats)",
                          "Training loss by epoch",
                          "The mean training loss per epoch: the lower and the sooner it falls, "
                          "the easier the network trains; a wide band means the seeds disagree.")
        self.epoch_metric("test_loss", "test_loss", "cross-entropy loss (nats)",
                          "Test loss by epoch",
                          "The test-set loss after each epoch: a curve that turns upward while "
                          "the training loss keeps falling is overfitting.")
        self.epoch_metric("test_accuracy", "test_accuracy", "test accuracy (%)",
                          "Test accuracy by epoch",
                          "Test accuracy after each epoch: compare where the curves level off; "
                          "overlapping bands mean the seeds do not separate the activations.")
        self.curves()
        self.gradient_norms()
        self.gradient_vs_depth()
        self.dead_saturated()
        self.final_accuracy()
        self.seconds_per_epoch()


def row_fontsize(rows):
    """Type size (points) for one label per row down a 1500x900 figure's axes: as large as
    fits without overlap, 9 at most."""
    px_per_row = FIGSIZE[1] * DPI * 0.76 / max(1, rows)
    return max(3.0, min(9.0, 0.8 * px_per_row * 72.0 / DPI))


def wrap(title, width=100):
    return textwrap.fill(title, width)


def list_value_list(epoch, key):
    d = diagnostics_of(epoch)
    v = d.get(key) if d else None
    return v if isinstance(v, list) else []


def layer_name(layer, layers):
    if layer == 0:
        return "layer 1 (input)"
    if layer == layers - 1:
        return "layer %d (output)" % layers
    return "layer %d" % (layer + 1)


def write_atomic(path, content):
    if isinstance(content, str):
        content = content.encode("utf-8")
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# ---------------------------------------------------------------------------------------------
# The report: one list of blocks, rendered as Markdown and as HTML.

class Text:
    """Inline text: a list of (kind, string), kind one of text, code, b."""

    def __init__(self, *parts):
        self.parts = []
        for p in parts:
            self.add(p)

    def add(self, p):
        if isinstance(p, Text):
            self.parts.extend(p.parts)
        elif isinstance(p, tuple):
            self.parts.append(p)
        else:
            self.parts.append(("text", str(p)))
        return self

    def md(self):
        out = []
        for kind, s in self.parts:
            if kind == "code":
                tick = "``" if "`" in s else "`"
                out.append(tick + s + tick)
            elif kind == "b":
                out.append("**" + md_escape(s) + "**")
            else:
                out.append(md_escape(s))
        return "".join(out)

    def html(self):
        out = []
        for kind, s in self.parts:
            if kind == "code":
                out.append("<code>" + html.escape(s) + "</code>")
            elif kind == "b":
                out.append("<strong>" + html.escape(s) + "</strong>")
            else:
                out.append(html.escape(s))
        return "".join(out)


def code(s):
    return ("code", str(s))


def bold(s):
    return ("b", str(s))


def md_escape(s):
    for ch in "\\`*_[]<>|":
        s = s.replace(ch, "\\" + ch)
    return s


def fmt(v, digits):
    return ("%.*f" % (digits, v)) if finite(v) else "-"


def with_interval(e, digits):
    if not isinstance(e, dict) or not finite(e.get("mean")):
        return "-"
    s = fmt(e["mean"], digits)
    if finite(e.get("half_width")):
        s += " \u00b1 " + fmt(e["half_width"], digits)
    return s


def build_report(data, figures):
    results = data.results
    config = results.get("config") if isinstance(results.get("config"), dict) else {}
    data_cfg = config.get("data") if isinstance(config.get("data"), dict) else {}
    model = config.get("model") if isinstance(config.get("model"), dict) else {}
    train = config.get("train") if isinstance(config.get("train"), dict) else {}
    sweep = config.get("sweep") if isinstance(config.get("sweep"), dict) else {}
    name = config.get("name") or os.path.basename(os.path.dirname(os.path.abspath(
        data.results_path))) or "sweep"

    blocks = [("h1", Text("actbench report: ", name))]
    completed = sum(1 for r in data.runs if r.status == "completed")
    diverged = len(data.runs) - completed
    intro = Text("%d run%s of %d activation%s" % (len(data.runs), "s" * (len(data.runs) != 1),
                                                  len(data.labels), "s" * (len(data.labels) != 1)))
    if len(data.points) > 1:
        intro.add(" at %d swept points" % len(data.points))
    intro.add(" (%d completed, %d diverged)" % (completed, diverged))
    if results.get("complete") is False:
        intro.add("; the sweep is not complete: %d planned runs are missing"
                  % len(results.get("missing") or []))
    intro.add(", from ").add(code(os.path.abspath(data.results_path))).add(".")
    blocks.append(("p", intro))

    blocks.append(("h2", Text("Setup")))
    items = []
    command = results.get("command")
    if isinstance(command, list) and command:
        items.append(Text("Command: ", code(" ".join(shlex.quote(str(c)) for c in command))))
    if data_cfg:
        t = Text("Data set: ", code(data_cfg.get("dataset", "?")))
        limits = []
        if finite(data_cfg.get("train_limit")) and data_cfg.get("train_limit"):
            limits.append("first %d training examples" % data_cfg["train_limit"])
        if finite(data_cfg.get("test_limit")) and data_cfg.get("test_limit"):
            limits.append("first %d test examples" % data_cfg["test_limit"])
        if limits:
            t.add(" (" + ", ".join(limits) + ")")
        items.append(t)
    if model:
        t = Text("Model: hidden layers ", code(value_text(model.get("hidden"))))
        if model.get("init"):
            t.add(", initialisation ").add(code(model["init"]))
        if "model.hidden" in sweep or "model.init" in sweep:
            t.add(" (base config; swept below)")
        items.append(t)
    if train:
        t = Text("Training: %s epochs, optimizer " % train.get("epochs", "?"),
                 code(train.get("optimizer", "?")), ", learning rate ",
                 code(value_text(train.get("lr"))), ", batch size %s" % train.get("batch_size", "?"))
        if finite(train.get("momentum")):
            t.add(", momentum %s" % value_text(train["momentum"]))
        if finite(train.get("weight_decay")) and train.get("weight_decay"):
            t.add(", weight decay %s" % value_text(train["weight_decay"]))
        items.append(t)
    t = Text("Activations: ")
    for i, label in enumerate(data.labels):
        t.add(", " if i else "").add(code(label))
    items.append(t)
    if sweep:
        t = Text("Swept keys: ")
        for i, key in enumerate(sorted(sweep)):
            vals = sweep[key] if isinstance(sweep[key], list) else [sweep[key]]
            t.add("; " if i else "").add(code(key)).add(" \u2208 {")
            for j, v in enumerate(vals):
                t.add(", " if j else "").add(code(value_text(v)))
            t.add("}")
        items.append(t)
    else:
        items.append(Text("Swept keys: none"))
    env = []
    for key, text in (("device", "device "), ("actbench_version", "actbench "),
                      ("libtorch_version", "LibTorch "), ("finished_at", "finished ")):
        if results.get(key):
            env.append(text + str(results[key]))
    if env:
        items.append(Text(", ".join(env)))
    blocks.append(("ul", items))

    # Ranking
    blocks.append(("h2", Text("Ranking")))
    header = ["rank", "activation", "swept values", "n", "final test accuracy (%)",
              "best test accuracy (%)", "final test loss (nats)", "s/epoch"]
    rows = []
    if data.summary is not None:
        groups = [g for g in data.summary["groups"] if isinstance(g, dict)]

        def key(g):
            e = g.get("final_test_accuracy")
            m = e.get("mean") if isinstance(e, dict) else None
            return -m if finite(m) else float("inf")
        for rank, g in enumerate(sorted(groups, key=key), 1):
            point = g.get("point") if isinstance(g.get("point"), dict) else {}
            where = point_text(point, data.keys)
            n = Text(str(g.get("completed", "-")))
            notes = []
            if g.get("diverged"):
                notes.append("%d diverged" % g["diverged"])
            if g.get("missing"):
                notes.append("%d not run" % g["missing"])
            if notes:
                n.add(" (" + ", ".join(notes) + ")")
            spe = g.get("seconds_per_epoch")
            rows.append([Text(str(rank)), Text(str(g.get("activation"))),
                         Text(code(where)) if where else Text("-"), n,
                         Text(with_interval(g.get("final_test_accuracy"), 2)),
                         Text(with_interval(g.get("best_test_accuracy"), 2)),
                         Text(with_interval(g.get("final_test_loss"), 4)),
                         Text(fmt(spe.get("mean"), 3) if isinstance(spe, dict) else "-")])
        blocks.append(("p", Text("From ", code("summary.json"), ": mean \u00b1 half-width of "
                                 "the 95% confidence interval over the completed seeds (Student's "
                                 "t); diverged runs are counted, not averaged.")))
    else:
        stats = []
        for g in data.groups:
            def values(field, runs=g.completed):
                return [float(r.final.get(field)) for r in runs if finite(r.final.get(field))]
            acc = values("test_accuracy")
            stats.append((g, acc, values("best_test_accuracy"), values("test_loss"),
                          values("seconds_per_epoch")))
        stats.sort(key=lambda s: -(sum(s[1]) / len(s[1])) if s[1] else float("inf"))
        for rank, (g, acc, best, loss, spe) in enumerate(stats, 1):
            where = point_text(g.point, data.keys)
            n = Text(str(len(g.completed)))
            if g.diverged:
                n.add(" (%d diverged)" % g.diverged)
            rows.append([Text(str(rank)), Text(g.label),
                         Text(code(where)) if where else Text("-"), n,
                         Text(fmt(sum(acc) / len(acc), 2) if acc else "-"),
                         Text(fmt(sum(best) / len(best), 2) if best else "-"),
                         Text(fmt(sum(loss) / len(loss), 4) if loss else "-"),
                         Text(fmt(sum(spe) / len(spe), 3) if spe else "-")])
        blocks.append(("p", Text("No ", code("summary.json"), " beside the results: plain means "
                                 "over the completed seeds, without confidence intervals.")))
    blocks.append(("table", ([Text(h) for h in header], rows)))

    # Paired differences
    diffs = data.summary.get("differences") if data.summary is not None else None
    if diffs:
        baseline = str(data.summary.get("baseline", ""))
        blocks.append(("h2", Text("Paired differences against ", baseline)))
        blocks.append(("p", Text("Final test accuracy minus ", baseline, "'s at the same seed "
                                 "(the same initial weights and batches), mean \u00b1 half-width "
                                 "of the 95% interval:")))
        items = []
        for d in diffs:
            if not isinstance(d, dict):
                continue
            point = d.get("point") if isinstance(d.get("point"), dict) else {}
            where = point_text(point, data.keys)
            t = Text()
            if where:
                t.add(code(where)).add(": ")
            e = d.get("final_test_accuracy")
            act = str(d.get("activation"))
            base = str(d.get("baseline", baseline))
            if not isinstance(e, dict) or not finite(e.get("mean")):
                t.add("%s: no seed where both %s and %s completed." % (act, act, base))
                items.append(t)
                continue
            mean = float(e["mean"])
            n = int(e.get("n") or 0)
            text = "%s is %.2f" % (act, abs(mean))
            if finite(e.get("half_width")):
                text += " \u00b1 %.2f" % e["half_width"]
            text += " points %s %s (%d seed%s" % ("below" if mean < 0 else "above", base, n,
                                                  "" if n == 1 else "s")
            ci = e.get("ci95")
            if not finite(e.get("half_width")):
                text += "; no interval with one seed"
            elif isinstance(ci, list) and len(ci) == 2 and ci[0] <= 0 <= ci[1]:
                text += "; the interval includes 0"
            text += ")."
            t.add(text)
            items.append(t)
        blocks.append(("ul", items))

    if data.notes:
        blocks.append(("h2", Text("Notes")))
        blocks.append(("ul", [Text(n) for n in data.notes]))

    blocks.append(("h2", Text("Figures")))
    image_format = "png" if "png" in figures.formats else figures.formats[0]
    for name, title, caption in figures.figures:
        blocks.append(("h3", Text(title)))
        blocks.append(("img", (title, name + "." + image_format, Text(caption))))
    if figures.skipped:
        blocks.append(("p", Text(bold("Not drawn:"))))
        blocks.append(("ul", [Text(code(n), ": " + why + ".") for n, why in figures.skipped]))
    return blocks


def render_markdown(blocks):
    out = []
    for kind, content in blocks:
        if kind in ("h1", "h2", "h3"):
            out.append("#" * int(kind[1]) + " " + content.md())
        elif kind == "p":
            out.append(content.md())
        elif kind == "ul":
            out.append("\n".join("- " + t.md() for t in content))
        elif kind == "table":
            header, rows = content
            lines = ["| " + " | ".join(h.md() for h in header) + " |",
                     "|" + "|".join(" ---: " if i == 0 or i > 2 else " --- "
                                    for i in range(len(header))) + "|"]
            for row in rows:
                lines.append("| " + " | ".join(c.md() for c in row) + " |")
            out.append("\n".join(lines))
        elif kind == "img":
            title, path, caption = content
            out.append("![%s](%s)\n\n*%s*" % (md_escape(title), path, caption.md()))
    return "\n\n".join(out) + "\n"


_CSS = """
body { font-family: -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { border-bottom: 2px solid #ddd; padding-bottom: .3em; }
h2 { border-bottom: 1px solid #eee; padding-bottom: .2em; margin-top: 1.8em; }
code { background: #f4f4f4; padding: 0 .25em; border-radius: 3px; font-size: 90%; }
table { border-collapse: collapse; margin: 1em 0; font-size: 92%; }
th, td { border: 1px solid #ddd; padding: .3em .6em; }
th { background: #f6f6f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #fbfbfb; }
figure { margin: 1em 0 2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-style: italic; margin-top: .3em; }
"""


def render_html(blocks, out_dir):
    body = []
    title = "actbench report"
    for kind, content in blocks:
        if kind in ("h1", "h2", "h3"):
            if kind == "h1":
                title = "".join(s for _, s in content.parts)
            body.append("<%s>%s</%s>" % (kind, content.html(), kind))
        elif kind == "p":
            body.append("<p>%s</p>" % content.html())
        elif kind == "ul":
            body.append("<ul>\n%s\n</ul>" % "\n".join("<li>%s</li>" % t.html() for t in content))
        elif kind == "table":
            header, rows = content
            lines = ["<table>", "<thead><tr>%s</tr></thead>"
                     % "".join("<th>%s</th>" % h.html() for h in header), "<tbody>"]
            for row in rows:
                cells = []
                for i, c in enumerate(row):
                    cls = ' class="num"' if i == 0 or i > 2 else ""
                    cells.append("<td%s>%s</td>" % (cls, c.html()))
                lines.append("<tr>%s</tr>" % "".join(cells))
            lines.append("</tbody></table>")
            body.append("\n".join(lines))
        elif kind == "img":
            alt, path, caption = content
            with open(os.path.join(out_dir, path), "rb") as f:
                raw = f.read()
            mime = "image/png" if path.endswith(".png") else "image/svg+xml"
            uri = "data:%s;base64,%s" % (mime, base64.b64encode(raw).decode("ascii"))
            body.append('<figure>\n<img src="%s" alt="%s" width="1500" height="900">\n'
                        "<figcaption>%s</figcaption>\n</figure>"
                        % (uri, html.escape(alt, quote=True), caption.html()))
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n%s\n</body>\n</html>\n"
            % (html.escape(title), _CSS, "\n".join(body)))


# ---------------------------------------------------------------------------------------------

class ArgumentParser(argparse.ArgumentParser):
    def error(self, message):  # one line, like every other error, instead of usage + error
        fail("%s (usage: scripts/plot_results.py RESULTS_OR_SWEEP_DIR [--out DIR] "
             "[--curves FILE] [--formats png,svg])" % message)


def parse_args(argv):
    p = ArgumentParser(
        prog="plot_results.py",
        description="Figures and a report (report.md, report.html) for an actbench sweep "
                    "(results schema actbench.results/3).")
    p.add_argument("input", metavar="RESULTS_OR_SWEEP_DIR",
                   help="results.json, or the sweep directory holding it (summary.json and "
                        "curves.json are read from beside it)")
    p.add_argument("--out", metavar="DIR",
                   help="where to write the figures and the report (default: <that directory>/"
                        "plots)")
    p.add_argument("--curves", metavar="FILE",
                   help="the activation curves (actbench curves --out FILE); default: "
                        "curves.json beside the results")
    p.add_argument("--formats", default="png,svg",
                   help="comma-separated image formats: png, svg or png,svg (default)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        formats = parse_formats(args.formats)
        data = load(args)
    except InputError as e:
        fail(e)
    out_dir = args.out or os.path.join(os.path.dirname(os.path.abspath(data.results_path)),
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

    log("reading %s: %d run%s, %d group%s%s%s" % (
        data.results_path, len(data.runs), "s" * (len(data.runs) != 1), len(data.groups),
        "s" * (len(data.groups) != 1),
        ", summary %s" % data.summary_path if data.summary_path else ", no summary",
        ", curves %s" % data.curves_path if data.curves_path else ", no curves"))
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        fail("cannot create --out %s: %s" % (out_dir, e.strerror or e))

    figures = Figures(data, out_dir, formats, plt)
    try:
        figures.draw_all()
        blocks = build_report(data, figures)
        md_path = os.path.join(out_dir, "report.md")
        write_atomic(md_path, render_markdown(blocks))
        figures.written.append(md_path)
        html_path = os.path.join(out_dir, "report.html")
        write_atomic(html_path, render_html(blocks, out_dir))
        figures.written.append(html_path)
    except OSError as e:
        fail("cannot write into %s: %s" % (out_dir, e), code=1)
    except Exception:  # a bug here: the traceback, then the usual one-line summary
        traceback.print_exc()
        fail("unexpected failure after writing %d files into %s (a bug in plot_results.py; "
             "the traceback is above)" % (len(figures.written), out_dir), code=1)
    log("wrote %d files into %s" % (len(figures.written), out_dir))
    for path in figures.written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
