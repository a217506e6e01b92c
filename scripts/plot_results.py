#!/usr/bin/python3
"""Draws the figures and a report for an actbench sweep.

usage: scripts/plot_results.py RESULTS_OR_SWEEP_DIR [--out DIR] [--curves FILE]
                               [--style screen|paper] [--formats LIST] [--width WIDTH]
                               [--figures NAME,...]
       scripts/plot_results.py --list-figures[=names|json|markdown]

RESULTS_OR_SWEEP_DIR is a results.json (schema actbench.results/4 or /5) or the sweep directory
holding one. summary.json (actbench.summary/3, required) is read from beside it, and curves.json
(actbench.curves/1, from `actbench curves --out FILE`) when present; --curves names another
curves file. results.json and summary.json are validated against docs/results.schema.json and
docs/summary.schema.json before anything is drawn (scripts/plotting/jsonfile.py). A diverged
run's non-finite numbers (null in /4, "NaN" or "Infinity" in /5) are gaps; the legends and the
ranking table mark the run diverged. The figures go to --out (default: <that directory>/plots, or
<that directory>/paper with --style paper), which is created; every file is written atomically
(a temporary file renamed into place).

Everything shown comes from what actbench wrote: the statistics (per-epoch means and standard
deviations, estimates with 95% intervals, paired differences and their tests), the labels, the
order, each activation's colour, line style and marker, what was trained, the sentences and the
tables are summary.json's; this script only draws them and lays out the report.

Styles:
  screen (default)  PNG (1500x900 pixels) and SVG (--formats png,svg), titled, with report.md
                    and report.html (table of contents, the ranking table, the paired tests,
                    every figure with its caption)
  paper             for a journal page: PDF and PGF (--formats pdf,pgf) at --width, by default
                    each figure twice -- NAME.pdf/.pgf IEEEtran's column wide (252pt, 3.49 in)
                    and NAME-wide.pdf/.pgf its text width (516pt, 7.14 in) -- as tall as its
                    content needs, every text 8 or 9 pt; the PDF in a serif (STIX, a Times
                    design; TrueType embedded), the PGF in the document's own font (it names no
                    family); legends in a compact block above the plot, at most 15% of the
                    height; no titles: figures.tex holds a LaTeX figure environment per figure
                    with a short caption (what is drawn, n, what the bands and bars are)

--width (paper style): one width or two, comma separated (NAME at the first, NAME-wide at the
second), each a length -- 3.3 or 3.3in, 8.5cm, 85mm, 241pt (TeX points, as LaTeX prints
\\the\\columnwidth), 241bp -- or a template's: ieee-column, ieee-page, acm-column, acm-page,
icml-column, icml-page, neurips, lncs, elsevier-column, elsevier-page, revtex-column, revtex-page;
or a family (ieee, acm, icml, elsevier, revtex): its column and page. Default: ieee.
--figures NAME,...: draw only these (names as --list-figures prints them); an unknown name is an
error that lists them.

Bands, bars and whiskers show the spread the ranking table states (summary.json's spread): ci95,
the 95% confidence interval of the mean over the n seeds (Student's t: mean +- t sd / sqrt(n),
from the per-epoch sd and n), or sd, +-1 standard deviation; legends and captions say which.

Figures: the table FIGURES in scripts/plotting/figures.py, in the order they are drawn and
listed (name, draw function, description); --list-figures prints it (below). The figures that
need per-epoch diagnostics (train.diagnostics), learnable activation parameters, curves.json,
several seeds, summary.json's rank comparison (two activations and two seeds at least) or its
tuning record (a tuned sweep) are skipped, with a log line, without them.

--list-figures prints the figures' names, one per line, in drawing order, and exits: nothing is
read or drawn (RESULTS_OR_SWEEP_DIR, matplotlib and jsonschema are not needed).
--list-figures=json prints [{"name": ..., "description": ...}] instead, --list-figures=markdown
the table of figures in the docs (scripts/update_docs.py writes it there).

Example:
  build/actbench run configs/depth.yaml --out results/depth
  build/actbench curves --out results/depth/curves.json
  /usr/bin/python3 scripts/plot_results.py results/depth     # -> results/depth/plots/report.html
  /usr/bin/python3 scripts/plot_results.py results/depth --style paper   # -> results/depth/paper/

Progress goes to stderr; the written files are listed on stdout, one per line. Bad input (a
missing path, a directory or pipe for a file, a file over 256 MiB, not UTF-8, not JSON -- the bare
tokens NaN and Infinity, numbers past a double and keys given twice included --, of another
schema version or not matching its schema, no runs, no summary.json, a bad --style or --formats)
is one line on stderr starting
"plot_results: error:", exit 2, and nothing written. Exit 1: this Python lacks matplotlib or
jsonschema, or a bug.

Needs Debian's Python 3 with python3-matplotlib and python3-jsonschema (scripts/setup.sh installs
both); where the python3 first on PATH lacks them, run the script with /usr/bin/python3. PGF
needs no TeX installation to write (LaTeX reads it: \\usepackage{pgf}, then \\input{NAME.pgf}).
"""
import argparse
import json
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from plotting.common import (DEFAULT_WIDTH, STYLES, InputError, fail, log,  # noqa: E402
                             parse_widths, write_atomic)
from plotting.load import SetupError, load, parse_formats  # noqa: E402

USAGE = ("scripts/plot_results.py RESULTS_OR_SWEEP_DIR [--out DIR] [--curves FILE] "
         "[--style screen|paper] [--formats LIST] [--width WIDTH] [--figures NAME,...], or "
         "--list-figures[=names|json|markdown]")
LIST_FORMATS = ("names", "json", "markdown")


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message):  # one line, like every other error, instead of usage + error
        fail("%s (usage: %s)" % (message, USAGE))


def parse_args(argv):
    p = ArgumentParser(
        prog="plot_results.py",
        description="Figures and a report (report.md, report.html) for an actbench sweep "
                    "(results.json actbench.results/4 or /5 and summary.json actbench.summary/3).")
    p.add_argument("input", metavar="RESULTS_OR_SWEEP_DIR", nargs="?",
                   help="results.json, or its sweep directory (summary.json beside it)")
    p.add_argument("--out", metavar="DIR", help="output directory (default: <input dir>/plots; "
                   "<input dir>/paper with --style paper)")
    p.add_argument("--curves", metavar="FILE", help="`actbench curves` output "
                   "(default: curves.json beside the results)")
    p.add_argument("--style", default="screen", help="screen (default: PNG and SVG, report.md "
                   "and report.html) or paper (PDF and PGF at --width, figures.tex)")
    p.add_argument("--formats", help="screen: png, svg or png,svg (default); paper: pdf, pgf "
                   "or pdf,pgf (default)")
    p.add_argument("--width", metavar="WIDTH", help="paper style: a length (3.3, 3.3in, "
                   "8.5cm, 85mm, 241pt, 241bp), a template's column or page (ieee-column, "
                   "acm-page, neurips, lncs, ...), a family (ieee, acm, icml, elsevier, revtex: "
                   "NAME at its column, NAME-wide at its page) or two widths COLUMN,PAGE "
                   "(default: ieee)")
    p.add_argument("--figures", metavar="NAME,...", help="draw only these figures "
                   "(--list-figures names them)")
    p.add_argument("--list-figures", nargs="?", const="names", metavar="FORMAT",
                   help="print the figures in drawing order and exit, reading and drawing "
                   "nothing: their names one per line (FORMAT names, the default), "
                   "--list-figures=json: [{\"name\": ..., \"description\": ...}], "
                   "--list-figures=markdown: the table of figures in the docs")
    args = p.parse_args(argv)
    if args.list_figures is not None and args.list_figures not in LIST_FORMATS:
        p.error("--list-figures=%s: unknown format (use %s)" % (args.list_figures,
                                                                 ", ".join(LIST_FORMATS)))
    if args.list_figures is None and args.input is None:
        p.error("the following arguments are required: RESULTS_OR_SWEEP_DIR")
    return args


def list_figures(how):
    """--list-figures: the table of figures as names, JSON or the docs' Markdown table."""
    from plotting import figures
    if how == "json":
        sys.stdout.write(json.dumps(figures.as_json(), indent=1, ensure_ascii=False) + "\n")
    elif how == "markdown":
        sys.stdout.write(figures.markdown_table())
    else:
        sys.stdout.write("".join(name + "\n" for name in figures.names()))


def draw_everything(canvas, chosen, command):
    from plotting.figures import FIGURES
    from plotting.figures_base import latex_figures
    for suffix, width in canvas.style.variants:
        canvas.set_variant(suffix, width)
        for figure in FIGURES:
            if figure.name in chosen:
                figure.draw(canvas, figure.name)
    if canvas.style.report:
        from plotting.report import build_report, render_html, render_markdown
        blocks = build_report(canvas.sweep, canvas)
        outputs = (("report.md", render_markdown),
                   ("report.html", lambda b: render_html(b, canvas.out_dir)))
    else:
        outputs = (("figures.tex", lambda _: latex_figures(canvas, command)),)
        blocks = None
    for name, render in outputs:
        path = os.path.join(canvas.out_dir, name)
        write_atomic(path, render(blocks))
        canvas.written.append(path)


def parse_figures(text):
    """--figures: the names chosen, in drawing order (every figure without the option)."""
    from plotting import figures
    valid = figures.names()
    if text is None:
        return valid
    chosen = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in valid]
    if unknown or not chosen:
        raise InputError("--figures %s: %s (the figures: %s)" % (
            text, "unknown figure%s %s" % ("s" * (len(unknown) > 1), ", ".join(unknown))
            if unknown else "names no figure", ",".join(valid)))
    return [n for n in valid if n in chosen]


def paper_command(args):
    """How figures.tex says it was written."""
    words = ["scripts/plot_results.py", "--style", "paper", "--width", args.width or DEFAULT_WIDTH]
    if args.figures:
        words += ["--figures", args.figures]
    return " ".join(words)


def parse_style(text):
    if text not in STYLES:
        raise InputError("--style %s: unknown style (use %s)" % (text, " or ".join(STYLES)))
    return STYLES[text]


def refuse_empty_values(args):
    """An option given an empty value ("--formats ''") is an error, not its default."""
    for name in ("input", "out", "curves", "style", "formats", "width", "figures"):
        value = getattr(args, name)
        if value is not None and not value.strip():
            if name == "input":
                raise InputError("RESULTS_OR_SWEEP_DIR is empty; give a sweep's directory or "
                                 "its results.json")
            raise InputError("--%s is empty; give a value or leave the option out" % name)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.list_figures is not None:
        list_figures(args.list_figures)
        return 0
    try:
        refuse_empty_values(args)
        style = parse_style(args.style)
        formats = parse_formats(args.formats or style.default_formats, style)
        if args.width is not None and not style.paper:
            raise InputError("--width %s: the screen style draws 1500 x 900 pixels; --width is "
                             "for --style paper" % args.width)
        if style.paper:
            style.variants = parse_widths(args.width or DEFAULT_WIDTH)
        chosen = parse_figures(args.figures)
        sweep = load(args.input, args.curves)
    except InputError as e:
        fail(e)
    except SetupError as e:
        fail(e, code=1)
    out_dir = args.out or os.path.join(os.path.dirname(os.path.abspath(sweep.results_path)),
                                       "paper" if style.paper else "plots")
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        fail("--out %s exists and is not a directory" % out_dir)

    try:
        import matplotlib
    except ImportError:
        fail("matplotlib is not installed for %s (Debian: apt-get install python3-matplotlib, "
             "then run this script with /usr/bin/python3)" % sys.executable, code=1)
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    matplotlib.rcParams.update(style.rc)
    from plotting.figures_base import Canvas

    log("reading %s: %d group%s at %d point%s, summary %s, %s; %s style" % (
        sweep.results_path, len(sweep.groups), "s" * (len(sweep.groups) != 1),
        len(sweep.points), "s" * (len(sweep.points) != 1), sweep.summary_path,
        "curves %s" % sweep.curves_path if sweep.curves_path else "no curves", style.name))
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        fail("cannot create --out %s: %s" % (out_dir, e.strerror or e))

    canvas = Canvas(sweep, out_dir, formats, plt, style)
    try:
        draw_everything(canvas, chosen, paper_command(args))
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
