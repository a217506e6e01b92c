"""final_accuracy, paired_differences and seconds_per_epoch: one row per group or comparison
(display order), from the groups' estimates, the paired differences and the timing series."""
from .common import finite, number
from .figures_base import n_text
from .load import point_key


def interval(e, spread=None):
    """(mean, [[below], [above]]) of an estimate for errorbar: its 95% interval (ci95), or with
    a Spread of kind sd, ±1 standard deviation; the error None without one (a single seed);
    (None, None) without a mean."""
    if e is None or not finite(e["mean"]):
        return None, None
    mean = number(e["mean"])
    if spread is not None and spread.kind == "sd":
        sd = e.get("std")
        if not finite(sd) or not isinstance(e.get("n"), int) or e["n"] < 2:
            return mean, None
        return mean, [[number(sd)], [number(sd)]]
    if e["ci95"] is None:
        return mean, None
    lo, hi = e["ci95"]
    return mean, [[max(0.0, mean - lo)], [max(0.0, hi - mean)]]


def bar_words(canvas, groups):
    """What the bars of a per-group figure are (canvas.spread), or None with one seed."""
    if all(g["completed"] < 2 for g in groups):
        return None
    return canvas.spread.words


def interval_rows(canvas, ax, rows, fontsize, filled=None, spread=None):
    """Draws (label, tick text, estimate, text without a mean) rows top to bottom: the mean as
    the activation's marker (open where filled[i] is False), its interval (interval(): the 95%
    interval, or what `spread` says) as a bar; a row whose label is None is a heading (no
    marker). Returns the y of each row and the x extent drawn (None when nothing was)."""
    n = len(rows)
    ys = list(range(n))[::-1]
    lo, hi = [], []
    for i, (y, (label, _, e, missing)) in enumerate(zip(ys, rows)):
        if label is None:
            continue
        style = canvas.sweep.style(label)
        mean, err = interval(e, spread)
        if mean is None:
            ax.text(0.01, y, missing, transform=ax.get_yaxis_transform(),
                    va="center", fontsize=fontsize, color="#777777")
            continue
        face = style["color"] if filled is None or filled[i] else "white"
        ax.errorbar([mean], [y], xerr=err, fmt=style["marker"], color=style["color"],
                    ecolor=style["color"], markerfacecolor=face,
                    markeredgewidth=canvas.lw(1.5), elinewidth=canvas.lw(1.8),
                    capsize=canvas.ms(4), markersize=canvas.ms(7), zorder=3)
        lo.append(mean - (err[0][0] if err else 0.0))
        hi.append(mean + (err[1][0] if err else 0.0))
    ax.set_yticks(ys)
    ax.set_yticklabels([row[1] for row in rows], fontsize=fontsize)
    canvas.colour_ticklabels(ax, [row[0] for row in rows])
    for t, tick, row in zip(ax.get_yticklabels(), ax.yaxis.get_major_ticks(), rows):
        if row[0] is None:  # a heading: bold, no tick mark
            t.set_fontweight("bold")
            tick.tick1line.set_visible(False)
    ax.set_ylim(-0.7, n - 0.3)
    ax.grid(True, axis="x", alpha=0.3)
    return ys, ((min(lo), max(hi)) if lo else None)


def pad(ax, extent, minimum_span, include=None):
    lo, hi = extent
    if include is not None:
        lo, hi = min(lo, include), max(hi, include)
    span = max(hi - lo, minimum_span)
    ax.set_xlim(lo - 0.06 * span, hi + 0.06 * span)


def draw_final_accuracy(canvas, name):
    sweep = canvas.sweep
    if not sweep.groups:
        canvas.skip(name, "the summary has no groups")
        return
    summary = sweep.summary
    fig, axes = canvas.new_figure(1, 1, label_rows=len(sweep.groups))
    ax = axes[0][0]
    rows = [(g["activation"], g["name"], g["final_test_accuracy"], "no completed run")
            for g in sweep.groups]
    fontsize = canvas.row_fontsize(len(rows))
    ys, extent = interval_rows(canvas, ax, rows, fontsize, spread=canvas.spread)
    if extent:
        pad(ax, extent, 0.5)
    ax.set_xlabel("final test accuracy (%)")
    # The value as the table writes it, at the right of its row: outside the axes, clear of the
    # tick labels and of the axis label.
    canvas.right_texts(fig, ax, ys, [g["text"]["final_test_accuracy"] for g in sweep.groups],
                       colors=[sweep.style(g["activation"])["color"] for g in sweep.groups],
                       fontsize=fontsize)
    bars = bar_words(canvas, sweep.groups)
    title = ("Final test accuracy (mean over seeds, bars: %s)" % canvas.spread.short if bars
             else "Final test accuracy (one seed: no interval)")
    canvas.suptitle(fig, title)
    canvas.fit_left_margin(fig, [ax])
    canvas.save(fig, name, title,
                "Final test accuracy per activation and swept setting: the mean over the "
                "completed seeds (marker, %s)%s; at the right, the value as the ranking table "
                "writes it (%s).%s" % (
                    n_text(sweep.groups), " with %s (bar)" % bars if bars else ", no interval",
                    summary["spread_sentence"], " Overlapping intervals do not establish a "
                    "difference; the paired differences do." if bars else ""),
                "Final test accuracy per activation: mean over %s%s; at the right, as the "
                "table writes it (%s)." % (n_text(sweep.groups), "; bars: %s" % bars if bars
                                           else "", summary["spread_sentence"]))


# -- paired differences (forest plot) ------------------------------------------------------------

def difference_rows(sweep):
    """The rows of the forest plot, top to bottom: per point (a heading when there are several
    points), its comparisons in summary order. (label or None, tick text, estimate, missing
    text, difference or None)."""
    diffs = sweep.summary["differences"]
    rows = []
    by_point = {}
    for d in diffs:
        by_point.setdefault(point_key(d["point"]), []).append(d)
    several = len(by_point) > 1
    for p in sweep.points:
        members = by_point.get(point_key(p.values), [])
        if not members:
            continue
        if several:
            rows.append((None, p.text, None, "", None))
        for d in members:
            rows.append((d["activation"], ("  " if several else "") + d["activation"],
                         d["final_test_accuracy"], d["sentence"], d))
    return rows


def draw_paired_differences(canvas, name):
    sweep = canvas.sweep
    summary = sweep.summary
    diffs = summary["differences"]
    if not diffs:
        canvas.skip(name, "no paired differences (one activation, or no "
                    "baseline at any point)")
        return
    if not any(d["final_test_accuracy"] is not None
               and d["final_test_accuracy"]["ci95"] is not None for d in diffs):
        canvas.skip(name, "no comparison has two paired seeds: no interval and "
                    "no test (sweep train.seed for them)")
        return
    rows = difference_rows(sweep)
    significant = [d is not None and d["verdict"] in ("better", "worse")
                   for _, _, _, _, d in rows]
    fig, axes = canvas.new_figure(1, 1, label_rows=len(rows))
    ax = axes[0][0]
    fontsize = canvas.row_fontsize(len(rows))
    ys, extent = interval_rows(canvas, ax, [r[:4] for r in rows], fontsize, filled=significant)
    ax.axvline(0, color="#555555", linewidth=canvas.lw(1.0), zorder=1)
    if extent:
        pad(ax, extent, 0.2, include=0.0)
    baseline = summary["baseline"]
    ax.set_xlabel("difference from %s (test accuracy points)" % baseline)
    # The Holm-adjusted p of each comparison at its row's right, in bold where significant.
    texts = canvas.right_texts(fig, ax, [y for y, r in zip(ys, rows) if r[4] is not None],
                               [r[4]["text"]["holm"] for r in rows if r[4] is not None],
                               fontsize=fontsize)
    for t, sig in zip(texts, [s for s, r in zip(significant, rows) if r[4] is not None]):
        if sig:
            t.set_fontweight("bold")
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], linestyle="none", marker="o", color="#444444",
                      markersize=canvas.ms(7)),
               Line2D([], [], linestyle="none", marker="o", color="#444444",
                      markerfacecolor="white", markersize=canvas.ms(7),
                      markeredgewidth=canvas.lw(1.5))]
    names = ["Holm-adjusted p < 0.05", "not significant"]
    title = "Paired differences in final test accuracy against %s" % baseline
    canvas.suptitle(fig, title)
    canvas.outside_legend(fig, handles, names, title="paired t-test")
    canvas.fit_left_margin(fig, [ax])
    ns = sorted(set(d["tests"]["n"] for d in diffs))
    pairs = ("n = %d seeds" % ns[0]) if len(ns) == 1 else ("n = %d to %d seeds" % (ns[0], ns[-1]))
    comparisons = max(d["tests"].get("comparisons", 0) for d in diffs)
    canvas.save(fig, name, title,
                "Each comparison's mean paired difference in final test accuracy (activation "
                "minus %s at the same seeds: the same initial weights and batches), with the 95%% "
                "confidence interval of the mean difference (bar; Student's t over %s). Filled "
                "markers: significant by the paired t-test at the 5%% level after Holm's "
                "adjustment over the %d comparisons of the sweep (verdict better or worse); open: "
                "no detectable difference. At each row's right, the Holm-adjusted p-value. An "
                "interval that excludes the line at 0 is a difference the seeds "
                "resolve." % (baseline, pairs, comparisons),
                "Paired differences in final test accuracy against %s (same seeds; %s): mean "
                "difference with its 95%% confidence interval (Student's t); filled: Holm-adjusted "
                "p < 0.05 over the %d comparisons (paired t-test); at the right, Holm's p."
                % (baseline, pairs.replace("seeds", "pairs").replace("seed", "pair"),
                   comparisons))


# -- seconds per epoch ---------------------------------------------------------------------------

PHASES = (("forward_seconds", "forward (with the loss)", "#4c4c4c", ""),
          ("backward_seconds", "backward", "#7f7f7f", "//"),
          ("optimizer_seconds", "optimizer", "#a6a6a6", "\\\\"),
          (None, "other training (batching, bookkeeping)", "#cccccc", ""),
          ("test_seconds", "test evaluation", "#e6e6e6", "xx"))


def epoch_split(g):
    """Mean seconds per epoch in each phase (PHASES order; summary.json's phase_seconds), or None
    without the split: 'other training' is train_seconds less the three timed phases."""
    values = {}
    for key in ("forward_seconds", "backward_seconds", "optimizer_seconds", "train_seconds",
                "test_seconds"):
        e = g["phase_seconds"][key[:-len("_seconds")]]
        v = e["mean"] if e else None
        if not finite(v):
            return None
        values[key] = float(v)
    timed = values["forward_seconds"] + values["backward_seconds"] + values["optimizer_seconds"]
    return [values[key] if key else max(0.0, values["train_seconds"] - timed)
            for key, _, _, _ in PHASES]


def draw_seconds_per_epoch(canvas, name):
    sweep = canvas.sweep
    groups = [g for g in sweep.groups if g["completed"] > 0]
    if not groups:
        canvas.skip(name, "no completed run")
        return
    splits = [epoch_split(g) for g in groups]
    stacked = all(s is not None for s in splits)
    bars = bar_words(canvas, groups)
    fig, axes = canvas.new_figure(label_rows=len(groups))
    ax = axes[0][0]
    n = len(groups)
    fontsize = canvas.row_fontsize(n)
    ys = list(range(n))[::-1]
    handles, names = [], []
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    right = 0.0
    if stacked:
        for i, (_, phase, colour, hatch) in enumerate(PHASES):
            left = [sum(s[:i]) for s in splits]
            width = [s[i] for s in splits]
            ax.barh(ys, width, left=left, height=0.7, color=colour, hatch=hatch,
                    edgecolor="white", linewidth=canvas.lw(0.6))
            if any(w > 0 for w in width):
                handles.append(Patch(facecolor=colour, hatch=hatch, edgecolor="white"))
                names.append(phase)
        right = max(sum(s) for s in splits)
    for y, g in zip(ys, groups):
        style = sweep.style(g["activation"])
        mean, err = interval(g["seconds_per_epoch"], canvas.spread)
        if mean is None:
            continue
        if stacked:
            ax.errorbar([mean], [y], xerr=err, fmt=style["marker"], color=style["color"],
                        markeredgecolor="black", ecolor="black", elinewidth=canvas.lw(1.4),
                        capsize=canvas.ms(4), markersize=canvas.ms(7))
        else:
            ax.barh([y], [mean], height=0.7, color=style["color"])
            if err:
                ax.errorbar([mean], [y], xerr=err, fmt="none", ecolor="#333333",
                            capsize=canvas.ms(3))
        right = max(right, mean + (err[1][0] if err else 0.0))
    if stacked:
        handles.append(Line2D([], [], linestyle="none", marker="o", color="#777777",
                              markeredgecolor="black", markersize=canvas.ms(7)))
        names.append("mean over all epochs and seeds" + (",\nbar: %s" % canvas.spread.short
                                                          if bars else ""))
        title = "Seconds per epoch: the mean epoch split into phases"
    else:
        title = "Seconds per epoch (mean over seeds%s; the phases were not timed)" % (
            ", bars: %s" % canvas.spread.short if bars else "")
    ax.set_xlim(0, right * 1.08 if right > 0 else 1.0)
    ax.set_yticks(ys)
    # Timings of runs taken from the run store were measured when another sweep trained them.
    stored = [g.get("timing", {}).get("from_store", False) for g in groups]
    ax.set_yticklabels([g["name"] + (" (stored)" if s else "") for g, s in zip(groups, stored)],
                       fontsize=fontsize)
    canvas.colour_ticklabels(ax, [g["activation"] for g in groups])
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel("seconds per epoch (s)")
    canvas.suptitle(fig, title)
    ax.grid(True, axis="x", alpha=0.3)
    canvas.outside_legend(fig, handles, names,
                          title="phase (mean over epochs and seeds)" if stacked else None)
    canvas.fit_left_margin(fig, [ax])
    over = ", %s" % bars if bars else ""
    note = sweep.summary.get("timing_note", "").replace("\u2020 ", "(stored): ")
    note = " " + note.replace("s/epoch", "Seconds per epoch", 1) + "." if note else ""
    canvas.save(fig, name, title,
                "Wall-clock time per epoch for each activation and setting%s: shows what an "
                "activation costs and where the time goes."
                % (", the mean epoch split into forward, backward, optimizer, other training and "
                   "test (bars; means over epochs and seeds) beside the mean over all epochs "
                   "(markers; %s%s)" % (n_text(groups), over) if stacked
                   else " (%s%s)" % (n_text(groups), over)) + note,
                "Seconds per epoch per activation%s; markers: mean over epochs and %s%s.%s"
                % (", split into forward, backward, optimizer, other training and test (bars)"
                   if stacked else "", n_text(groups), "; whiskers: " + bars if bars else "",
                   note))
