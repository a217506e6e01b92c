"""Errors, the progress log and atomic writes shared by the plotting modules."""
import math
import os
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

# A journal page: a single column is 3.5 inches wide (IEEE, ACM and most two-column styles), the
# full text width 7.16 inches. Every text 8 or 9 points; fonts embedded whole as TrueType (Type 42)
# rather than as Type 3 bitmaps, as publishers ask. PGF is laid out with the same font metrics as
# the PDF; LaTeX sets its text in the document's own font.
PAPER_WIDTHS = (("", 3.5), ("-wide", 7.16))
PAPER = Style(
    "paper", ("pdf", "pgf"), "pdf,pgf", list(PAPER_WIDTHS),
    {"pdf.fonttype": 42, "ps.fonttype": 42, "pgf.rcfonts": False, "font.size": 8,
     "axes.titlesize": 8, "axes.labelsize": 8, "xtick.labelsize": 8, "ytick.labelsize": 8,
     "legend.fontsize": 8, "legend.title_fontsize": 8, "figure.titlesize": 9,
     "legend.frameon": False, "axes.linewidth": 0.6, "grid.linewidth": 0.4,
     "xtick.major.width": 0.6, "ytick.major.width": 0.6, "xtick.minor.width": 0.4,
     "ytick.minor.width": 0.4, "xtick.major.size": 2.5, "ytick.major.size": 2.5,
     "xtick.minor.size": 1.5, "ytick.minor.size": 1.5, "lines.linewidth": 1.0,
     "patch.linewidth": 0.5, "savefig.pad_inches": 0.02},
    {"title": 9, "panel": 8, "label": 8, "small": 8, "tiny": 8}, 0.6, report=False)

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
