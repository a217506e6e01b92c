"""Errors, the progress log and atomic writes shared by the plotting modules."""
import json
import math
import os
import re
import sys
import tempfile

from .jsonfile import InputError, number  # noqa: F401 (InputError: the modules take it from here)

PROG = "plot_results"
FIGSIZE = (10, 6)
DPI = 150  # 10 x 6 inches at 150 dpi: 1500 x 900 pixels


class Style:
    """How figures are sized, typeset and saved.

    variants: (file name suffix, width in inches or None for FIGSIZE) -- every figure is drawn
    once per variant. sizes: font sizes in points by role (title, panel, label, small, tiny).
    scale: line widths and marker sizes relative to the screen style."""

    def __init__(self, name, formats, default_formats, variants, rc, sizes, scale, report):
        self.name = name
        self.formats = formats
        self.default_formats = default_formats
        self.variants = variants
        self.rc = rc
        self.sizes = sizes
        self.scale = scale
        self.report = report  # writes report.md and report.html

    @property
    def paper(self):
        return self.name == "paper"


SCREEN = Style(
    "screen", ("png", "svg"), "png,svg", [("", None)],
    {"svg.hashsalt": "actbench", "font.size": 10, "axes.titlesize": 11,
     "legend.frameon": False},
    {"title": 11, "panel": 10, "label": 10, "small": 9, "tiny": 8}, 1.0, report=True)

# A journal page. The text is set in a serif: STIX (STIXGeneral, shipped with matplotlib: a
# Times design, as IEEE, NeurIPS, ICML and Elsevier's journals print in; it has every symbol the
# figures write, ± × → ′ − ≥ ≤ · – … ² š and the Greek letters), DejaVu Serif where STIX is
# missing, and mathtext in STIX too. Every text 8 or 9 points; fonts embedded whole as TrueType
# (Type 42) rather than as Type 3 bitmaps, as publishers ask. PGF is laid out with the same font
# metrics as the PDF and names no font family (figures_base.save_pgf): LaTeX sets its text in the
# document's own font. The widths: --width (parse_widths), by default IEEE's column and page.
PAPER = Style(
    "paper", ("pdf", "pgf"), "pdf,pgf", [],
    {"pdf.fonttype": 42, "ps.fonttype": 42, "pgf.rcfonts": False, "font.size": 8,
     "font.family": "serif", "font.serif": ["STIXGeneral", "DejaVu Serif"],
     "mathtext.fontset": "stix", "axes.unicode_minus": True,
     "axes.titlesize": 8, "axes.labelsize": 8, "xtick.labelsize": 8, "ytick.labelsize": 8,
     "legend.fontsize": 8, "legend.title_fontsize": 8, "figure.titlesize": 9,
     "legend.frameon": False, "axes.linewidth": 0.6, "grid.linewidth": 0.4,
     "xtick.major.width": 0.6, "ytick.major.width": 0.6, "xtick.minor.width": 0.4,
     "ytick.minor.width": 0.4, "xtick.major.size": 2.5, "ytick.major.size": 2.5,
     "xtick.minor.size": 1.5, "ytick.minor.size": 1.5, "lines.linewidth": 1.0,
     "patch.linewidth": 0.5, "savefig.pad_inches": 0.02},
    {"title": 9, "panel": 8, "label": 8, "small": 8, "tiny": 8}, 0.6, report=False)

# -- widths (--width) ------------------------------------------------------------------------------

# Lengths as LaTeX reads them: pt is TeX's point (72.27 to the inch, the unit of \columnwidth),
# bp PostScript's (72 to the inch).
UNITS = {"in": 1.0, "cm": 1 / 2.54, "mm": 1 / 25.4, "pt": 1 / 72.27, "bp": 1 / 72.0}

# Named widths: a template's \columnwidth (NAME-column) and \textwidth (NAME-page, or NAME for a
# one-column template), as its class or style file sets them; a figure this wide fills the column
# without an overfull box. (name, length, where it comes from)
TEMPLATES = (
    ("ieee-column", "252pt", "IEEEtran.cls: \\textwidth 43pc, \\columnsep 1pc; a column 21pc"),
    ("ieee-page", "516pt", "IEEEtran.cls: \\textwidth 43pc"),
    ("acm-column", "241.14pt", "acmart.cls sigconf: 8.5 in paper, 54pt margins, \\columnsep "
     "2pc: (506.29pt - 24pt) / 2"),
    ("acm-page", "506.29pt", "acmart.cls sigconf: 8.5 in less two 54pt margins"),
    ("icml-column", "3.25in", "icml20xx.sty: \\textwidth 6.75in, \\columnsep 0.25in"),
    ("icml-page", "6.75in", "icml20xx.sty: \\textwidth 6.75in"),
    ("neurips", "5.5in", "neurips_20xx.sty: textwidth=5.5in (one column)"),
    ("lncs", "12.2cm", "llncs.cls: \\textwidth 12.2cm (one column)"),
    ("elsevier-column", "252pt", "elsarticle.cls 5p: textwidth 522pt, columnsep 18pt"),
    ("elsevier-page", "522pt", "elsarticle.cls 5p: textwidth 522pt"),
    ("revtex-column", "246pt", "revtex4-2 aps 10pt: \\textwidth 42.5pc, \\columnsep 1.5pc"),
    ("revtex-page", "510pt", "revtex4-2 aps 10pt: \\textwidth 42.5pc"),
)
DEFAULT_WIDTH = "ieee"  # IEEE's column and page: NAME and NAME-wide
MIN_WIDTH, MAX_WIDTH = 1.5, 12.0  # inches
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(in|cm|mm|pt|bp)?\s*$")


def template_widths():
    """{name: inches} of TEMPLATES, and each family (ieee: its column and page) as a pair."""
    named = {name: parse_length(length) for name, length, _ in TEMPLATES}
    families = {}
    for name in named:
        if name.endswith("-column"):
            family = name[:-len("-column")]
            families[family] = (named[name], named[family + "-page"])
    return named, families


def parse_length(text):
    """A length (3.3, 3.3in, 8.5cm, 85mm, 241pt, 241bp) in inches, or None."""
    m = _LENGTH.match(text)
    if not m:
        return None
    return float(m.group(1)) * UNITS[m.group(2) or "in"]


def parse_widths(text):
    """--width: [(file name suffix, inches)]. A template family (ieee) is its column (NAME) and
    its page (NAME-wide); one width or template width draws each figure once (NAME); two, comma
    separated, draw NAME at the first and NAME-wide at the second."""
    named, families = template_widths()
    parts = [p.strip().lower() for p in text.split(",")]
    valid = ("a length (3.3, 3.3in, 8.5cm, 85mm, 241pt, 241bp), a template (%s) or a family "
             "(%s: its column and page)" % (", ".join(named), ", ".join(families)))
    if len(parts) == 1 and parts[0] in families:
        widths = list(families[parts[0]])
    elif 1 <= len(parts) <= 2:
        widths = []
        for part in parts:
            w = named.get(part, parse_length(part))
            if w is None:
                raise InputError("--width %s: %s is not %s" % (text, json.dumps(part), valid))
            widths.append(w)
    else:
        raise InputError("--width %s: give one width or two (column,page), each %s"
                         % (text, valid))
    for w in widths:
        if not MIN_WIDTH <= w <= MAX_WIDTH:
            raise InputError("--width %s: %.2f in is outside %.1f to %.0f in"
                             % (text, w, MIN_WIDTH, MAX_WIDTH))
    return list(zip(("", "-wide"), widths))


STYLES = {"screen": SCREEN, "paper": PAPER}


def log(message):
    print("%s: %s" % (PROG, message), file=sys.stderr, flush=True)


def fail(message, code=2):
    print("%s: error: %s" % (PROG, " ".join(str(message).split())), file=sys.stderr, flush=True)
    sys.exit(code)


def finite(v):
    """v is a finite number (not null, nor one of the strings NaN, Infinity, -Infinity)."""
    return math.isfinite(number(v))


def nan_if_null(v):
    """A value for matplotlib: the number, or NaN (a gap in a line) for null or non-finite."""
    x = number(v)
    return x if math.isfinite(x) else math.nan


def write_atomic(path, content):
    """Writes a file through a temporary file in the same directory, renamed into place."""
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


# -- the spread the bands and bars show ------------------------------------------------------------

# Student's t 0.975 quantiles by degrees of freedom (the 95% interval's multiplier), for a Python
# without scipy; between the rows, interpolated in 1/df (within 0.001 of the exact value).
_T975 = {1: 12.706205, 2: 4.302653, 3: 3.182446, 4: 2.776445, 5: 2.570582, 6: 2.446912,
         7: 2.364624, 8: 2.306004, 9: 2.262157, 10: 2.228139, 11: 2.200985, 12: 2.178813,
         13: 2.160369, 14: 2.144787, 15: 2.131450, 16: 2.119905, 17: 2.109816, 18: 2.100922,
         19: 2.093024, 20: 2.085963, 25: 2.059539, 30: 2.042272, 40: 2.021075, 60: 2.000298,
         120: 1.979930}
_Z975 = 1.959964


def t975(df):
    """Student's t 0.975 quantile for df degrees of freedom (scipy's where it is installed)."""
    try:
        from scipy.stats import t
        return float(t.ppf(0.975, df))
    except ImportError:
        pass
    if df in _T975:
        return _T975[df]
    keys = sorted(_T975)
    if df > keys[-1]:
        lo, hi, tlo, thi = keys[-1], math.inf, _T975[keys[-1]], _Z975
    else:
        lo = max(k for k in keys if k < df)
        hi = min(k for k in keys if k > df)
        tlo, thi = _T975[lo], _T975[hi]
    f = (1.0 / lo - 1.0 / df) / (1.0 / lo - (0.0 if hi == math.inf else 1.0 / hi))
    return tlo + f * (thi - tlo)


class Spread:
    """What the figures' bands, bars and whiskers show: summary.json's `spread`, as the ranking
    table's ± does -- ci95: the 95% confidence interval of the mean over n seeds (Student's t,
    mean ± t(0.975, n-1) sd / sqrt(n)); sd: ± one sample standard deviation."""

    def __init__(self, summary):
        self.kind = summary.get("spread") if summary.get("spread") in ("ci95", "sd") else "ci95"

    def half(self, sd, n):
        """The half-width for a sample standard deviation over n values (NaN without one)."""
        if sd is None or not isinstance(n, int) or n < 2 or not math.isfinite(sd):
            return math.nan
        if self.kind == "sd":
            return sd
        return t975(n - 1) * sd / math.sqrt(n)

    @property
    def short(self):
        """As a legend writes it: "95% CI" or "±1 SD"."""
        return "95% CI" if self.kind == "ci95" else "\u00b11 SD"

    @property
    def words(self):
        """As a caption writes it."""
        return ("the 95% confidence interval of the mean (Student's t)" if self.kind == "ci95"
                else "\u00b11 sample standard deviation")
