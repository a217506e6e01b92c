"""train_loss, test_loss, test_accuracy (groups' per-epoch series, one facet per swept point)
and curves (curves.json)."""
from .common import nan_if_null
from .figures_base import epochs_of

EPOCH_FIGURES = (
    ("train_loss", "train_loss", "cross-entropy loss (nats)", "Training loss by epoch",
     "The mean training loss per epoch: the lower and the sooner it falls, the easier the "
     "network trains; a wide band means the seeds disagree."),
    ("test_loss", "test_loss", "cross-entropy loss (nats)", "Test loss by epoch",
     "The test-set loss after each epoch: a curve that turns upward while the training loss "
     "keeps falling is overfitting."),
    ("test_accuracy", "test_accuracy", "test accuracy (%)", "Test accuracy by epoch",
     "Test accuracy after each epoch: compare where the curves level off; overlapping bands "
     "mean the seeds do not separate the activations."),
)


def draw_epoch_figures(canvas):
    for name, metric, ylabel, title, caption in EPOCH_FIGURES:
        epoch_metric(canvas, name, metric, ylabel, title, caption)


def plot_series(ax, series, style, band=True, **kw):
    """One group's per-epoch mean as a line, with a mean +- std band where the std is given.
    Returns the line, or None when the series has no value."""
    x = epochs_of(series)
    mean = [nan_if_null(v) for v in series["mean"]]
    if all(m != m for m in mean):
        return None
    line, = ax.plot(x, mean, linewidth=kw.pop("linewidth", 1.8), markersize=5,
                    markevery=max(1, len(x) // 12), **dict(style, **kw))
    std = [nan_if_null(v) for v in series["std"]]
    ok = [m == m and s == s for m, s in zip(mean, std)]
    if band and any(ok):
        lo = [m - s if good else 0.0 for m, s, good in zip(mean, std, ok)]
        hi = [m + s if good else 0.0 for m, s, good in zip(mean, std, ok)]
        ax.fill_between(x, lo, hi, where=ok, interpolate=False, color=style["color"],
                        alpha=0.15, linewidth=0)
    return line


def epoch_metric(canvas, name, metric, ylabel, title, caption):
    sweep = canvas.sweep
    if not sweep.has_series(metric):
        canvas.skip(name, "no run recorded %s" % metric)
        return
    points = sweep.points
    fig, axes, nrows, ncols = canvas.facets(len(points), sharex=True, sharey=True)
    max_epoch = 1
    diverged = {}
    for point, ax in zip(points, axes):
        empty = []
        for g in point.groups:
            diverged[g["activation"]] = diverged.get(g["activation"], 0) + g["diverged"]
            series = g["series"].get(metric)
            line = plot_series(ax, series, sweep.style(g["activation"])) if series else None
            if line is None:
                empty.append(g["activation"])
            else:
                max_epoch = max(max_epoch, len(series["mean"]))
        if empty:
            ax.text(0.02, 0.03, "no value: " + ", ".join(empty), transform=ax.transAxes,
                    fontsize=8, color="#777777")
        if len(points) > 1:
            ax.set_title(point.text, fontsize=10 if len(points) <= 4 else 8)
        ax.grid(True, alpha=0.3)
    for i, ax in enumerate(axes):
        if i % ncols == 0:
            ax.set_ylabel(ylabel)
        if i + ncols >= len(axes):
            ax.set_xlabel("epoch")
    axes[0].xaxis.set_major_locator(canvas.ticker.MaxNLocator(integer=True))
    axes[0].set_xlim(0.8, max_epoch + 0.2)
    labels = sweep.labels_in(sweep.groups)
    handles = [canvas.line_handle(label) for label in labels]
    names = [label + (" (%d diverged)" % diverged[label] if diverged.get(label) else "")
             for label in labels]
    if len(points) > 1:
        canvas.suptitle(fig, title, rows=nrows)
    else:
        axes[0].set_title(title)
    canvas.outside_legend(fig, handles, names, title="mean over seeds, band: \u00b11 std")
    canvas.save(fig, name, title, caption)


def matching_curves(sweep):
    """(style label, curves.json entry) for each of the sweep's activations that curves.json
    has: the entry with the same label, else the first with the same canonical name."""
    entries = sweep.curves["activations"]
    chosen = []
    used = set()
    for a in sweep.activations:
        match = next((e for e in entries if e["label"] == a["label"]), None)
        if match is None:
            match = next((e for e in entries if e["name"] == a["name"]), None)
        if match is not None and id(match) not in used:
            used.add(id(match))
            chosen.append((a["label"], match))
    return chosen


def draw_curves(canvas):
    sweep = canvas.sweep
    if sweep.curves is None:
        canvas.skip("curves", "no curves file (write one with `actbench curves --out "
                    "DIR/curves.json`, or pass --curves FILE)")
        return
    chosen = matching_curves(sweep)
    if not chosen:
        canvas.skip("curves", "%s has none of the sweep's activations" % sweep.curves_path)
        return
    x = [float(v) for v in sweep.curves["x"]]
    fig, axes = canvas.new_figure(1, 2)
    handles, labels = [], []
    for style_label, entry in chosen:
        style = dict(sweep.style(style_label), linewidth=1.8, markersize=4,
                     markevery=max(1, len(x) // 10))
        h, = axes[0][0].plot(x, [nan_if_null(v) for v in entry["y"]], **style)
        axes[0][1].plot(x, [nan_if_null(v) for v in entry["dy"]], **style)
        handles.append(h)
        formula = entry.get("formula")
        labels.append(entry["label"] + (": " + formula if isinstance(formula, str) and formula
                                        else ""))
    for ax, ylabel, sub in ((axes[0][0], "activation f(x)", "value"),
                            (axes[0][1], "derivative f\u2032(x)", "first derivative")):
        ax.set_xlabel("x (pre-activation input)")
        ax.set_ylabel(ylabel)
        ax.set_title(sub, fontsize=10)
        ax.axhline(0, color="#999999", linewidth=0.8)
        ax.axvline(0, color="#999999", linewidth=0.8)
        ax.grid(True, alpha=0.3)
    title = "Activation functions and their derivatives"
    canvas.suptitle(fig, title)
    canvas.outside_legend(fig, handles, labels)
    canvas.save(fig, "curves", title,
                "Each activation (left) and its derivative (right): where the derivative is "
                "near zero, as in sigmoid's and tanh's flat tails, almost no gradient flows back "
                "through the unit.")
