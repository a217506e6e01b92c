"""The canvas every figure is drawn on: figure size, facets, legends beside the plot, saving.

Colours, line styles and markers come only from summary.json's activations (Sweep.style).
"""
import io
import math
import os
import textwrap

from .common import DPI, FIGSIZE, log, write_atomic


class Canvas:
    """Creates, lays out and saves the figures; records what was written and what was skipped."""

    def __init__(self, sweep, out_dir, formats, plt):
        import matplotlib.ticker
        self.sweep = sweep
        self.out_dir = out_dir
        self.formats = formats
        self.plt = plt
        self.ticker = matplotlib.ticker
        self.written = []   # paths, in the order written
        self.figures = []   # (name, title, caption) of each figure written
        self.skipped = []   # (name, reason)

    # -- creating ---------------------------------------------------------------------------

    def new_figure(self, nrows=1, ncols=1, **kw):
        fig, axes = self.plt.subplots(nrows, ncols, figsize=FIGSIZE, dpi=DPI, squeeze=False, **kw)
        fig.subplots_adjust(left=0.08, right=0.75, bottom=0.1, top=0.88, wspace=0.3, hspace=0.45)
        return fig, axes

    def facets(self, count, **kw):
        """A grid of `count` axes (row by row), the unused ones hidden: (fig, list of axes)."""
        ncols = int(math.ceil(math.sqrt(count)))
        nrows = int(math.ceil(count / float(ncols)))
        fig, grid = self.new_figure(nrows, ncols, **kw)
        axes = [grid[i // ncols][i % ncols] for i in range(nrows * ncols)]
        for ax in axes[count:]:
            ax.set_visible(False)
        if nrows > 1:
            fig.subplots_adjust(hspace=0.55 if nrows < 4 else 0.75)
        for i, ax in enumerate(axes[:count]):  # x tick labels on each column's lowest axes
            if i + ncols >= count:
                ax.tick_params(labelbottom=True)
        return fig, axes[:count], nrows, ncols

    def line_handle(self, label, **kw):
        """A legend entry in an activation's style."""
        from matplotlib.lines import Line2D
        style = self.sweep.style(label)
        style["linewidth"] = 1.8
        style.update(kw)
        return Line2D([], [], **style)

    # -- laying out -------------------------------------------------------------------------

    def outside_legend(self, fig, handles, labels, title=None, top=0.88):
        """A legend in a right margin reserved for it, beside (never over) the plotting area: it
        is measured, the axes are narrowed to leave room for it, and long legends get smaller
        type or more columns."""
        if not handles:
            fig.subplots_adjust(right=0.97)
            return None
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
        box = legend.get_window_extent(renderer)  # too long anywhere: the axes give way to it
        fig.subplots_adjust(right=max(0.2, 1.0 - box.width / fig_w - 0.025))
        return legend

    def suptitle(self, fig, title, rows=1):
        """The figure's title, wrapped; the axes move down when it takes two lines."""
        text = textwrap.fill(title, 100)
        fig.suptitle(text, fontsize=11)
        if len(text.splitlines()) > 1 or rows > 1:
            fig.subplots_adjust(top=0.84 if rows == 1 else 0.86)

    def fit_left_margin(self, fig, axes_list, right=None):
        """Moves the axes' left edges right of their longest y tick label (one column of axes,
        or two side by side: the second moves right of its own labels)."""
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
        if not small and lo > 0 and hi > lo and math.log10(hi / lo) <= 3.5:
            ax.yaxis.set_major_locator(self.ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            ax.yaxis.set_major_formatter(self.ticker.FuncFormatter(lambda v, _: "%g" % v))
            ax.yaxis.set_minor_formatter(self.ticker.NullFormatter())

    def colour_ticklabels(self, ax, labels):
        """Colours each y tick label with its activation's colour."""
        for t, label in zip(ax.get_yticklabels(), labels):
            t.set_color(self.sweep.style(label)["color"])

    # -- saving -----------------------------------------------------------------------------

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

    def skip(self, name, reason, fig=None):
        if fig is not None:
            self.plt.close(fig)
        self.skipped.append((name, reason))
        log("skipping %s: %s" % (name, reason))


def row_fontsize(rows):
    """Type size (points) for one label per row down a 1500x900 figure's axes: as large as
    fits without overlap, 9 at most."""
    px_per_row = FIGSIZE[1] * DPI * 0.76 / max(1, rows)
    return max(3.0, min(9.0, 0.8 * px_per_row * 72.0 / DPI))


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
