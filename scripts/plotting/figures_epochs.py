"""The per-epoch figures -- the groups' train loss, test loss and test accuracy (one facet per
swept point), their learned activation parameters by epoch and hidden layer -- and the
activation curves (curves.json). Each draw_* function draws one entry of figures.FIGURES and
takes the figure's name from it."""
from .common import nan_if_null
from .figures_base import epochs_of
from .figures_layers import layer_count, layer_values

def draw_train_loss(canvas, name):
    epoch_metric(canvas, name, "train_loss", "cross-entropy loss (nats)", "Training loss by epoch",
                 "The mean training loss per epoch: the lower and the sooner it falls, the easier "
                 "the network trains.")


def draw_test_loss(canvas, name):
    epoch_metric(canvas, name, "test_loss", "cross-entropy loss (nats)", "Test loss by epoch",
                 "The test-set loss after each epoch: a curve that turns upward while the "
                 "training loss keeps falling is overfitting.")


def draw_test_accuracy(canvas, name):
    epoch_metric(canvas, name, "test_accuracy", "test accuracy (%)", "Test accuracy by epoch",
                 "Test accuracy after each epoch: compare where the curves level off.")


def plot_series(canvas, ax, series, style, order, count, band=True):
    """One group's per-epoch mean as a line with markers at a stride (offset by the activation's
    place in display order), with a mean +- std band where the std is given. Returns (the line,
    whether a band was drawn), or (None, False) when the series has no value."""
    x = epochs_of(series)
    mean = [nan_if_null(v) for v in series["mean"]]
    if all(m != m for m in mean):
        return None, False
    line, = ax.plot(x, mean, linewidth=canvas.lw(1.8), markersize=canvas.ms(5),
                    markevery=canvas.markevery(len(x), order, count), **style)
    std = [nan_if_null(v) for v in series["std"]]
    ok = [m == m and s == s for m, s in zip(mean, std)]
    if band and any(ok):
        lo = [m - s if good else 0.0 for m, s, good in zip(mean, std, ok)]
        hi = [m + s if good else 0.0 for m, s, good in zip(mean, std, ok)]
        ax.fill_between(x, lo, hi, where=ok, interpolate=False, color=style["color"],
                        alpha=0.15, linewidth=0)
        return line, True
    return line, False


def epoch_metric(canvas, name, metric, ylabel, title, caption):
    sweep = canvas.sweep
    if not sweep.has_series(metric):
        canvas.skip(name, "no run recorded %s" % metric)
        return
    points = sweep.points
    fig, axes, nrows, ncols = canvas.facets(len(points), sharex=True, sharey=True)
    max_epoch = 1
    diverged = {}
    labels = sweep.labels_in(sweep.groups)
    banded = False
    for point, ax in zip(points, axes):
        empty = []
        for g in point.groups:
            diverged[g["activation"]] = diverged.get(g["activation"], 0) + g["diverged"]
            series = g["series"].get(metric)
            line, band = (plot_series(canvas, ax, series, sweep.style(g["activation"]),
                                      labels.index(g["activation"]), len(labels))
                          if series else (None, False))
            banded = banded or band
            if line is None:
                empty.append(g["activation"])
            else:
                max_epoch = max(max_epoch, len(series["mean"]))
        if empty:
            ax.text(0.02, 0.03, "no value: " + ", ".join(empty), transform=ax.transAxes,
                    fontsize=canvas.fs("tiny"), color="#777777")
        if len(points) > 1:
            ax.set_title(canvas.wrap(point.text, ncols), fontsize=canvas.fs("panel")
                         if len(points) <= 4
                         else canvas.fs("tiny"))
        ax.grid(True, alpha=0.3)
    for i, ax in enumerate(axes):
        if i % ncols == 0:
            ax.set_ylabel(ylabel)
        if i + ncols >= len(axes):
            ax.set_xlabel("epoch")
    axes[0].xaxis.set_major_locator(canvas.ticker.MaxNLocator(integer=True))
    axes[0].set_xlim(0.8, max_epoch + 0.2)
    handles = [canvas.line_handle(label) for label in labels]
    names = [label + (" (%d diverged)" % diverged[label] if diverged.get(label) else "")
             for label in labels]
    seeds = sweep.summary["setup"]["seeds"]
    canvas.suptitle(fig, title, rows=nrows)
    # The band only where there was one: with one seed there is no spread to show.
    legend_title = ("mean over %s, band: \u00b11 std" % seeds) if banded else None
    canvas.outside_legend(fig, handles, names, title=legend_title)
    if banded:
        caption += (" Lines: the mean over the completed seeds (%s); bands: \u00b11 sample "
                    "standard deviation over them, so overlapping bands mean the seeds do not "
                    "separate the activations." % seeds)
    else:
        caption += " One run per line (%s): no band, no spread to show." % seeds
    canvas.save(fig, name, title, caption)


def learned_panels(sweep):
    """[(parameter name, point, [groups at the point that learn it])] in display order: the
    parameters in the order the groups first name them, each at every point where a group
    learns it."""
    names = []
    for g in sweep.groups:
        names.extend(n for n in g.get("learned", {}) if n not in names)
    panels = []
    for name in names:
        for point in sweep.points:
            groups = [g for g in point.groups if name in g.get("learned", {})]
            if groups:
                panels.append((name, point, groups))
    return panels


def layer_alpha(layer, layers):
    """learned_params tells the hidden layers apart by opacity: the first layer opaque, the last
    one faintest (each activation keeps its own colour, line style and marker)."""
    return 1.0 - 0.55 * layer / max(1, layers - 1)


def draw_learned_params(canvas, name):
    sweep = canvas.sweep
    panels = learned_panels(sweep)
    if not panels:
        canvas.skip(name, "no activation has learnable parameters (a formula's "
                    "learnable constants, PReLU's weight)")
        return
    fig, axes, nrows, ncols = canvas.facets(len(panels), sharex=True)
    several_points = len(set(point.index for _, point, _ in panels)) > 1
    labels = sweep.labels_in([g for _, _, groups in panels for g in groups])
    max_layers = max(layer_count(g["learned"][param]) for param, _, groups in panels
                     for g in groups)
    max_epoch = 1
    drawn = banded = False
    first_axes = {}  # a parameter's panels share their y axis: its values at each point compare
    for i, ((param, point, groups), ax) in enumerate(zip(panels, axes)):
        if param in first_axes:
            ax.sharey(first_axes[param])
        first_axes.setdefault(param, ax)
        lines = [(g, layer) for g in groups
                 for layer in range(layer_count(g["learned"][param]))]
        empty = True
        for order, (g, layer) in enumerate(lines):
            series = g["learned"][param]
            style = dict(sweep.style(g["activation"]), alpha=layer_alpha(layer, max_layers))
            line, band = plot_series(canvas, ax, {"mean": layer_values(series, layer),
                                                  "std": layer_values(series, layer, "std")},
                                     style, order, len(lines))
            if line is not None:
                drawn, empty = True, False
                banded = banded or band
                max_epoch = max(max_epoch, len(series["mean"]))
        if empty:
            ax.text(0.5, 0.5, "no value", transform=ax.transAxes, ha="center", va="center",
                    color="#777777", fontsize=canvas.fs("small"))
        title = param + (", " + point.text if several_points and point.text else "")
        ax.set_title(canvas.wrap(title, ncols), fontsize=canvas.fs("panel")
                     if len(panels) <= 4 else canvas.fs("tiny"))
        ax.grid(True, alpha=0.3)
        if i % ncols == 0:
            ax.set_ylabel("learned value")
        if i + ncols >= len(panels):
            ax.set_xlabel("epoch")
    if not drawn:
        canvas.skip(name, "no learned parameter has a value", fig)
        return
    axes[0].xaxis.set_major_locator(canvas.ticker.MaxNLocator(integer=True))
    axes[0].set_xlim(0.8, max_epoch + 0.2)
    from matplotlib.lines import Line2D
    handles = [canvas.line_handle(label) for label in labels]
    handles += [Line2D([], [], color="#333333", linewidth=canvas.lw(1.8),
                       alpha=layer_alpha(k, max_layers)) for k in range(max_layers)]
    names = labels + ["layer %d" % (k + 1) for k in range(max_layers)]
    seeds = sweep.summary["setup"]["seeds"]
    title = "Learned activation parameters by epoch, per hidden layer"
    canvas.suptitle(fig, title + (" (mean over seeds)" if banded else ""), rows=nrows)
    canvas.outside_legend(fig, handles, names, title=("mean over %s, band: \u00b11 std" % seeds)
                          if banded else None)
    caption = ("The activations' learned parameters (a formula's learnable constants, PReLU's "
               "weight) after each epoch, one panel per parameter%s: a line per activation and "
               "hidden layer, in the activation's colour, line style and marker, the layers told "
               "apart by opacity (1 = nearest the input, opaque; the deepest faintest); a line "
               "that moves away from where it started shows training reshaping the activation. "
               "A parameter learned per unit is averaged over the layer's units first."
               % (" and swept point" if several_points else ""))
    if banded:
        caption += (" Lines: the mean over the completed seeds (%s); bands: \u00b11 sample "
                    "standard deviation over them." % seeds)
    else:
        caption += " One run per line (%s): no band, no spread to show." % seeds
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


def draw_curves(canvas, name):
    sweep = canvas.sweep
    if sweep.curves is None:
        canvas.skip(name, "no curves file (write one with `actbench curves --out "
                    "DIR/curves.json`, or pass --curves FILE)")
        return
    chosen = matching_curves(sweep)
    if not chosen:
        canvas.skip(name, "%s has none of the sweep's activations" % sweep.curves_path)
        return
    x = [float(v) for v in sweep.curves["x"]]
    fig, axes = canvas.new_figure(1, 2)
    handles, labels = [], []
    count = len(chosen)
    for order, (style_label, entry) in enumerate(chosen):
        # Earlier activations a little wider, drawn first: one that lies on a later one (ReLU
        # under LeakyReLU(0.01)) shows around its dotted or dashed line; the markers are
        # staggered along x.
        width = canvas.lw(1.8 + 1.2 * (count - 1 - order) / max(1, count - 1))
        style = dict(sweep.style(style_label), linewidth=width, markersize=canvas.ms(5),
                     markevery=canvas.markevery(len(x), order, count))
        h, = axes[0][0].plot(x, [nan_if_null(v) for v in entry["y"]], **style)
        axes[0][1].plot(x, [nan_if_null(v) for v in entry["dy"]], **style)
        handles.append(h)
        formula = entry.get("formula")
        labels.append(entry["label"] + (": " + formula if isinstance(formula, str) and formula
                                        and not canvas.paper else ""))
    for ax, ylabel, sub in ((axes[0][0], "activation f(x)", "value"),
                            (axes[0][1], "derivative f\u2032(x)", "first derivative")):
        ax.set_xlabel(canvas.wrap("x (pre-activation input)", 2, "label"))
        ax.set_ylabel(ylabel)
        ax.set_title(sub, fontsize=canvas.fs("panel"))
        ax.axhline(0, color="#999999", linewidth=canvas.lw(0.8), zorder=0)
        ax.axvline(0, color="#999999", linewidth=canvas.lw(0.8), zorder=0)
        ax.grid(True, alpha=0.3)
    title = "Activation functions and their derivatives"
    canvas.suptitle(fig, title)
    canvas.outside_legend(fig, handles, labels)
    formulas = "; ".join("%s: %s" % (e["label"], e["formula"]) for _, e in chosen
                         if isinstance(e.get("formula"), str) and e["formula"])
    canvas.save(fig, name, title,
                "Each activation (left) and its derivative (right), from actbench curves: where "
                "the derivative is near zero, as in sigmoid's and tanh's flat tails, almost no "
                "gradient flows back through the unit.%s" % (
                    (" Formulas: " + formulas + ".") if formulas else ""))
