"""Reading the input: results.json (actbench.results/4 or /5), summary.json (actbench.summary/3)
and curves.json (actbench.curves/1), each checked before anything is drawn.

results.json and summary.json are read strictly and validated against docs/results.schema.json
and docs/summary.schema.json (jsonfile.py, shared with compare_reference.py); a file of another
schema version, a file that is not JSON or one that does not match is an InputError (one line,
exit 2). summary.json is required: it holds every statistic, label, style and sentence the
figures and the report show.
"""
import json
import os

from . import jsonfile
from .common import InputError, log
from .jsonfile import SetupError  # noqa: F401 (plot_results.py takes it from here)

CURVES_SCHEMA = "actbench.curves/1"

# summary.json's dash names, as matplotlib line styles.
_DASHES = {"solid": "-", "dashed": "--", "dashdot": "-.", "dotted": ":"}


class Point:
    """One point of the sweep (the swept values but the seed) and its groups, in display order."""

    def __init__(self, index, values, text):
        self.index = index
        self.values = values  # {swept key: value}, without train.seed
        self.text = text      # as actbench writes it ("lr=0.01"), "" without swept keys
        self.groups = []


class Sweep:
    """What the figures and the report are drawn from."""

    def __init__(self):
        self.results_path = None
        self.results = None
        self.summary_path = None
        self.summary = None
        self.curves_path = None
        self.curves = None
        self.activations = []  # summary's activations, in display order
        self.groups = []       # summary's groups, in display order
        self.points = []       # Point, in order of their first group
        self._style = {}

    @property
    def config(self):
        c = self.results.get("config")
        return c if isinstance(c, dict) else {}

    def style(self, label):
        """matplotlib keyword arguments for an activation label: color, linestyle, marker."""
        return dict(self._style[label])

    def has_series(self, metric):
        return any(metric in g["series"] for g in self.groups)

    def labels_in(self, groups):
        """The activation labels of these groups, in display order."""
        present = set(g["activation"] for g in groups)
        return [a["label"] for a in self.activations if a["label"] in present]


def point_key(values):
    return json.dumps(values, sort_keys=True, separators=(",", ":"))


def matplotlib_style(activation):
    dash = activation["dash"]
    linestyle = _DASHES[dash] if isinstance(dash, str) else (0, tuple(float(d) for d in dash))
    return {"color": activation["color"], "linestyle": linestyle, "marker": activation["marker"]}


def load_results(path):
    base = os.path.dirname(os.path.abspath(path))
    doc = jsonfile.load(path, "results file", "results.schema.json",
                        "rerun the sweep with this actbench; `actbench merge %s` rewrites it from "
                        "its runs/" % base, jsonfile.RESULTS_VERSIONS)
    if not doc["runs"]:
        raise InputError("%s has no runs: nothing to plot" % path)
    return doc


def load_summary(path, sweep_dir):
    doc = jsonfile.load(path, "summary file", "summary.schema.json",
                        "`actbench merge %s` with this actbench rewrites it" % sweep_dir,
                        jsonfile.SUMMARY_VERSIONS)
    labels = [a["label"] for a in doc["activations"]]
    if len(set(labels)) != len(labels):
        raise InputError("%s: activations lists a label twice" % path)
    for i, g in enumerate(doc["groups"]):
        where = "%s: groups/%d (%s)" % (path, i, g["name"])
        if g["activation"] not in labels:
            raise InputError("%s: activation %s is not in 'activations'"
                             % (where, json.dumps(g["activation"])))
        per_epoch = [("series " + k, s) for k, s in g["series"].items()]
        per_epoch += [("learned " + k, s) for k, s in g.get("learned", {}).items()]
        for what, s in per_epoch:
            if len(s["mean"]) != len(s["std"]):
                raise InputError("%s: %s has %d means and %d stds"
                                 % (where, what, len(s["mean"]), len(s["std"])))
    for i, d in enumerate(doc["differences"]):
        for key in ("activation", "baseline"):
            if d[key] not in labels:
                raise InputError("%s: differences/%d: %s %s is not in 'activations'"
                                 % (path, i, key, json.dumps(d[key])))
    columns = len(doc["table"]["columns"])
    for i, row in enumerate(doc["table"]["rows"]):
        if len(row) != columns:
            raise InputError("%s: table/rows/%d has %d cells for %d columns"
                             % (path, i, len(row), columns))
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
        fix = "write it with `actbench curves --out FILE`"
        doc = jsonfile.read_json(path, "curves file", fix)
        jsonfile.check_version(doc, path, "curves file", {CURVES_SCHEMA: "null"}, fix)
    except InputError as e:
        return bad(str(e))
    x = doc.get("x")
    acts = doc.get("activations")
    if not isinstance(x, list) or not x or not isinstance(acts, list) or not acts:
        return bad("%s has no 'x' or no 'activations'" % path)
    for a in acts:
        if (not isinstance(a, dict) or not isinstance(a.get("label"), str)
                or not isinstance(a.get("name"), str) or not isinstance(a.get("y"), list)
                or not isinstance(a.get("dy"), list) or len(a["y"]) != len(x)
                or len(a["dy"]) != len(x)):
            return bad("%s: every activation needs 'name', 'label', and 'y' and 'dy' with one "
                       "value per x" % path)
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


def load(input_arg, curves_arg):
    sweep = Sweep()
    sweep.results_path = resolve_input(input_arg)
    sweep.results = load_results(sweep.results_path)
    base_dir = os.path.dirname(os.path.abspath(sweep.results_path))

    sweep.summary_path = os.path.join(base_dir, "summary.json")
    if not os.path.isfile(sweep.summary_path):
        raise InputError("no summary.json beside %s: `actbench merge %s` writes it"
                         % (sweep.results_path, base_dir))
    sweep.summary = load_summary(sweep.summary_path, base_dir)
    sweep.activations = sweep.summary["activations"]
    sweep._style = {a["label"]: matplotlib_style(a) for a in sweep.activations}
    sweep.groups = sweep.summary["groups"]
    point_index = {}
    for g in sweep.groups:
        key = point_key(g["point"])
        if key not in point_index:
            point_index[key] = len(sweep.points)
            sweep.points.append(Point(len(sweep.points), g["point"], g["point_text"]))
        sweep.points[point_index[key]].groups.append(g)

    if curves_arg is not None:
        if not os.path.isfile(curves_arg):
            raise InputError("--curves %s: no such file (write one with `actbench curves --out "
                             "FILE`)" % curves_arg)
        sweep.curves = load_curves(curves_arg, explicit=True)
        sweep.curves_path = curves_arg
    else:
        path = os.path.join(base_dir, "curves.json")
        if os.path.isfile(path):
            sweep.curves = load_curves(path, explicit=False)
            sweep.curves_path = path if sweep.curves is not None else None
    return sweep


def parse_formats(text, style):
    """The --formats list for a style (common.Style): known formats, in order, without repeats."""
    allowed = " or ".join((", ".join(style.formats), ",".join(style.formats)))
    chosen = []
    for part in text.split(","):
        part = part.strip().lower()
        if not part:
            continue
        if part not in style.formats:
            raise InputError("--formats %s: unknown format %s for the %s style (use %s)"
                             % (text, json.dumps(part), style.name, allowed))
        if part not in chosen:
            chosen.append(part)
    if not chosen:
        raise InputError("--formats %s names no format (use %s)" % (json.dumps(text), allowed))
    return chosen
