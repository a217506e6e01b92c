"""The canvas every figure is drawn on: figure size, facets, legends beside (screen) or above
(paper) the plot, the spread bands show, saving, and figures.tex.

Colours, line styles and markers come from summary.json's activations (Sweep.style; load.py
restyles one that would look like an earlier one). The canvas draws each figure in the chosen
style (common.SCREEN or common.PAPER) and, in the paper style, once per --width.
"""
import io
import math
import os
import re
import textwrap

from .common import DPI, FIGSIZE, Spread, log, write_atomic

# On paper a legend takes at most this share of its figure's height (the plot is made taller
# where a legend needs more rows), and a figure is at most this tall (inches).
LEGEND_SHARE = 0.15
MAX_PAPER_HEIGHT = 8.5
# The fewest lines per panel that get the per-epoch figures a zoomed panel of the last epochs.
MANY_LINES = 7


class Canvas:
    """Creates, lays out and saves the figures; records what was written and what was skipped."""

    def __init__(self, sweep, out_dir, formats, plt, style):
        import matplotlib.ticker
        self.sweep = sweep
        self.out_dir = out_dir
        self.formats = formats
        self.plt = plt
        self.style = style
        self.ticker = matplotlib.ticker
        self.suffix, self.width = style.variants[0]
        self.spread = Spread(sweep.summary)  # what bands and bars show: the tables' spread
        self.written = []   # paths, in the order written
        self.figures = []   # (name, title, caption) of each figure written
        self.short = {}     # figure name -> its short caption (figures.tex)
        self.skipped = []   # (name, reason)
        self.files = {}     # figure name -> [file names], every variant and format

    @property
    def paper(self):
        return self.style.paper

    def set_variant(self, suffix, width):
        """Draws what follows at this width (inches; None: the screen size), saved as NAME +
        suffix."""
        self.suffix, self.width = suffix, width

    @property
    def first_variant(self):
        return self.suffix == self.style.variants[0][0]

    # -- sizes --------------------------------------------------------------------------------

    def fs(self, role):
        """A font size in points: title, panel, label, small or tiny."""
        return self.style.sizes[role]

    def lw(self, width):
        """A line width given for the screen style, in this style."""
        return width * self.style.scale

    def ms(self, size):
        """A marker size given for the screen style, in this style."""
        return size * self.style.scale

    def markevery(self, points, order, count):
        """Markers on every k-th point, each activation starting at its own offset, so that
        lines lying on one another still show each one's markers."""
        stride = max(1, int(math.ceil(points / (8.0 if self.paper else 12.0))))
        if stride == 1 or count <= 1:
            return stride
        return (int(order * stride / count) % stride, stride)

    def wrap(self, text, ncols=1, role="panel"):
        """On paper, a panel's title or axis label broken into lines that fit its panel's width
        (one of ncols side by side); on screen as it is."""
        if not self.paper:
            return text
        points = self.width * 72.0 * 0.92 / max(1, ncols)
        chars = max(12, int(points / (0.62 * self.fs(role))))
        return "\n".join(textwrap.fill(line, chars) for line in text.split("\n"))

    def row_fontsize(self, rows):
        """Type size (points) for one label per row down the axes: as large as fits without
        overlap, 9 at most (the paper style's figures grow with their rows instead)."""
        if self.paper:
            return self.fs("small")
        px_per_row = FIGSIZE[1] * DPI * 0.76 / max(1, rows)
        return max(3.0, min(9.0, 0.8 * px_per_row * 72.0 / DPI))

    def paper_height(self, nrows=1, label_rows=None):
        """A paper figure's height in inches: by rows of panels (MAX_PAPER_HEIGHT at most: many
        rows get lower panels), or by rows of labels (one label per row at 8 points) where
        label_rows is given."""
        wide = self.width is not None and self.width > 5
        if label_rows is not None:
            return max(1.6, 0.75 + 0.17 * label_rows)
        first, more = (2.6, 1.9) if wide else (2.3, 1.7)
        return min(MAX_PAPER_HEIGHT, first + more * (nrows - 1))

    # -- creating ---------------------------------------------------------------------------

    def new_figure(self, nrows=1, ncols=1, label_rows=None, **kw):
        if self.paper:
            size = (self.width, self.paper_height(nrows, label_rows))
            fig, axes = self.plt.subplots(nrows, ncols, figsize=size, dpi=DPI, squeeze=False,
                                          **kw)
            return fig, axes
        fig, axes = self.plt.subplots(nrows, ncols, figsize=FIGSIZE, dpi=DPI, squeeze=False, **kw)
        fig.subplots_adjust(left=0.08, right=0.75, bottom=0.1, top=0.88, wspace=0.3, hspace=0.45)
        return fig, axes

    def facets(self, count, **kw):
        """A grid of `count` axes (row by row), the unused ones hidden: (fig, list of axes)."""
        ncols = int(math.ceil(math.sqrt(count)))
        if self.paper and self.width < 5 and count > 1:
            ncols = min(ncols, 2)  # a single column holds two panels side by side at most
        nrows = int(math.ceil(count / float(ncols)))
        fig, grid = self.new_figure(nrows, ncols, **kw)
        axes = [grid[i // ncols][i % ncols] for i in range(nrows * ncols)]
        for ax in axes[count:]:
            ax.set_visible(False)
        if nrows > 1 and not self.paper:
            fig.subplots_adjust(hspace=0.55 if nrows < 4 else 0.75)
        for i, ax in enumerate(axes[:count]):  # x tick labels on each column's lowest axes
            if i + ncols >= count:
                ax.tick_params(labelbottom=True)
        return fig, axes[:count], nrows, ncols

    def line_handle(self, label, **kw):
        """A legend entry in an activation's style."""
        from matplotlib.lines import Line2D
        style = self.sweep.style(label)
        style["linewidth"] = self.lw(1.8)
        style["markersize"] = self.ms(6)
        style.update(kw)
        return Line2D([], [], **style)

    # -- laying out -------------------------------------------------------------------------

    def outside_legend(self, fig, handles, labels, title=None, top=None):
        """A legend beside (never over) the plotting area: on screen in a right margin reserved
        for it, measured, the axes narrowed to leave room (a long legend gets 8 points rather than
        9, then more columns, then more room); on paper a compact block above the axes, as many
        columns as fit the width, the figure made taller by its height and, where the legend would
        take more than LEGEND_SHARE of the figure's height, the plot taller still."""
        if self.paper:
            return self._legend_above(fig, handles, labels, title)
        top = getattr(fig, "actbench_top", 0.88) if top is None else top
        if not handles:
            fig.subplots_adjust(right=0.97)
            return None
        renderer = fig.canvas.get_renderer()
        fig_w, fig_h = fig.bbox.width, fig.bbox.height
        extra = getattr(fig, "actbench_right_texts", 0.0)  # texts at the right of the axes
        n = len(handles)
        legend = None
        for fontsize in (9, 8):  # never smaller: a long legend gets columns or the room
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
                    fig.subplots_adjust(right=min(0.8, 1.0 - box.width / fig_w - 0.025 - extra))
                    return legend
        box = legend.get_window_extent(renderer)  # too long anywhere: the axes give way to it
        fig.subplots_adjust(right=max(0.2, 1.0 - box.width / fig_w - 0.025 - extra))
        return legend

    def _legend_above(self, fig, handles, labels, title):
        if not handles:
            return None
        renderer = fig.canvas.get_renderer()
        legend = None
        for ncol in range(min(len(handles), 8), 0, -1):
            if legend is not None:
                legend.remove()
            legend = fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 1.0),
                                ncol=ncol, title=title, frameon=False, borderaxespad=0.25,
                                handlelength=2.0, columnspacing=0.9, handletextpad=0.4,
                                labelspacing=0.3, borderpad=0.2)
            if legend.get_window_extent(renderer).width <= fig.bbox.width * 0.98:
                break
        height = legend.get_window_extent(renderer).height / fig.dpi + 0.04
        w, h = fig.get_size_inches()
        # The plot keeps its height, or grows so that the legend takes LEGEND_SHARE at most.
        h = min(max(h, height * (1.0 - LEGEND_SHARE) / LEGEND_SHARE), MAX_PAPER_HEIGHT - height)
        fig.set_size_inches(w, h + height)
        fig.actbench_legend_top = 1.0 - height / (h + height)
        fig.actbench_legend_share = height / (h + height)
        return legend

    def suptitle(self, fig, title, rows=1):
        """The figure's title, wrapped, and below it what was trained (summary.json's setup); the
        axes move down to make room. The paper style has no titles: the caption says it."""
        if self.paper:
            return
        text = textwrap.fill(title, 100)
        fig.suptitle(text, fontsize=self.fs("title"), y=0.985, va="top")
        lines = len(text.splitlines())
        setup = self.sweep.summary["setup"]["text"]
        fig.text(0.5, 0.985 - 0.035 * lines, setup, ha="center", va="top",
                 fontsize=self.fs("small"), color="#444444")
        top = 0.86 - 0.035 * (lines - 1) - (0.02 if rows > 1 else 0.0)
        fig.actbench_top = top
        fig.subplots_adjust(top=top)

    def right_texts(self, fig, ax, ys, texts, colors=None, fontsize=None):
        """Text at the right of the axes, one per row (data y), outside the plotting area; on
        screen the axes are narrowed to make room."""
        import matplotlib.transforms as transforms
        trans = transforms.blended_transform_factory(ax.transAxes, ax.transData)
        fontsize = fontsize or self.fs("small")
        artists = []
        for i, (y, t) in enumerate(zip(ys, texts)):
            artists.append(ax.text(1.02, y, t, transform=trans, ha="left", va="center",
                                   fontsize=fontsize,
                                   color=colors[i] if colors else "#333333"))
        if not self.paper and artists:
            renderer = fig.canvas.get_renderer()
            width = max(a.get_window_extent(renderer).width for a in artists)
            fig.actbench_right_texts = width / fig.bbox.width + 0.03
            box = ax.get_position()
            fig.subplots_adjust(right=min(box.x1, 0.985 - fig.actbench_right_texts))
        return artists

    def fit_left_margin(self, fig, axes_list, right=None):
        """Moves the axes' left edges right of their longest y tick label (one column of axes,
        or two side by side: the second moves right of its own labels). On paper the layout is
        fitted when the figure is saved."""
        if self.paper:
            return
        renderer = fig.canvas.get_renderer()
        width = fig.bbox.width
        label_w = []
        for ax in axes_list:
            ws = [t.get_window_extent(renderer).width for t in ax.get_yticklabels()
                  if t.get_text()]
            label_w.append(max(ws) / width + 0.02 if ws else 0.03)
        right = fig.subplotpars.right if right is None else right
        left = min(0.45, max(0.05, label_w[0] + 0.01))
        if len(axes_list) == 1:
            fig.subplots_adjust(left=left)
            return
        gap = min(0.45, label_w[1] + 0.02)
        panel = max(0.08, (right - left - gap) / 2.0)
        x0 = left
        for ax in axes_list:
            box = ax.get_position()
            ax.set_position([x0, box.y0, panel, box.height])
            x0 += panel + gap

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
            for ax in fig.axes:
                box = ax.get_position()
                ax.set_position([box.x0 + shift, box.y0, max(0.05, box.width - shift),
                                 box.height])

    def log_y(self, ax, small=False):
        """Log y axis with readable labels: 1-2-5 ticks labelled with plain numbers when the
        data spans few decades (matplotlib would label only the powers of ten) and the axes are
        not small (one of several rows)."""
        ax.set_yscale("log")
        lo, hi = ax.get_ylim()
        plain = self.ticker.FuncFormatter(lambda v, _: "%g" % v)
        if not small and lo > 0 and hi > lo and math.log10(hi / lo) <= 3.5:
            ax.yaxis.set_major_locator(self.ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            ax.yaxis.set_major_formatter(plain)
            ax.yaxis.set_minor_formatter(self.ticker.NullFormatter())
        elif self.paper:  # plain numbers: superscripts would be smaller than 8 points
            ax.yaxis.set_major_formatter(plain)
            ax.yaxis.set_minor_formatter(self.ticker.NullFormatter())

    def colour_ticklabels(self, ax, labels):
        """Colours each y tick label with its activation's colour (None: left black)."""
        for t, label in zip(ax.get_yticklabels(), labels):
            if label is not None:
                t.set_color(self.sweep.style(label)["color"])

    # -- saving -----------------------------------------------------------------------------

    def save(self, fig, name, title, caption, short=None):
        """Writes the figure in every format; the caption (the report's) gets what was trained
        appended, and so does `short` (figures.tex's: what is drawn, n, what bands and bars
        are; the caption where None). With ACTBENCH_PLOT_CHECK=1 in the environment, logs every
        pair of texts that overlap, every text that leaves the figure and a legend taking more
        than LEGEND_SHARE of a paper figure's height ("check: ...")."""
        import warnings
        fig.canvas.draw()  # the tick labels as they will be drawn, measured below
        if self.paper:
            top = getattr(fig, "actbench_legend_top", 1.0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # Twice: the new axes sizes can change the ticks, and so the labels' widths.
                for _ in range(2):
                    fig.tight_layout(pad=0.25, h_pad=0.5, w_pad=0.5, rect=(0, 0, 1, top))
                    fig.canvas.draw()
        else:
            self.keep_left_labels_inside(fig)
        if os.environ.get("ACTBENCH_PLOT_CHECK") == "1":
            problems = layout_problems(fig)
            share = getattr(fig, "actbench_legend_share", 0.0)
            if share > LEGEND_SHARE + 0.005:
                problems.append("the legend takes %.0f%% of the figure's height" % (100 * share))
            for problem in problems:
                log("check: %s%s: %s" % (name, self.suffix, problem))
        for fmt in self.formats:
            buf = io.BytesIO()
            if fmt == "pgf":
                save_pgf(fig, buf)
            else:
                meta = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(
                    fmt, {"Software": None})
                fig.savefig(buf, format=fmt, dpi=DPI, metadata=meta)
            file_name = "%s%s.%s" % (name, self.suffix, fmt)
            path = os.path.join(self.out_dir, file_name)
            write_atomic(path, buf.getvalue())
            self.written.append(path)
            self.files.setdefault(name, []).append(file_name)
        w, h = fig.get_size_inches()
        self.plt.close(fig)
        if self.first_variant:
            setup = self.sweep.summary["setup"]["text"]
            self.figures.append((name, title, "%s Setup: %s." % (caption, setup)))
            self.short[name] = "%s %s." % (short or caption, setup)
        log("wrote %s%s (%s%s)" % (name, self.suffix, ", ".join(self.formats),
                                   ", %.2f x %.2f in" % (w, h) if self.paper else ""))

    def skip(self, name, reason, fig=None):
        if fig is not None:
            self.plt.close(fig)
        if self.first_variant:
            self.skipped.append((name, reason))
            log("skipping %s: %s" % (name, reason))


def drawn_texts(fig):
    """Every text the figure draws, with its extent on the canvas: titles, labels, legends,
    annotations and the tick labels inside the axes' view."""
    import matplotlib.text
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ticks = set()
    shown = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                ticks.update((id(tick.label1), id(tick.label2)))
            if ax.get_visible():
                for tick in axis._update_ticks():
                    shown.extend(t for t in (tick.label1, tick.label2) if t.get_visible())
    for t in fig.findobj(matplotlib.text.Text):
        if id(t) in ticks or not t.get_visible():
            continue
        ax = t.axes
        if ax is not None and not ax.get_visible():
            continue
        shown.append(t)
    out = []
    for t in shown:
        if t.get_text().strip():
            out.append((t.get_text(), t.get_window_extent(renderer)))
    return out


def layout_problems(fig):
    """Texts that overlap one another or leave the figure, in words."""
    texts = drawn_texts(fig)
    problems = []
    w, h = fig.bbox.width, fig.bbox.height
    for text, box in texts:
        if box.x0 < -1 or box.y0 < -1 or box.x1 > w + 1 or box.y1 > h + 1:
            problems.append("%r leaves the figure" % text)
    for i, (a, box_a) in enumerate(texts):
        for b, box_b in texts[i + 1:]:
            dx = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            dy = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if dx > 1 and dy > 1:
                problems.append("%r overlaps %r" % (a, b))
    return problems


# -- PGF ------------------------------------------------------------------------------------------

# Text-mode LaTeX for what the figures write: specials escaped, the few non-ASCII symbols they use
# as commands (pdfLaTeX, XeLaTeX and LuaLaTeX all read them).
_TEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "&": r"\&", "_": r"\_",
        "%": r"\%", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}",
        ">": r"\textgreater{}", "\u00b1": r"\ensuremath{\pm}", "\u00d7": r"\ensuremath{\times}",
        "\u2192": r"\ensuremath{\rightarrow}", "\u2032": r"\ensuremath{'}",
        "\u2212": r"\ensuremath{-}", "\u2265": r"\ensuremath{\geq}",
        "\u2264": r"\ensuremath{\leq}", "\u00b7": r"\ensuremath{\cdot}",
        "\u2013": "--", "\u2014": "---", "\u2026": r"\ldots{}",
        "\u00b2": r"\ensuremath{^2}", "\u0161": r"\v{s}"}


def _greek_letters():
    """Greek letters, which activation labels may carry (Swish-\u03b2), as math-mode commands: the
    small letters in Unicode's order from U+03B1, and the capitals that differ from Latin ones at
    the same offset from U+0391; LaTeX has no omicron."""
    small = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi "
             "rho varsigma sigma tau upsilon phi chi psi omega").split()
    capitals = {"gamma", "delta", "theta", "lambda", "xi", "pi", "sigma", "upsilon", "phi", "psi",
                "omega"}
    out = {}
    for i, name in enumerate(small):
        out[chr(0x3b1 + i)] = r"\ensuremath{%s}" % ("o" if name == "omicron" else "\\" + name)
        if name in capitals:
            out[chr(0x391 + i)] = r"\ensuremath{\%s}" % name.capitalize()
    return out


_TEX.update(_greek_letters())
_MATH = re.compile(r"(?<!\\)\$")


def tex_escape(text):
    """A figure's text as LaTeX: text segments escaped, $...$ (matplotlib's mathtext in tick
    labels) left as it is."""
    parts = _MATH.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = "".join(_TEX.get(ch, ch) for ch in parts[i])
    return "$".join(parts)


def save_pgf(fig, out):
    """The figure as a PGF picture for \\input in LaTeX. matplotlib measures text for the PGF
    backend by running LaTeX; here the PDF's own font metrics stand in (no TeX needed, the same
    layout as the PDF), and every text is escaped for LaTeX while the figure is written. No text
    names a font family (matplotlib would write \\rmfamily, \\sffamily or \\setmainfont): LaTeX
    sets it in the font around the \\input, the document's; only its size (and a bold or italic
    shape) is given."""
    import matplotlib.text
    from matplotlib.backends import backend_agg, backend_pgf

    agg = backend_agg.RendererAgg(int(fig.bbox.width), int(fig.bbox.height), fig.dpi)

    def metrics(renderer, s, prop, ismath):
        return agg.get_text_width_height_descent(s, prop, ismath)

    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
    saved_texts = [(t, t.get_text()) for t in texts]
    formatters = []
    wrapped = set()  # shared axes share their tickers: each wrapped once
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for which in ("major", "minor"):
                ticker = getattr(axis, which)
                if id(ticker) in wrapped:
                    continue
                wrapped.add(id(ticker))
                formatters.append((ticker, ticker.formatter))
                ticker.formatter = _escaping_formatter(ticker.formatter)
    original = backend_pgf.RendererPgf.get_text_width_height_descent
    original_props = backend_pgf._escape_and_apply_props
    try:
        for t, s in saved_texts:
            t.set_text(tex_escape(s))
        backend_pgf.RendererPgf.get_text_width_height_descent = metrics
        backend_pgf._escape_and_apply_props = _pgf_text
        fig.savefig(out, format="pgf")
    finally:
        backend_pgf.RendererPgf.get_text_width_height_descent = original
        backend_pgf._escape_and_apply_props = original_props
        for t, s in saved_texts:
            t.set_text(s)
        for ticker, formatter in formatters:
            ticker.formatter = formatter


def _pgf_text(s, prop):
    """A PGF text: its size, shape and weight, then the text (as matplotlib's own
    _escape_and_apply_props writes it, without the font family)."""
    from matplotlib.backends import backend_pgf
    size = prop.get_size_in_points()
    commands = [r"\fontsize{%f}{%f}" % (size, size * 1.2)]
    commands.append({"italic": r"\itshape", "oblique": r"\slshape"}.get(prop.get_style(), ""))
    if prop.get_weight() in ("semibold", "demibold", "demi", "bold", "heavy", "extra bold",
                             "black") or (isinstance(prop.get_weight(), int)
                                          and prop.get_weight() >= 600):
        commands.append(r"\bfseries")
    commands.append(r"\selectfont")
    return "".join(commands) + " " + backend_pgf._tex_escape(s)


def _escaping_formatter(inner):
    """Tick labels as LaTeX: wraps an axis's formatter while a PGF is written."""
    import matplotlib.ticker

    class EscapingFormatter(matplotlib.ticker.Formatter):
        def __call__(self, x, pos=None):
            return tex_escape(inner(x, pos))

        def format_ticks(self, values):
            return [tex_escape(s) for s in inner.format_ticks(values)]

        def get_offset(self):
            return tex_escape(inner.get_offset())

    return EscapingFormatter()


def group_n(g):
    """The number of seeds a group's per-epoch means and standard deviations are over: its
    completed runs (summary.json's series are over them)."""
    n = g.get("completed")
    return n if isinstance(n, int) else 0


def n_text(groups):
    """n as a caption writes it: "n = 3 seeds", "n = 2 to 3 seeds", "n = 1 seed"."""
    ns = sorted(set(group_n(g) for g in groups if group_n(g) > 0)) or [0]
    if len(ns) == 1:
        return "n = %d seed%s" % (ns[0], "s" * (ns[0] != 1))
    return "n = %d to %d seeds" % (ns[0], ns[-1])


def latex_figures(canvas, command):
    """figures.tex: one figure environment per figure drawn, each with its short caption (what is
    drawn, n, what bands and bars are, what was trained), for \\columnwidth (NAME.pdf) or, with
    two widths, NAME-wide.pdf for figure*; a comment line per figure not drawn."""
    sweep = canvas.sweep
    widths = canvas.style.variants
    lines = ["% The figures of " + tex_escape(os.path.abspath(sweep.results_path)) + ",",
             "% written by " + tex_escape(command) + ".",
             "% Needs \\usepackage{graphicx}. For the PGF versions: \\usepackage{pgf} and",
             "% \\input{NAME.pgf} in place of \\includegraphics{NAME.pdf}; LaTeX sets their",
             "% text in the document's font."]
    for suffix, width in widths:
        lines.append("%% NAME%s.pdf is %.3f in (%.2fpt) wide%s." % (
            suffix, width, width * 72.27, "; for figure*" if suffix else ""))
    lines.append("")
    for name, _, _ in canvas.figures:
        lines += ["\\begin{figure}", "  \\centering",
                  "  \\includegraphics{%s.pdf}" % name,
                  "  \\caption{%s}" % tex_escape(canvas.short[name]),
                  "  \\label{fig:%s}" % name.replace("_", "-"), "\\end{figure}", ""]
    for name, why in canvas.skipped:
        lines.append("% not drawn: " + tex_escape(name) + ": " + tex_escape(why))
    return "\n".join(lines) + "\n"


def chosen_points(sweep, max_points):
    """The points a per-point figure shows: all of them when there are at most max_points, else
    the first and the last (when max_points allows two), else the first; and a note for the
    title saying which."""
    points = sweep.points
    if len(points) <= max_points:
        return points, ""
    if max_points >= 2:
        return [points[0], points[-1]], ", at the first and the last of %d swept points" % len(
            points)
    return [points[0]], ", at %s (the first of %d swept points)" % (points[0].text, len(points))


def epochs_of(series):
    """The x values of a per-epoch series: epochs 1..n."""
    return list(range(1, len(series["mean"]) + 1))
