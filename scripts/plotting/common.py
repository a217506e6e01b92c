"""Errors, the progress log and atomic writes shared by the plotting modules."""
import math
import os
import sys
import tempfile

PROG = "plot_results"
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


def finite(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def nan_if_null(v):
    """A value for matplotlib: the number, or NaN (a gap in a line) for null."""
    return float(v) if finite(v) else float("nan")


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
