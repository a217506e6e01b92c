"""Reading the input: results.json (actbench.results/4), summary.json (actbench.summary/3) and
curves.json (actbench.curves/1), each checked before anything is drawn.

results.json and summary.json are validated against docs/results.schema.json and
docs/summary.schema.json (jsonschema); a file of another schema version, a file that is not JSON
or one that does not match is an InputError (one line, exit 2). summary.json is required: it
holds every statistic, label, style and sentence the figures and the report show.
"""
import json
import os

from .common import InputError, log

RESULTS_SCHEMA = "actbench.results/4"
SUMMARY_SCHEMA = "actbench.summary/3"
CURVES_SCHEMA = "actbench.curves/1"
DOCS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "docs")

# summary.json's dash names, as matplotlib line styles.
_DASHES = {"solid": "-", "dashed": "--", "dashdot": "-.", "dotted": ":"}


class SetupError(Exception):
    """This machine cannot run the script (a missing module or schema file): exit 1."""


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


def _validator(schema_file):
    try:
        import jsonschema
    except ImportError:
        raise SetupError("jsonschema is not installed for this Python (Debian: apt-get install "
                         "python3-jsonschema, then run this script with /usr/bin/python3)")
    path = os.path.join(DOCS_DIR, schema_file)
    try:
        with open(path, "rb") as f:
            schema = json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError) as e:
        raise SetupError("cannot read the schema %s: %s" % (path, e))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema), jsonschema.exceptions.best_match


def validate(doc, path, schema_file):
    """InputError naming the first place where doc does not match docs/<schema_file>."""
    validator, best_match = _validator(schema_file)
    error = best_match(validator.iter_errors(doc))
    if error is None:
        return
    where = "/".join(str(p) for p in error.absolute_path) or "the top level"
    message = error.message
    if len(message) > 160:
        message = message[:157] + "..."
    raise InputError("%s does not match docs/%s at %s: %s" % (path, schema_file, where, message))


def schema_mismatch(doc, path, expected):
    found = doc.get("schema") if isinstance(doc, dict) else None
    if found == expected:
        return None
    return "%s has %s; plot_results.py reads %s" % (
        path, ("schema %s" % json.dumps(found)) if found is not None else "no 'schema' key",
        expected)


def load_results(path):
    doc = read_json(path, "results file")
    if not isinstance(doc, dict):
        raise InputError("%s is not an actbench results file (a JSON object with 'schema' and "
                         "'runs')" % path)
    mismatch = schema_mismatch(doc, path, RESULTS_SCHEMA)
    if mismatch:
        raise InputError(mismatch + " (runs with per-epoch diagnostics): rerun the sweep with "
                         "the current actbench, which writes it")
    if not isinstance(doc.get("runs"), list) or not doc["runs"]:
        raise InputError("%s has no runs: nothing to plot" % path)
    validate(doc, path, "results.schema.json")
    return doc


def load_summary(path, sweep_dir):
    doc = read_json(path, "summary file")
    mismatch = schema_mismatch(doc, path, SUMMARY_SCHEMA)
    if mismatch:
        raise InputError("%s: rerun `actbench merge %s` with this actbench to rewrite it"
                         % (mismatch, sweep_dir))
    try:
        validate(doc, path, "summary.schema.json")
    except InputError as e:  # written by an earlier actbench, perhaps
        raise InputError("%s (`actbench merge %s` with this actbench rewrites it)" % (e, sweep_dir))
    labels = [a["label"] for a in doc["activations"]]
    if len(set(labels)) != len(labels):
        raise InputError("%s: activations lists a label twice" % path)
    for i, g in enumerate(doc["groups"]):
        where = "%s: groups/%d (%s)" % (path, i, g["name"])
        if g["activation"] not in labels:
            raise InputError("%s: activation %s is not in 'activations'"
                             % (where, json.dumps(g["activation"])))
        for metric, s in g["series"].items():
            if len(s["mean"]) != len(s["std"]):
                raise InputError("%s: series %s has %d means and %d stds"
                                 % (where, metric, len(s["mean"]), len(s["std"])))
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
        doc = read_json(path, "curves file")
    except InputError as e:
        return bad(str(e))
    mismatch = schema_mismatch(doc, path, CURVES_SCHEMA)
    if mismatch:
        return bad(mismatch + " (write it with `actbench curves --out FILE`)")
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
