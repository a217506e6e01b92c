"""critical_difference and tuning: the activations compared by rank over the blocks
(summary.json's comparison: mean ranks, Friedman's test, the Nemenyi critical difference and the
groups it does not separate) and each activation's hyperparameter search (summary.json's tuning:
every trial's validation accuracy at every rung of successive halving, and the setting chosen)."""
import json
import math
import re
import textwrap

from .common import FIGSIZE, finite

RUNG_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h")  # one per rung, for grey scale
NEUTRAL = "#444444"  # the legend's rungs: the panels draw them in each activation's colour


def p_text(p):
    """A p-value as a title writes it: "p = 0.012", "p < 0.001", "p = n/a" (null)."""
    if not finite(p):
        return "p = n/a"
    return "p < 0.001" if p < 0.001 else "p = %.3f" % p


def number_text(v, fmt="%.2f"):
    return fmt % v if finite(v) else "n/a"


def style_of(sweep, label):
    """An activation's style; a neutral one for a label summary.json's activations lack."""
    try:
        return sweep.style(label)
    except KeyError:
        return {"color": NEUTRAL, "linestyle": "-", "marker": "o"}


# -- critical difference diagram (Demsar 2006, Fig. 1) -------------------------------------------

CD_SIDE = 0.38  # the most of the width the labels on one side of the axis may take


def ranked(comparison):
    """[(label, mean rank)] best first (ties in summary order), or None when a rank is missing."""
    labels, ranks = comparison["activations"], comparison["mean_ranks"]
    if len(labels) < 2 or len(labels) != len(ranks) or not all(finite(r) for r in ranks):
        return None
    order = sorted(range(len(labels)), key=lambda i: (float(ranks[i]), i))
    return [(labels[i], float(ranks[i])) for i in order]


def drawn_groups(comparison, ranks):
    """The Nemenyi groups of two or more known activations, as (lowest, highest) mean rank, top
    to bottom in the order summary.json lists them, without repeats."""
    spans = []
    for group in comparison["nemenyi"]["groups"] or []:
        members = [ranks[label] for label in group if label in ranks]
        if len(members) >= 2 and (min(members), max(members)) not in spans:
            spans.append((min(members), max(members)))
    return spans


def label_rows(canvas, ordered):
    """(label, text, rank, left, row) per activation, as Demsar lays them out: the better half
    on the left, the best in the top row; the rest on the right, the worst in the top row; so no
    line crosses another. A text too wide for its side is broken into lines."""
    inches = canvas.width if canvas.paper else FIGSIZE[0]
    chars = int(CD_SIDE * 0.9 * inches * 72.0 / (0.6 * canvas.fs("label")))
    half = (len(ordered) + 1) // 2
    rows = []
    for i, (label, rank) in enumerate(ordered):
        left = i < half
        text = textwrap.fill("%s (%.2f)" % (label, rank), max(8, chars))
        rows.append((label, text, rank, left, i if left else len(ordered) - 1 - i))
    return rows


def cd_geometry(rows, groups):
    """The diagram's y positions (data units: a label row is `step`, 1 per line of its text):
    the axis at 0, above it the tick numbers, the axis's label and the CD bar, below it the group
    bars and then the label rows."""
    step = 1.0 + 0.55 * max(r[1].count("\n") for r in rows)
    g = {"tick": 0.2, "axis_label": 0.75, "cd": 1.45, "cd_text": 1.6, "group0": -0.45,
         "group_step": 0.32, "top": 2.2, "step": step}
    below_groups = g["group0"] - g["group_step"] * max(0, len(groups) - 1)
    g["row0"] = (below_groups - 0.35 - 0.4 * step) if groups else -0.4 - 0.4 * step
    g["bottom"] = g["row0"] - step * (max(r[4] for r in rows) + 0.6)
    return g


def cd_xlim(fig, ax, rows, texts, k, cd):
    """x limits that leave room for the widest label on each side of the axis (1..k), and the
    label stub's length (data units)."""
    renderer = fig.canvas.get_renderer()
    stub = 0.035
    sides = []
    for on_left in (True, False):
        widths = [t.get_window_extent(renderer).width for t, row in zip(texts, rows)
                  if row[3] == on_left]
        sides.append(min(0.45, max(widths) / max(1.0, ax.bbox.width) + stub + 0.015))
    span = (k - 1) / (1.0 - sides[0] - sides[1])
    ax.set_xlim(1 - sides[0] * span, max(k + sides[1] * span, 1 + cd + 0.02 * span))
    return stub * span


def draw_cd_axis(canvas, fig, ax, k, geometry, metric_label):
    """The rank axis from 1 to k: a tick at each rank, numbered above (every other one, or
    fewer, where the numbers would touch), and the axis's label above the numbers."""
    fontsize = canvas.fs("label")
    line = dict(color="black", linewidth=canvas.lw(1.2), solid_capstyle="butt")
    ax.plot([1, k], [0, 0], **line)
    x0, x1 = ax.get_xlim()
    per_rank = ax.bbox.width / (x1 - x0) * 72.0 / fig.dpi  # points
    every = int(math.ceil((0.6 * fontsize * len(str(k)) + 0.5 * fontsize) / per_rank))
    for r in range(1, k + 1):
        ax.plot([r, r], [0, geometry["tick"] * 0.6], **line)
        if (r - 1) % every == 0:
            ax.text(r, geometry["tick"], str(r), ha="center", va="bottom", fontsize=fontsize)
    for r in range(1, k):  # half ranks: shorter ticks
        ax.plot([r + 0.5, r + 0.5], [0, geometry["tick"] * 0.3], **line)
    ax.text((1 + k) / 2.0, geometry["axis_label"], "mean rank of %s (1 = best)" % metric_label,
            ha="center", va="bottom", fontsize=fontsize)


def draw_cd_bar(canvas, ax, cd, geometry):
    """The critical difference as a bar from rank 1, labelled above."""
    y = geometry["cd"]
    line = dict(color="black", linewidth=canvas.lw(1.4), solid_capstyle="butt", clip_on=False)
    ax.plot([1, 1 + cd], [y, y], **line)
    for x in (1, 1 + cd):
        ax.plot([x, x], [y - 0.1, y + 0.1], **line)
    ax.text(1 + cd / 2.0, geometry["cd_text"], "CD = %.2f" % cd, ha="center", va="bottom",
            fontsize=canvas.fs("label"))


def draw_cd_lines(canvas, ax, rows, texts, stub, k, geometry):
    """Each activation's line from its mean rank on the axis down to its label's row and out to
    the side, its marker on the axis; places the labels at the lines' ends."""
    for (label, _, rank, left, row), text in zip(rows, texts):
        style = style_of(canvas.sweep, label)
        y = geometry["row0"] - row * geometry["step"]
        end = 1 - stub if left else k + stub
        ax.plot([rank, rank, end], [0, y, y], color=style["color"], linewidth=canvas.lw(1.3),
                solid_joinstyle="miter", zorder=2)
        ax.plot([rank], [0], linestyle="none", marker=style["marker"], color=style["color"],
                markersize=canvas.ms(6), zorder=4)
        text.set_position((end - stub * 0.25 if left else end + stub * 0.25, y))


def draw_cd_groups(canvas, ax, groups, geometry):
    """The Nemenyi groups: a thick bar below the axis over each group's mean ranks."""
    for i, (lo, hi) in enumerate(groups):
        y = geometry["group0"] - geometry["group_step"] * i
        ax.plot([lo - 0.04, hi + 0.04], [y, y], color="#222222", linewidth=canvas.lw(4.0),
                solid_capstyle="round", zorder=3)


def cd_figure(canvas, geometry, title):
    """The figure and its one axes, without frame or ticks (the diagram draws its own axis),
    as wide as the figure allows; on screen no taller than the rows need (a fixed 1500 x 900
    canvas), the diagram centred below the title."""
    lo, hi = geometry["bottom"], geometry["top"]
    fig, axes = canvas.new_figure(1, 1)
    if canvas.paper:  # a text line of 8 points is about half a unit
        fig.set_size_inches(canvas.width, max(1.25, 0.24 * (hi - lo) + 0.15))
    ax = axes[0][0]
    ax.set_xticks([])
    ax.set_yticks([])
    ax.patch.set_visible(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    canvas.suptitle(fig, title)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.06 if canvas.paper else 0.1)
    if not canvas.paper:
        inches = ax.bbox.height / fig.dpi
        if inches > (hi - lo) * 0.55:  # inches per row at most
            pad = (inches / 0.55 - (hi - lo)) / 2.0
            lo, hi = lo - pad, hi + pad
    ax.set_ylim(lo, hi)
    return fig, ax


def cd_skip_reason(comparison):
    if not isinstance(comparison, dict):
        return ("summary.json has no comparison (it needs two activations and two seeds at "
                "least)")
    if not finite(comparison["nemenyi"]["cd"]):
        return "the Nemenyi critical difference is not defined for this sweep (cd is null)"
    if ranked(comparison) is None:
        return "the comparison's mean ranks are missing or not finite"
    return None


def draw_critical_difference(canvas, name):
    comparison = canvas.sweep.summary.get("comparison")
    why = cd_skip_reason(comparison)
    if why:
        canvas.skip(name, why)
        return
    ordered = ranked(comparison)
    k, cd = len(ordered), float(comparison["nemenyi"]["cd"])
    groups = drawn_groups(comparison, dict(ordered))
    rows = label_rows(canvas, ordered)
    geometry = cd_geometry(rows, groups)
    title = cd_title(comparison, cd)
    fig, ax = cd_figure(canvas, geometry, title)
    texts = [ax.text(0, 0, text, ha="right" if left else "left", va="center",
                     fontsize=canvas.fs("label"), color=style_of(canvas.sweep, label)["color"],
                     linespacing=1.1) for label, text, _, left, _ in rows]
    stub = cd_xlim(fig, ax, rows, texts, k, cd)
    draw_cd_axis(canvas, fig, ax, k, geometry, comparison["metric_label"])
    draw_cd_bar(canvas, ax, cd, geometry)
    draw_cd_groups(canvas, ax, groups, geometry)
    draw_cd_lines(canvas, ax, rows, texts, stub, k, geometry)
    canvas.save(fig, name, title, cd_caption(comparison, cd, groups),
                "Critical-difference diagram (Dem\u0161ar): each activation's mean rank by %s over "
                "%s (%d blocks; 1 = best); Friedman %s; bar: the Nemenyi critical difference "
                "(CD = %.2f, \u03b1 = %g); thick bars join activations the test does not tell "
                "apart." % (comparison["metric_label"], comparison["block_text"],
                            comparison["blocks"], p_text(comparison["friedman"]["p_value"]), cd,
                            comparison["nemenyi"]["alpha"]))


def cd_title(comparison, cd):
    return ("Critical difference diagram: Friedman %s, Nemenyi CD = %.2f (\u03b1 = %g, %s)"
            % (p_text(comparison["friedman"]["p_value"]), cd, comparison["nemenyi"]["alpha"],
               comparison["block_text"]))


def cd_caption(comparison, cd, groups):
    friedman, nemenyi = comparison["friedman"], comparison["nemenyi"]
    best = "highest" if comparison["higher_is_better"] else "lowest"
    dropped = comparison["dropped"]
    return (
        "Demšar's critical-difference diagram over %s (%d blocks%s): within each block the "
        "activations are ranked by %s (rank 1: the %s; ties share their mean rank), and each "
        "activation's line meets the axis at its mean rank over the blocks. Friedman's test of "
        "equal mean ranks: \u03c7\u00b2 = %s, df = %s, %s; Iman and Davenport's F = %s, %s. The "
        "bar above the axis is the Nemenyi critical difference at \u03b1 = %g (CD = %.2f, q = %s): "
        "mean ranks further apart than it differ. %s"
        % (comparison["block_text"], comparison["blocks"],
           ", %d dropped for a missing value" % dropped if dropped else "",
           comparison["metric_label"], best, number_text(friedman["chi2"]),
           "n/a" if friedman["df"] is None else friedman["df"], p_text(friedman["p_value"]),
           number_text(friedman["f"]), p_text(friedman["f_p_value"]), nemenyi["alpha"], cd,
           number_text(nemenyi["q"], "%.3f"),
           "A thick bar below the axis joins activations the test does not tell apart (%d such "
           "group%s)." % (len(groups), "s" * (len(groups) != 1)) if groups else
           "Every two activations differ by more than the critical difference: no group."))


# -- tuning ---------------------------------------------------------------------------------------

def value_text(v):
    if isinstance(v, float):
        return "%g" % v
    return v if isinstance(v, str) else json.dumps(v)


def value_key(v):
    return json.dumps(v, sort_keys=True)


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class XAxis:
    """Where a value of the first tuned key goes on the panels' x axis: the number itself (on a
    log axis where the space is a log range, or a list of positive numbers spanning a factor of
    30 or more), or its position in the space's list of values."""

    def __init__(self, space):
        self.key = space["key"]
        self.values = list(space["values"])
        self.numeric = bool(self.values) and all(is_number(v) for v in self.values)
        positive = self.numeric and all(v > 0 for v in self.values)
        self.log = positive and (space.get("scale") == "log"
                                 or max(self.values) >= 30.0 * min(self.values))
        self.index = {value_key(v): i for i, v in enumerate(self.values)}

    def x(self, settings):
        """The x of a trial's settings, or None where it has no (known) value of the key."""
        if not isinstance(settings, dict) or self.key not in settings:
            return None
        v = settings[self.key]
        if self.numeric:
            return float(v) if is_number(v) else None
        return self.index.get(value_key(v))

    def label(self):
        return self.key + (" (log scale)" if self.log else "")

    def set_up(self, canvas, ax, ncols):
        if self.log:
            ax.set_xscale("log")
            if canvas.paper:  # plain numbers: superscripts would be smaller than 8 points
                ax.xaxis.set_major_formatter(canvas.ticker.FuncFormatter(lambda v, _: "%g" % v))
                ax.xaxis.set_minor_formatter(canvas.ticker.NullFormatter())
        elif not self.numeric:
            fontsize = canvas.fs("small")
            inches = (canvas.width * 0.85 if canvas.paper else FIGSIZE[0] * 0.6) / ncols
            chars = max(4, int(inches * 72.0 / len(self.values) / (0.55 * fontsize)))
            ax.set_xticks(range(len(self.values)))
            ax.set_xticklabels([wrap_value(value_text(v), chars) for v in self.values],
                               fontsize=fontsize)
            ax.set_xlim(-0.5, len(self.values) - 0.5)

    def turn_ticks_if_crowded(self, canvas, fig, axes):
        """Where the values' labels, side by side, would overlap: each on one line, upright."""
        if self.numeric:
            return
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        crowded = False
        for ax in axes:
            boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels()
                     if t.get_visible() and t.get_text()]
            crowded = crowded or any(a.x1 + 2 > b.x0 for a, b in zip(boxes, boxes[1:]))
        if crowded:
            for ax in axes:
                ax.set_xticks(range(len(self.values)))
                ax.set_xticklabels([value_text(v) for v in self.values], rotation=90,
                                   fontsize=canvas.fs("small"))


def wrap_value(text, chars):
    """A value's text in lines of at most `chars`, broken after _ - . / or a space where it is
    longer (a longer piece stays whole)."""
    lines = [""]
    for piece in re.findall(r"[^_\-./ ]*[_\-./ ]?", text):
        if lines[-1] and len(lines[-1] + piece) > chars:
            lines.append("")
        lines[-1] += piece
    return "\n".join(line.rstrip() for line in lines if line)


def rung_shade(colour, i, count):
    """A rung's colour: the activation's colour mixed with white, the last rung at full
    strength, the first at 40%."""
    from matplotlib.colors import to_rgb
    t = 1.0 if count <= 1 else 0.4 + 0.6 * i / (count - 1.0)
    return tuple(1.0 - t * (1.0 - c) for c in to_rgb(colour))


def rung_points(activation, rung, xaxis):
    """[(x, validation accuracy)] of the trials that reached a rung, by x."""
    points = []
    for trial in activation["trials"]:
        x = xaxis.x(trial["settings"])
        for entry in trial["rungs"]:
            if entry["rung"] == rung and x is not None and finite(entry["val_accuracy"]):
                points.append((x, float(entry["val_accuracy"])))
    return sorted(points)


def chosen_point(activation, xaxis):
    """(x, accuracy, value) of the chosen trial at the last rung it reached, or None."""
    trials = activation["trials"]
    chosen = activation.get("chosen")
    trial = next((t for t in trials if chosen and t["settings"] == chosen), None)
    index = activation.get("chosen_trial")
    if trial is None and isinstance(index, int) and 0 <= index < len(trials):
        trial = trials[index]
    if trial is None:
        return None
    x = xaxis.x(trial["settings"])
    done = [e for e in trial["rungs"] if finite(e["val_accuracy"])]
    if x is None or not done:
        return None
    last = max(done, key=lambda e: e["rung"])
    return x, float(last["val_accuracy"]), trial["settings"][xaxis.key]


def draw_tuning_panel(canvas, ax, activation, tuning, xaxis, lines):
    """One activation's trials, a series per rung, and its chosen setting; False when it has no
    value to show."""
    colour = style_of(canvas.sweep, activation["label"])["color"]
    rungs = tuning["rungs"]
    drawn = False
    for i, rung in enumerate(rungs):
        points = rung_points(activation, rung["rung"], xaxis)
        if not points:
            continue
        shade = rung_shade(colour, i, len(rungs))
        ax.plot([p[0] for p in points], [p[1] for p in points],
                linestyle="-" if lines else "none", color=shade, linewidth=canvas.lw(1.4),
                marker=RUNG_MARKERS[i % len(RUNG_MARKERS)], markersize=canvas.ms(5.5),
                markeredgecolor=colour, markeredgewidth=canvas.lw(0.8), zorder=2 + i)
        drawn = True
    chosen = chosen_point(activation, xaxis)
    if chosen is not None:
        x, y, value = chosen
        ax.plot([x], [y], linestyle="none", marker="*", markersize=canvas.ms(15),
                color=colour, markeredgecolor="black", markeredgewidth=canvas.lw(0.8),
                zorder=20, clip_on=False)
        ax.actbench_chosen = (x, y, value_text(value))
    return drawn


def annotate_chosen(canvas, ax):
    """The chosen setting's value beside its star, on the side with more room, broken into
    lines that fit there (the axes laid out)."""
    chosen = getattr(ax, "actbench_chosen", None)
    if chosen is None:
        return
    x, y, text = chosen
    fx = ax.transAxes.inverted().transform(ax.transData.transform((x, y)))[0]
    right = fx < 0.5
    room = (1.0 - fx if right else fx) * ax.bbox.width * 72.0 / ax.figure.dpi - canvas.ms(10)
    text = wrap_value(text, max(4, int(room / (0.6 * canvas.fs("small")))))
    ax.annotate(text, (x, y), xytext=(canvas.ms(8) if right else -canvas.ms(8), 0),
                textcoords="offset points", ha="left" if right else "right", va="center",
                fontsize=canvas.fs("small"), zorder=21,
                bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none",
                          alpha=0.7))


def tuning_legend(canvas, tuning):
    """The rungs (in grey: each panel draws them in its activation's colour) and the chosen
    setting's star."""
    from matplotlib.lines import Line2D
    handles, names = [], []
    rungs = tuning["rungs"]
    for i, rung in enumerate(rungs):
        handles.append(Line2D([], [], color=rung_shade(NEUTRAL, i, len(rungs)),
                              marker=RUNG_MARKERS[i % len(RUNG_MARKERS)],
                              markeredgecolor=NEUTRAL, markersize=canvas.ms(5.5),
                              linewidth=canvas.lw(1.4)))
        names.append("rung %d (%d epoch%s, %d trial%s)" % (
            rung["rung"], rung["epochs"], "s" * (rung["epochs"] != 1), rung["trials"],
            "s" * (rung["trials"] != 1)))
    handles.append(Line2D([], [], linestyle="none", marker="*", color=NEUTRAL,
                          markeredgecolor="black", markersize=canvas.ms(11)))
    names.append("chosen setting")
    title = ("successive halving, \u03b7 = %s" % value_text(tuning["eta"])
             if tuning["halving"] else None)
    return handles, names, title


def tuning_skip_reason(tuning):
    if not isinstance(tuning, dict):
        return "the sweep was not tuned (summary.json has no tuning)"
    if not tuning["space"] or not tuning["activations"]:
        return "the tuning searched no key, or no activation"
    return None


def label_tuning_axes(canvas, fig, axes, xaxis, nrows, ncols):
    count = len(axes)
    for i, ax in enumerate(axes):
        xaxis.set_up(canvas, ax, ncols)
        ax.grid(True, which="major", alpha=0.3)
        if i + ncols >= count:
            ax.set_xlabel(canvas.wrap(xaxis.label(), ncols, "label"), fontsize=canvas.fs("label"))
        if i % ncols == 0 and (nrows <= 2 or canvas.paper):
            ax.set_ylabel("validation%saccuracy (%%)" % ("\n" if nrows > 2 else " "),
                          fontsize=canvas.fs("label"))
    if nrows > 2 and not canvas.paper:  # on screen a label per row would not fit its height
        fig.supylabel("validation accuracy (%)", x=0.01, fontsize=canvas.fs("label"))


def draw_tuning(canvas, name):
    tuning = canvas.sweep.summary.get("tuning")
    why = tuning_skip_reason(tuning)
    if why:
        canvas.skip(name, why)
        return
    xaxis = XAxis(tuning["space"][0])
    order = {a["label"]: i for i, a in enumerate(canvas.sweep.activations)}
    activations = sorted(tuning["activations"], key=lambda a: order.get(a["label"], len(order)))
    fig, axes, nrows, ncols = canvas.facets(len(activations), sharex=True, sharey=True)
    drawn = False
    for ax, activation in zip(axes, activations):
        label = activation["label"]
        if draw_tuning_panel(canvas, ax, activation, tuning, xaxis, len(tuning["space"]) == 1):
            drawn = True
        else:
            ax.text(0.5, 0.5, "no value", transform=ax.transAxes, ha="center", va="center",
                    color="#777777", fontsize=canvas.fs("small"))
        ax.set_title(canvas.wrap(label, ncols), color=style_of(canvas.sweep, label)["color"],
                     fontsize=canvas.fs("panel"))
    if not drawn:
        canvas.skip(name, "no trial has a finite validation accuracy", fig)
        return
    label_tuning_axes(canvas, fig, axes, xaxis, nrows, ncols)
    lo, hi = axes[0].get_ylim()  # shared: room for the stars at the top
    axes[0].set_ylim(lo, hi + 0.06 * (hi - lo))
    title = tuning_title(tuning, xaxis)
    canvas.suptitle(fig, title, rows=nrows)
    canvas.outside_legend(fig, *tuning_legend(canvas, tuning))
    lay_out_ticks_and_values(canvas, fig, axes, xaxis)
    canvas.save(fig, name, title, tuning_caption(tuning, xaxis),
                "Hyperparameter search, a panel per activation: each trial's %s against %s, a "
                "series per rung%s; star: the setting chosen." % (
                    tuning["metric_label"], xaxis.key, " of successive halving (later rungs "
                    "darker)" if tuning["halving"] else ""))


def lay_out_ticks_and_values(canvas, fig, axes, xaxis):
    """With the panels at (about) their final size: the x tick labels turned where they would
    overlap, the chosen values written, and on screen the bottom margin made room for the
    labels (on paper the layout is fitted when the figure is saved)."""
    if canvas.paper:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fig.tight_layout(pad=0.25, h_pad=0.5, w_pad=0.5,
                             rect=(0, 0, 1, getattr(fig, "actbench_legend_top", 1.0)))
    xaxis.turn_ticks_if_crowded(canvas, fig, axes)
    for ax in axes:
        annotate_chosen(canvas, ax)
    if not canvas.paper:
        keep_bottom_labels_inside(fig, axes)


def keep_bottom_labels_inside(fig, axes):
    """Raises the axes' bottom edge (screen) where the x tick labels or the axis label would be
    cut off."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [ax.xaxis.get_tightbbox(renderer) for ax in axes]
    bottom = min([box.y0 for box in boxes if box is not None] or [6.0])
    if bottom < 6.0:
        fig.subplots_adjust(bottom=fig.subplotpars.bottom + (6.0 - bottom) / fig.bbox.height)


def tuning_title(tuning, xaxis):
    others = [s["key"] for s in tuning["space"][1:]]
    rungs = " at each rung" if len(tuning["rungs"]) > 1 else ""
    also = "; also tuned: %s (see actbench's tuning table)" % ", ".join(others) if others else ""
    return "Hyperparameter search: validation accuracy against %s%s%s" % (xaxis.key, rungs, also)


def tuning_caption(tuning, xaxis):
    rungs = "; ".join("rung %d: %d epoch%s, %d trial%s" % (
        r["rung"], r["epochs"], "s" * (r["epochs"] != 1), r["trials"], "s" * (r["trials"] != 1))
        for r in tuning["rungs"])
    space = "; ".join("%s: %s" % (s["key"], s["text"]) for s in tuning["space"])
    seeds = ", ".join(str(s) for s in tuning["seeds"])
    halving = ("successive halving with \u03b7 = %s (after each rung the best 1/\u03b7 of the "
               "trials go on to the next, trained longer): %s epochs trained in all, against %s "
               "for every trial trained as long as the last rung"
               % (value_text(tuning["eta"]), tuning["epochs_trained"],
                  tuning["epochs_full_grid"])
               if tuning["halving"] else
               "every trial trained as long (%s epochs in all)" % tuning["epochs_trained"])
    return (
        "Each activation's hyperparameter search before its runs (a panel per activation): each "
        "marker is a trial, at its value of %s (x), and its %s (y; tuning seed%s %s), one series "
        "per rung (%s), later rungs darker; %s. The star marks the setting chosen (the one the "
        "sweep's runs train with), labelled with its value of %s. The space: %s."
        % (xaxis.key, tuning["metric_label"], "s" * (len(tuning["seeds"]) != 1), seeds, rungs,
           halving, xaxis.key, space))
