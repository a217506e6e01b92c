"""final_accuracy and seconds_per_epoch: one row per group (display order), from the groups'
estimates, the paired differences and the timing series."""
from .common import finite
from .figures_base import row_fontsize


def interval(e):
    """(mean, [[below], [above]]) of an estimate for errorbar; the error None without an
    interval; (None, None) without a mean."""
    if e is None or not finite(e["mean"]):
        return None, None
    if e["ci95"] is None:
        return e["mean"], None
    lo, hi = e["ci95"]
    return e["mean"], [[max(0.0, e["mean"] - lo)], [max(0.0, hi - e["mean"])]]


def interval_rows(canvas, ax, rows, fontsize):
    """Draws (label, tick text, estimate, text without a mean) rows top to bottom: the mean as
    the activation's marker, the 95% interval as a bar. Returns the x extent drawn, or None."""
    n = len(rows)
    ys = list(range(n))[::-1]
    lo, hi = [], []
    for y, (label, _, e, missing) in zip(ys, rows):
        style = canvas.sweep.style(label)
        mean, err = interval(e)
        if mean is None:
            ax.text(0.01, y, missing, transform=ax.get_yaxis_transform(),
                    va="center", fontsize=fontsize, color="#777777")
            continue
        ax.errorbar([mean], [y], xerr=err, fmt=style["marker"], color=style["color"],
                    ecolor=style["color"], elinewidth=1.8, capsize=4, markersize=6)
        lo.append(mean - (err[0][0] if err else 0.0))
        hi.append(mean + (err[1][0] if err else 0.0))
    ax.set_yticks(ys)
    ax.set_yticklabels([row[1] for row in rows], fontsize=fontsize)
    canvas.colour_ticklabels(ax, [row[0] for row in rows])
    ax.set_ylim(-0.7, n - 0.3)
    ax.grid(True, axis="x", alpha=0.3)
    if not lo:
        return None
    return min(lo), max(hi)


def pad(ax, extent, minimum_span, include=None):
    lo, hi = extent
    if include is not None:
        lo, hi = min(lo, include), max(hi, include)
    span = max(hi - lo, minimum_span)
    ax.set_xlim(lo - 0.06 * span, hi + 0.06 * span)


def draw_final_accuracy(canvas):
    sweep = canvas.sweep
    if not sweep.groups:
        canvas.skip("final_accuracy", "the summary has no groups")
        return
    diffs = sweep.summary["differences"]
    fig, axes = canvas.new_figure(1, 2 if diffs else 1)
    rows = [(g["activation"], "%s  %s" % (g["name"], g["text"]["final_test_accuracy"]),
             g["final_test_accuracy"], "no completed run") for g in sweep.groups]
    left = axes[0][0]
    fontsize = row_fontsize(max(len(rows), len(diffs)))
    extent = interval_rows(canvas, left, rows, fontsize)
    if extent:
        pad(left, extent, 0.5)
    left.set_xlabel("final test accuracy (%)")
    left.set_title("final test accuracy, mean and 95% interval", fontsize=10)
    panels = [left]
    if diffs:
        right = axes[0][1]
        drows = [(d["activation"], d["name"], d["final_test_accuracy"], d["sentence"])
                 for d in diffs]
        extent = interval_rows(canvas, right, drows, fontsize)
        right.axvline(0, color="#555555", linewidth=1.0)
        if extent:
            pad(right, extent, 0.2, include=0.0)
        right.set_xlabel("difference in points (same seeds)")
        right.set_title("paired difference against %s" % sweep.summary["baseline"], fontsize=10)
        panels.append(right)
    title = "Final test accuracy (mean over seeds, 95% confidence interval)"
    canvas.suptitle(fig, title)
    fig.subplots_adjust(right=0.97)
    canvas.fit_left_margin(fig, panels, right=0.97)
    canvas.save(fig, "final_accuracy", title,
                "Final test accuracy per activation and swept setting with its 95% interval "
                "over seeds (left) and, where there is a baseline, the paired difference against "
                "it at the same seeds (right): overlapping intervals on the left do not establish "
                "a difference; an interval on the right that excludes 0 does.")


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


def draw_seconds_per_epoch(canvas):
    sweep = canvas.sweep
    groups = [g for g in sweep.groups if g["completed"] > 0]
    if not groups:
        canvas.skip("seconds_per_epoch", "no completed run")
        return
    splits = [epoch_split(g) for g in groups]
    stacked = all(s is not None for s in splits)
    fig, axes = canvas.new_figure()
    ax = axes[0][0]
    n = len(groups)
    fontsize = row_fontsize(n)
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
                    edgecolor="white", linewidth=0.6)
            if any(w > 0 for w in width):
                handles.append(Patch(facecolor=colour, hatch=hatch, edgecolor="white"))
                names.append(phase)
        right = max(sum(s) for s in splits)
    for y, g in zip(ys, groups):
        style = sweep.style(g["activation"])
        mean, err = interval(g["seconds_per_epoch"])
        if mean is None:
            continue
        if stacked:
            ax.errorbar([mean], [y], xerr=err, fmt=style["marker"], color=style["color"],
                        markeredgecolor="black", ecolor="black", elinewidth=1.4, capsize=4,
                        markersize=7)
        else:
            ax.barh([y], [mean], height=0.7, color=style["color"])
            if err:
                ax.errorbar([mean], [y], xerr=err, fmt="none", ecolor="#333333", capsize=3)
        right = max(right, mean + (err[1][0] if err else 0.0))
    if stacked:
        handles.append(Line2D([], [], linestyle="none", marker="o", color="#777777",
                              markeredgecolor="black", markersize=7))
        names.append("mean over all epochs and seeds,\nbar: 95% interval")
        title = "Seconds per epoch: the mean epoch split into phases"
    else:
        title = "Seconds per epoch (mean over seeds, 95% interval; the phases were not timed)"
    ax.set_xlim(0, right * 1.08 if right > 0 else 1.0)
    ax.set_yticks(ys)
    ax.set_yticklabels([g["name"] for g in groups], fontsize=fontsize)
    canvas.colour_ticklabels(ax, [g["activation"] for g in groups])
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel("seconds per epoch (s)")
    ax.set_title(title, fontsize=11)
    ax.grid(True, axis="x", alpha=0.3)
    canvas.outside_legend(fig, handles, names, title="phase (mean over epochs and seeds)" if stacked else None)
    canvas.fit_left_margin(fig, [ax])
    canvas.save(fig, "seconds_per_epoch", title,
                "Wall-clock time per epoch for each activation and setting%s: shows what an "
                "activation costs and where the time goes."
                % (", the last epoch split into forward, backward, optimizer, other training and "
                   "test (bars; means over seeds) beside the mean over all epochs with its 95% "
                   "interval (markers)" if stacked else ", with its 95% interval over seeds"))
