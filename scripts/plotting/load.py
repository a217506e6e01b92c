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

# What a restyled activation (distinct_styles) takes instead, in this order: the registry's
# palette (src/activations/palette.cpp: Okabe-Ito's first four, then colours of Okabe-Ito, Paul
# Tol's and Kelly's sets chosen far apart), its twelve markers and four dashes.
_SPARE_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#e69f00", "#aa3377", "#000000", "#8db600",
                  "#332288", "#848482", "#be0032", "#f99379", "#654522", "#e68fac", "#999933",
                  "#882d17", "#2b3d26", "#875692", "#56b4e9", "#228833", "#ee6677", "#555555",
                  "#44aa99", "#f38400", "#aa4499")
_SPARE_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p")
_SPARE_DASHES = ("solid", "dashed", "dashdot", "dotted")
# Two colours closer than this (CIE76 delta E in L*a*b*) read as one on a page: #0072b2 and
# #0077bb are 2 apart, the palette's closest pair (#aa3377, #aa4499) 15.
_NEAR = 12.0


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


def lab(colour):
    """A #rrggbb colour in CIE L*a*b* (D65), or None for another notation."""
    text = colour.lstrip("#") if isinstance(colour, str) else ""
    if len(text) != 6:
        return None
    try:
        rgb = [int(text[i:i + 2], 16) / 255.0 for i in (0, 2, 4)]
    except ValueError:
        return None
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883
    f = [t ** (1 / 3.0) if t > 0.008856 else 7.787 * t + 16 / 116.0 for t in (x, y, z)]
    return (116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2]))


def near(a, b):
    """Two colours a reader cannot tell apart on a page."""
    la, lb = lab(a), lab(b)
    if la is None or lb is None:
        return a == b
    return sum((p - q) ** 2 for p, q in zip(la, lb)) ** 0.5 < _NEAR


def distinct_styles(activations):
    """Makes the activations' styles tell every two apart: in display order, an activation whose
    colour is (nearly: _NEAR) that of an earlier one takes the first palette colour no earlier
    one is near; one whose marker an earlier one has (among the first twelve, as many as there
    are markers) takes the first unused marker; one whose (marker, dash) pair an earlier one has
    takes the first dash that makes the pair new. A spare colour or marker is also one no later
    activation has, so that one change does not move the next. summary.json's styles are kept
    wherever they already differ (labels of one's own, such as formulas, are styled by a hash
    and may collide; so may registry entries past the twelfth). Changes the entries in place
    (the interactive charts read them too); returns a line per change."""
    changes = []
    seen = []
    for i, a in enumerate(activations):
        why = []
        clash = next((b for b in seen if near(a["color"], b["color"])), None)
        if clash is not None:
            # Not one a later activation has: that one would have to move on in turn.
            later = [b["color"] for b in activations[i + 1:]]
            spare = next((c for c in _SPARE_COLOURS + generated_colours()
                          if not any(near(c, b["color"]) for b in seen)
                          and not any(near(c, other) for other in later)), None)
            if spare is not None:
                why.append("colour %s (near %s's %s) -> %s"
                           % (a["color"], clash["label"], clash["color"], spare))
                a["color"] = spare
        clash = next((b for b in seen if a["marker"] == b["marker"]), None)
        if len(seen) < len(_SPARE_MARKERS) and clash is not None:
            used = set(b["marker"] for b in seen)
            later = set(b["marker"] for b in activations[i + 1:len(_SPARE_MARKERS)])
            spare = next((m for m in _SPARE_MARKERS if m not in used and m not in later),
                         next(m for m in _SPARE_MARKERS if m not in used))
            why.append("marker %s (%s's) -> %s" % (a["marker"], clash["label"], spare))
            a["marker"] = spare
        clash = next((b for b in seen if (b["marker"], json.dumps(b["dash"]))
                      == (a["marker"], json.dumps(a["dash"]))), None)
        if clash is not None:
            pairs = set((b["marker"], json.dumps(b["dash"])) for b in seen)
            spare = next((d for d in _SPARE_DASHES if (a["marker"], json.dumps(d)) not in pairs),
                         None)
            if spare is not None:
                why.append("dash %s with marker %s (%s's) -> %s"
                           % (json.dumps(a["dash"]), a["marker"], clash["label"], spare))
                a["dash"] = spare
        if why:
            changes.append("restyled %s, whose summary.json style an earlier activation shares: "
                           "%s" % (a["label"], "; ".join(why)))
        seen.append(a)
    return changes


def generated_colours(count=64):
    """Hues a golden angle apart at a saturation and value that read on white (as palette.cpp
    colours the entries past its palettes): where the palette has no colour left."""
    import colorsys
    out = []
    for i in range(count):
        r, g, b = colorsys.hsv_to_rgb((i * 137.50776405003785 / 360.0) % 1.0, 0.65, 0.75)
        out.append("#%02x%02x%02x" % (int(r * 255 + 0.5), int(g * 255 + 0.5), int(b * 255 + 0.5)))
    return tuple(out)


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
    for change in distinct_styles(sweep.activations):
        log(change)
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
