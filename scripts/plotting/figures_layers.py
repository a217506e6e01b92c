"""gradient_norms, gradient_vs_depth and dead_saturated: the per-layer diagnostics, from the
groups' series (grad_norm, dead, saturated) and initial_grad_norm."""
import json

from .common import finite, nan_if_null, number
from .figures_base import chosen_points, epochs_of, group_n, n_text

MAX_ROW = 6  # the most activations gradient_norms shows side by side in a row per point
LAYER_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")  # one per layer, for grey scale


def layer_values(series, layer, stat="mean"):
    """One layer's per-epoch values of a per-layer series (NaN where missing)."""
    return [nan_if_null(e[layer]) if isinstance(e, list) and layer < len(e) else float("nan")
            for e in series[stat]]


def layer_count(series):
    return max([len(e) for e in series["mean"] if isinstance(e, list)] or [0])


def last_entry(series, stat="mean"):
    """The last epoch's per-layer list of a per-layer series, or []."""
    entries = series[stat]
    return entries[-1] if entries and isinstance(entries[-1], list) else []


def group_at(point, label):
    return next((g for g in point.groups if g["activation"] == label), None)


# -- gradient norms per layer --------------------------------------------------------------------

def draw_gradient_norms(canvas, name):
    sweep = canvas.sweep
    if not sweep.has_series("grad_norm"):
        canvas.skip(name, "the runs carry no diagnostics (train.diagnostics)")
        return
    labels = sweep.labels_in(sweep.groups)
    # A row of panels per point (two at most) when the activations fit in a row, else one grid
    # of panels at the first point.
    points, note = chosen_points(sweep, 2 if len(labels) <= MAX_ROW else 1)
    panels = [(p, label) for p in points for label in labels]
    if len(points) == 1:
        fig, axes, nrows, ncols = canvas.facets(len(panels), sharex=True, sharey=True)
    else:
        fig, grid = canvas.new_figure(len(points), len(labels), sharex=True, sharey=True)
        nrows, ncols = len(points), len(labels)
        axes = [ax for row in grid for ax in row]
        if not canvas.paper:
            fig.subplots_adjust(hspace=0.5)
    max_layers = max([layer_count(g["series"]["grad_norm"]) for g in sweep.groups
                      if "grad_norm" in g["series"]] or [1])
    cmap = canvas.plt.get_cmap("viridis")
    handles = {}
    drawn = False
    for i, ((point, label), ax) in enumerate(zip(panels, axes)):
        g = group_at(point, label)
        series = g["series"].get("grad_norm") if g else None
        for layer in range(layer_count(series) if series else 0):
            values = [v if v > 0 else float("nan") for v in layer_values(series, layer)]
            if all(v != v for v in values):
                continue
            colour = cmap(0.85 * layer / max(1, max_layers - 1))
            h, = ax.plot(epochs_of(series), values, color=colour, linewidth=canvas.lw(1.8),
                         marker=LAYER_MARKERS[layer % len(LAYER_MARKERS)],
                         markersize=canvas.ms(4),
                         markevery=canvas.markevery(len(values), layer, max_layers))
            handles.setdefault(layer, h)
            drawn = True
        if series is None:
            ax.text(0.5, 0.5, "no value", transform=ax.transAxes, ha="center", va="center",
                    color="#777777", fontsize=canvas.fs("small"))
        title = canvas.wrap(label if len(points) == 1 else "%s\n%s" % (label, point.text), ncols)
        ax.set_title(title, color=sweep.style(label)["color"],
                     fontsize=canvas.fs("panel") if len(panels) <= 3 else
                     canvas.fs("small") if len(panels) <= 8 else canvas.fs("tiny"))
        ax.grid(True, which="both", alpha=0.25)
        ax.xaxis.set_major_locator(canvas.ticker.MaxNLocator(integer=True,
                                                             nbins=max(3, 8 - ncols)))
        if i + ncols >= len(panels):
            ax.set_xlabel("epoch")
        if i % ncols == 0 and nrows <= 2:
            ax.set_ylabel("L2 norm of dL/dW (log)")
    if not drawn:
        canvas.skip(name, "no positive gradient norms in the series", fig)
        return
    for ax in axes:
        canvas.log_y(ax, small=nrows > 1)
    if nrows > 2:  # one label, on the middle row's first panel (a supylabel meets the ticks)
        axes[ncols * (nrows // 2)].set_ylabel("L2 norm of dL/dW (log scale)")
    title = "Weight-gradient norm per Linear layer (mean over seeds)" + note
    canvas.suptitle(fig, title, rows=nrows)
    layers = sorted(handles)
    canvas.outside_legend(fig, [handles[k] for k in layers],
                          ["layer %d" % (k + 1) for k in layers],
                          title="Linear layer\n(1 = input, last = output)")
    canvas.save(fig, name, title,
                "The mean L2 norm of each Linear layer's weight gradient per epoch (log scale): "
                "layers whose line sits orders of magnitude below the output layer's receive "
                "almost no gradient, the signature of vanishing gradients. Lines: the mean over "
                "the completed seeds (%s); a colour and a marker per layer."
                % n_text(sweep.groups),
                "Weight-gradient L2 norm per Linear layer by epoch (log scale), a panel per "
                "activation%s; mean over %s, a colour and a marker per layer (1 = input)."
                % (note, n_text(sweep.groups)))


# -- gradient vs depth ---------------------------------------------------------------------------

def depth_rows(sweep):
    """[(row text, {label: {depth: group}})]: the groups by their swept values other than
    model.hidden (one row each, in display order), then by activation and depth."""
    rows, index = [], {}
    other_keys = [k for k in sweep.summary["axes"] if k not in ("model.hidden", "train.seed")]
    for g in sweep.groups:
        hidden = g["point"].get("model.hidden")
        if not isinstance(hidden, list):
            continue
        rest = {k: v for k, v in g["point"].items() if k != "model.hidden"}
        key = json.dumps(rest, sort_keys=True)
        if key not in index:
            index[key] = len(rows)
            rows.append((" ".join(g["point_parts"][k] for k in other_keys
                                  if k in g["point_parts"]), {}))
        rows[index[key]][1].setdefault(g["activation"], {})[len(hidden)] = g
    return rows


def initial_input_norm(g):
    igm = g["initial_grad_norm"]
    if igm is None or not igm["mean"]:
        return None, None
    return igm["mean"][0], igm["std"][0] if igm["std"] else None


def last_epoch_input_norm(g):
    series = g["series"].get("grad_norm")
    if series is None:
        return None, None
    mean, std = last_entry(series), last_entry(series, "std")
    return (mean[0] if mean else None), (std[0] if std else None)


MOMENTS = (("at the first step (initial weights)", initial_input_norm),
           ("mean over the last epoch", last_epoch_input_norm))


def draw_gradient_vs_depth(canvas, name):
    sweep = canvas.sweep
    if "model.hidden" not in sweep.summary["axes"]:
        canvas.skip(name, "model.hidden is not swept")
        return
    depths = sorted(set(len(g["point"]["model.hidden"]) for g in sweep.groups
                        if isinstance(g["point"].get("model.hidden"), list)))
    if len(depths) < 2:
        canvas.skip(name, "the swept model.hidden values do not differ in depth "
                    "(number of hidden layers)")
        return
    rows = depth_rows(sweep)
    moments = [m for m in MOMENTS
               if any(finite(m[1](g)[0]) for g in sweep.groups)]
    if not moments:
        canvas.skip(name, "no input-layer gradient norms (train.diagnostics)")
        return
    fig, grid = canvas.new_figure(len(rows), len(moments), sharey=True, sharex=True)
    labels = sweep.labels_in(sweep.groups)
    drawn = set()
    bars = False  # any spread to show (several seeds)
    for r, (row_text, by_label) in enumerate(rows):
        for c, (when, get) in enumerate(moments):
            ax = grid[r][c]
            for order, label in enumerate(labels):
                xs, ys, lower, upper = [], [], [], []
                for depth in sorted(by_label.get(label, {})):
                    g = by_label[label][depth]
                    mean, std = get(g)
                    if not finite(mean) or mean <= 0:
                        continue
                    xs.append(depth)
                    ys.append(mean)
                    s = canvas.spread.half(number(std) if finite(std) else None, group_n(g))
                    s = s if s == s else 0.0
                    bars = bars or s > 0
                    lower.append(s if mean - s > 0 else 0.0)  # a log axis has no room below 0
                    upper.append(s)
                if xs:
                    # Earlier activations get wider lines and larger markers, so one that lies
                    # on another (ReLU under LeakyReLU(0.01)) still shows.
                    width = max(1.4, 3.4 - 0.6 * order)
                    ax.errorbar(xs, ys, yerr=[lower, upper], linewidth=canvas.lw(width),
                                markersize=canvas.ms(width + 3.5), capsize=canvas.ms(3),
                                elinewidth=canvas.lw(1.0), **sweep.style(label))
                    drawn.add(label)
            ax.set_xticks(depths)
            ax.set_title(canvas.wrap(when + ("\n" + row_text if len(rows) > 1 and row_text
                                             else ""), len(moments)),
                         fontsize=canvas.fs("panel") if len(rows) == 1 else canvas.fs("tiny"))
            ax.grid(True, which="both", alpha=0.25)
            if r == len(rows) - 1:
                ax.set_xlabel(canvas.wrap("number of hidden layers", len(moments), "label"))
                ax.tick_params(labelbottom=True)
            if c == 0:
                ax.set_ylabel(canvas.wrap("input layer's L2 norm of dL/dW", 1, "label"))
    if not drawn:
        canvas.skip(name, "no positive input-layer gradient norms", fig)
        return
    for row in grid:
        for ax in row:
            canvas.log_y(ax, small=len(rows) > 1)
    if len(rows) > 1 and not canvas.paper:
        fig.subplots_adjust(hspace=0.6)
    title = "Input-layer gradient norm against depth"
    canvas.suptitle(fig, title + (" (mean over seeds, bars: %s)" % canvas.spread.short
                                  if bars else ""), rows=len(rows))
    shown = [label for label in labels if label in drawn]
    canvas.outside_legend(fig, [canvas.line_handle(label) for label in shown], shown,
                          title="activation")
    canvas.save(fig, name, title,
                "The input layer's weight-gradient norm against the number of hidden layers "
                "(log scale), at the first step (what the initialisation lets through) and over "
                "the last epoch (after training): a line that falls steeply with depth shows the "
                "gradient vanishing on its way back to the input. Markers: the mean over the "
                "completed seeds (%s)%s." % (n_text(sweep.groups),
                                             "; bars: %s (the lower one left out where it would "
                                             "reach 0)" % canvas.spread.words if bars else ""),
                "The input layer's weight-gradient norm against the number of hidden layers (log "
                "scale), at the first step and over the last epoch; mean over %s%s."
                % (n_text(sweep.groups), "; bars: " + canvas.spread.words if bars else ""))


# -- dead and saturated units --------------------------------------------------------------------

def draw_dead_saturated(canvas, name):
    sweep = canvas.sweep
    if not (sweep.has_series("dead") or sweep.has_series("saturated")):
        canvas.skip(name, "the runs carry no diagnostics (train.diagnostics)")
        return
    points, note = chosen_points(sweep, 2)
    fig, grid = canvas.new_figure(len(points), 2)
    labels = sweep.labels_in(sweep.groups)
    width = 0.8 / max(1, len(labels))
    drawn = False
    bars = False  # any spread to show (several seeds)
    for r, point in enumerate(points):
        for ax, key, sub in ((grid[r][0], "dead", "dead: derivative 0 on every test example"),
                             (grid[r][1], "saturated",
                              "saturated: output within 5% of a bound")):
            layers = 0
            top = 0.0
            for li, label in enumerate(labels):
                g = group_at(point, label)
                series = g["series"].get(key) if g else None
                if series is None:
                    continue
                mean, std = last_entry(series), last_entry(series, "std")
                layers = max(layers, len(mean))
                xs, ys, errs = [], [], []
                for layer, m in enumerate(mean):
                    if finite(m):
                        xs.append(layer + 1 + (li - (len(labels) - 1) / 2.0) * width)
                        ys.append(100.0 * m)
                        s = std[layer] if layer < len(std) else None
                        half = canvas.spread.half(number(s) if finite(s) else None, group_n(g))
                        errs.append(100.0 * half if half == half else 0.0)
                if xs:
                    style = sweep.style(label)
                    bars = bars or any(e > 0 for e in errs)
                    ax.bar(xs, ys, width=width * 0.95, color=style["color"],
                           edgecolor="white", linewidth=canvas.lw(0.5),
                           yerr=errs if any(e > 0 for e in errs) else None,
                           capsize=canvas.ms(2),
                           error_kw={"elinewidth": canvas.lw(0.8), "ecolor": "#333333"})
                    # The activation's marker on every bar, at its top: bars are told apart in
                    # grey scale, and a bar of height 0 still shows (a marker on the axis).
                    ax.plot(xs, ys, linestyle="none", marker=style["marker"],
                            color=style["color"], markeredgecolor="black",
                            markeredgewidth=canvas.lw(0.6), markersize=canvas.ms(6),
                            clip_on=False, zorder=4)
                    top = max([top] + [y + e for y, e in zip(ys, errs)])
                    drawn = True
            ax.set_xticks(range(1, layers + 1))
            ax.set_ylim(0, max(1.0, top) * 1.08)  # room above the highest marker
            ax.set_ylabel("% of the layer" if key == "dead" else "% of example \u00d7 unit",
                          fontsize=canvas.fs("small"))
            ax.set_title(canvas.wrap(sub + ("\n" + point.text if len(points) > 1 else ""), 2,
                                     "small"), fontsize=canvas.fs("small"))
            ax.grid(True, axis="y", alpha=0.3)
            if r == len(points) - 1:
                ax.set_xlabel(canvas.wrap("hidden layer (1 = nearest the input)", 2, "label"))
    if not drawn:
        canvas.skip(name, "no dead/saturated fractions in the series", fig)
        return
    if len(points) > 1 and not canvas.paper:
        fig.subplots_adjust(hspace=0.7)
    title = ("Dead and saturated units after the last epoch (mean over seeds%s)"
             % (", whiskers: " + canvas.spread.short if bars else "")) + note
    canvas.suptitle(fig, title, rows=len(points))
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    handles = [(Patch(facecolor=sweep.style(label)["color"]),
                Line2D([], [], linestyle="none", marker=sweep.style(label)["marker"],
                       color=sweep.style(label)["color"], markeredgecolor="black",
                       markeredgewidth=canvas.lw(0.6), markersize=canvas.ms(6)))
               for label in labels]
    canvas.outside_legend(fig, handles, labels, title="activation")
    canvas.save(fig, name, title,
                "Per hidden layer after the last epoch: units that never pass gradient on the "
                "test set (dead) and outputs approaching a bound of the activation, within 5%% of "
                "the way from f(0) to a finite limit (saturated); high bars "
                "mean a layer that has largely stopped learning. Bars: the mean over the "
                "completed seeds (%s), each marked with its activation's marker (a marker on the "
                "axis is 0)%s." % (n_text(sweep.groups), "; whiskers: " + canvas.spread.words
                                   if bars else ""),
                "Dead units (derivative 0 on every test example) and saturated outputs (within "
                "5%% of a bound) per hidden layer after the last epoch%s; mean over %s%s."
                % (note, n_text(sweep.groups), "; whiskers: " + canvas.spread.words
                   if bars else ""))
