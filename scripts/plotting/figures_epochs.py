"""The per-epoch figures -- the groups' train loss, test loss and test accuracy (one facet per
swept point; with many lines, each beside a zoomed panel of its last epochs), their learned
activation parameters by epoch and hidden layer -- and the activation curves (curves.json; with
many activations, a small panel each). Each draw_* function draws one entry of figures.FIGURES and
takes the figure's name from it. Bands show the spread the ranking table states (canvas.spread:
the 95% confidence interval of the mean, or one standard deviation)."""
import math
from collections import namedtuple

from .common import DPI, finite, nan_if_null, number
from .figures_base import MANY_LINES, epochs_of, group_n, n_text
from .figures_layers import layer_count, layer_values

# With at least this many activations the curves figure gets a small panel per activation.
MANY_CURVES = MANY_LINES
# The share of the lines (the best by their last value) a zoomed panel's y range holds.
ZOOM_SHARE = 2.0 / 3.0


# A metric: its series, y label, title, the report's caption, the short caption's start, whether
# higher is better (a zoom keeps the best lines), and the values it can take (a band is cut there).
Metric = namedtuple("Metric", "key ylabel title caption what higher bounds")
TRAIN_LOSS = Metric("train_loss", "cross-entropy loss (nats)", "Training loss by epoch",
                    "The mean training loss per epoch: the lower and the sooner it falls, the "
                    "easier the network trains.", "Training loss (cross-entropy) by epoch",
                    False, (0.0, None))
TEST_LOSS = Metric("test_loss", "cross-entropy loss (nats)", "Test loss by epoch",
                   "The test-set loss after each epoch: a curve that turns upward while the "
                   "training loss keeps falling is overfitting.",
                   "Test loss (cross-entropy) by epoch", False, (0.0, None))
TEST_ACCURACY = Metric("test_accuracy", "test accuracy (%)", "Test accuracy by epoch",
                       "Test accuracy after each epoch: compare where the curves level off.",
                       "Test accuracy by epoch", True, (0.0, 100.0))


def draw_train_loss(canvas, name):
    epoch_metric(canvas, name, TRAIN_LOSS)


def draw_test_loss(canvas, name):
    epoch_metric(canvas, name, TEST_LOSS)


def draw_test_accuracy(canvas, name):
    epoch_metric(canvas, name, TEST_ACCURACY)


def plot_series(canvas, ax, series, style, order, count, n, band=True, band_alpha=0.15,
                every=None):
    """One group's per-epoch mean as a line with markers at a stride (offset by the activation's
    place in display order; every: a stride of its own), with a band of the spread the tables
    state (canvas.spread, from the per-epoch standard deviation over the group's n seeds) where
    there is one. Returns (the line, whether a band was drawn), or (None, False) when the series
    has no value."""
    x = epochs_of(series)
    mean = [nan_if_null(v) for v in series["mean"]]
    if all(m != m for m in mean):
        return None, False
    line, = ax.plot(x, mean, linewidth=canvas.lw(1.8), markersize=canvas.ms(5),
                    markevery=every or canvas.markevery(len(x), order, count), **style)
    half = [canvas.spread.half(nan_if_null(s), n) for s in series["std"]]
    ok = [m == m and h == h for m, h in zip(mean, half)]
    if band and any(ok):
        lo = [m - h if good else 0.0 for m, h, good in zip(mean, half, ok)]
        hi = [m + h if good else 0.0 for m, h, good in zip(mean, half, ok)]
        ax.fill_between(x, lo, hi, where=ok, interpolate=False, color=style["color"],
                        alpha=band_alpha, linewidth=0)
        return line, True
    return line, False


def band_sentence(canvas, groups, banded):
    """What a per-epoch figure's lines and bands are, for its captions: (long, short)."""
    n = n_text(groups)
    if not banded:
        return (" One run per line (%s): no band, no spread to show." % n,
                "One run per line (%s); no band." % n)
    words = canvas.spread.words
    return (" Lines: the mean over the completed seeds (%s); bands: %s, as the ranking table's "
            "\u00b1 (overlapping bands: the seeds do not separate the activations)." % (n, words),
            "Lines: mean over %s; bands: %s." % (n, words))


def legend_title(canvas, groups, banded):
    """A per-epoch legend's title on screen (the paper's caption says it instead)."""
    if canvas.paper or not banded:
        return None
    return "mean over %s, band: %s" % (n_text(groups), canvas.spread.short)


def zoom_epochs(epochs):
    """How many of the last epochs a zoomed panel shows: a quarter of them, two at least, or the
    last alone of two; None with a single epoch (nothing to zoom into)."""
    if epochs < 2:
        return None
    return 1 if epochs == 2 else max(2, int(math.ceil(epochs / 4.0)))


def epoch_axes(canvas, count, zoom):
    """The axes of a per-epoch figure: [(axes, zoomed axes or None)] per point, and the grid's
    rows and columns. Without zoom a facet per point (shared axes); with it each point's panel
    and its zoom side by side (a point's pair stacked in a single paper column), the full panels
    sharing their axes, the zoomed ones their x axis."""
    if not zoom:
        fig, axes, nrows, ncols = canvas.facets(count, sharex=True, sharey=True)
        return fig, [(ax, None) for ax in axes], nrows, ncols
    stacked = count == 1 and canvas.paper and canvas.width < 5
    nrows, ncols = (2, 1) if stacked else (count, 2)
    fig, grid = canvas.new_figure(nrows, ncols)
    cells = [ax for row in grid for ax in row]
    pairs = [(cells[2 * i], cells[2 * i + 1]) for i in range(count)]
    for ax, zax in pairs[1:]:
        ax.sharex(pairs[0][0])
        ax.sharey(pairs[0][0])
        zax.sharex(pairs[0][1])
    if not canvas.paper:
        fig.subplots_adjust(wspace=0.25, hspace=0.45 if count < 3 else 0.7)
    return fig, pairs, nrows, ncols


def set_zoom(canvas, ax, finals, epochs, shown, higher_is_better):
    """A zoomed panel's limits: the last `shown` epochs, and y around the best ZOOM_SHARE of the
    lines' last values (a line far off the others leaves the panel; the full panel shows it)."""
    values = sorted((v for v in finals if v == v), reverse=higher_is_better)
    if not values:
        return
    keep = values[:max(1, int(math.ceil(ZOOM_SHARE * len(values))))]
    lo, hi = min(keep), max(keep)
    pad = 0.15 * (hi - lo) if hi > lo else 0.02 * abs(hi) + 1e-3
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlim(epochs - shown + 1 - (0.35 if shown == 1 else 0.15), epochs + 0.15)
    first = epochs - shown + 1
    step = max(1, int(math.ceil(shown / 5.0)))
    ax.xaxis.set_major_locator(canvas.ticker.FixedLocator(list(range(epochs, first - 1, -step))))


def last_value(series):
    """The last finite mean of a series (NaN without one)."""
    for v in reversed(series["mean"]):
        x = nan_if_null(v)
        if x == x:
            return x
    return math.nan


def band_alpha(lines):
    """A band's opacity: fainter where many overlap."""
    return max(0.04, 0.15 * min(1.0, 5.0 / max(1, lines)))


def clip_to_bounds(ax, bounds, means):
    """Cuts the y axis at the values the metric can take (0 to 100%, a loss at 0), with a margin,
    so that a wide band does not squeeze the lines; the means always stay in view."""
    lo, hi = ax.get_ylim()
    low, high = bounds
    finite_means = [m for m in means if m == m]
    span = (max(finite_means) - min(finite_means)) if finite_means else 0.0
    margin = 0.05 * (span or 1.0)
    if low is not None and lo < low - margin:
        lo = min(low, min(finite_means or [low])) - margin
    if high is not None and hi > high + margin:
        hi = max(high, max(finite_means or [high])) + margin
    ax.set_ylim(lo, hi)


def epoch_metric(canvas, name, m):
    sweep = canvas.sweep
    metric = m.key
    if not sweep.has_series(metric):
        canvas.skip(name, "no run recorded %s" % metric)
        return
    points = sweep.points
    groups = [g for g in sweep.groups if metric in g["series"]]
    epochs = max(len(g["series"][metric]["mean"]) for g in groups)
    lines = max(sum(1 for g in p.groups if metric in g["series"]) for p in points)
    shown = zoom_epochs(epochs) if lines >= MANY_LINES else None
    fig, pairs, nrows, ncols = epoch_axes(canvas, len(points), shown)
    diverged = {}
    labels = sweep.labels_in(sweep.groups)
    banded = False
    means = []
    for point, (ax, zax) in zip(points, pairs):
        empty, finals = [], []
        for g in point.groups:
            diverged[g["activation"]] = diverged.get(g["activation"], 0) + g["diverged"]
            series = g["series"].get(metric)
            if series is None:
                empty.append(g["activation"])
                continue
            style, order = sweep.style(g["activation"]), labels.index(g["activation"])
            line, band = plot_series(canvas, ax, series, style, order, len(labels), group_n(g),
                                     band_alpha=band_alpha(lines))
            banded = banded or band
            if line is None:
                empty.append(g["activation"])
                continue
            means.extend(nan_if_null(v) for v in series["mean"])
            if zax is not None:  # the means only: the bands are the full panel's
                plot_series(canvas, zax, series, style, order, len(labels), group_n(g),
                            band=False, every=1)
                finals.append(last_value(series))
        if empty:
            ax.text(0.02, 0.03, "no value: " + ", ".join(empty), transform=ax.transAxes,
                    fontsize=canvas.fs("tiny"), color="#777777")
        title_of_point = point.text if len(points) > 1 else ""
        if zax is not None:
            set_zoom(canvas, zax, finals, epochs, shown, m.higher)
            zax.set_title(canvas.wrap(join_lines(title_of_point, last_epochs(shown) + ", zoomed"),
                                      ncols), fontsize=canvas.fs("panel"))
            ax.set_title(canvas.wrap(join_lines(title_of_point, "all epochs"), ncols),
                         fontsize=canvas.fs("panel"))
            zax.grid(True, alpha=0.3)
        elif title_of_point:
            ax.set_title(canvas.wrap(point.text, ncols), fontsize=canvas.fs("panel")
                         if len(points) <= 4 else canvas.fs("tiny"))
        ax.grid(True, alpha=0.3)
    label_epoch_axes(canvas, pairs, nrows, ncols, m.ylabel)
    first = pairs[0][0]
    first.xaxis.set_major_locator(canvas.ticker.MaxNLocator(integer=True))
    first.set_xlim(0.8, epochs + 0.2)
    clip_to_bounds(first, m.bounds, means)
    handles = [canvas.line_handle(label) for label in labels]
    names = [label + (" (%d diverged)" % diverged[label] if diverged.get(label) else "")
             for label in labels]
    canvas.suptitle(fig, m.title, rows=nrows)
    # The band only where there was one: with one seed there is no spread to show.
    canvas.outside_legend(fig, handles, names, title=legend_title(canvas, groups, banded))
    long, short = band_sentence(canvas, groups, banded)
    zoomed = ""
    if shown:
        zoomed = (" Beside each panel its %s, the means only, the y axis zoomed to the best two "
                  "thirds of the lines' last values." % last_epochs(shown))
    canvas.save(fig, name, m.title, m.caption + long + zoomed,
                "%s. %s%s" % (m.what, short, zoomed.replace("Beside each panel", "Beside it")
                              if len(points) == 1 else zoomed))


def last_epochs(shown):
    return "last epoch" if shown == 1 else "last %d epochs" % shown


def join_lines(*parts):
    return "\n".join(p for p in parts if p)


def label_epoch_axes(canvas, pairs, nrows, ncols, ylabel):
    """The y label on each row's first axes, "epoch" under each column's lowest."""
    cells = [ax for pair in pairs for ax in pair if ax is not None]
    for i, ax in enumerate(cells):
        if i % ncols == 0:
            ax.set_ylabel(ylabel)
        if i + ncols >= len(cells) or ncols == 1:  # a stacked pair: each its own epochs
            ax.set_xlabel("epoch")
            ax.tick_params(labelbottom=True)


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
                                     style, order, len(lines), group_n(g))
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
    learners = [g for _, _, groups in panels for g in groups]
    title = "Learned activation parameters by epoch, per hidden layer"
    canvas.suptitle(fig, title + (" (mean over seeds)" if banded else ""), rows=nrows)
    canvas.outside_legend(fig, handles, names, title=legend_title(canvas, learners, banded))
    caption = ("The activations' learned parameters (a formula's learnable constants, PReLU's "
               "weight) after each epoch, one panel per parameter%s: a line per activation and "
               "hidden layer, in the activation's colour, line style and marker, the layers told "
               "apart by opacity (1 = nearest the input, opaque; the deepest faintest); a line "
               "that moves away from where it started shows training reshaping the activation. "
               "A parameter learned per unit is averaged over the layer's units first."
               % (" and swept point" if several_points else ""))
    long, short = band_sentence(canvas, learners, banded)
    canvas.save(fig, name, title, caption + long,
                "Learned activation parameters by epoch, a panel per parameter%s, a line per "
                "activation and hidden layer (layer 1 opaque, deeper layers fainter). %s"
                % (" and point" if several_points else "", short))


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


# -- the activation curves -------------------------------------------------------------------------

def drawn_constants(entry):
    """{constant: value} a curves.json entry was drawn at, for the constants training learns (a
    formula's learnable ones by name, PReLU's slope as `weight`, as summary.json's `learned`
    names it); {} for an activation that learns none. An entry `actbench curves --sweep` drew at
    learned constants says so in its `learned` ({constant: {value, layers, groups}}): those
    values."""
    learned = entry.get("learned") if isinstance(entry.get("learned"), dict) else {}
    at = {k: number(v["value"]) for k, v in learned.items()
          if isinstance(v, dict) and finite(v.get("value"))}
    if at:
        return at
    params = entry.get("params") if isinstance(entry.get("params"), dict) else {}
    if entry.get("name") == "prelu":
        return {"weight": number(params["init"])} if finite(params.get("init")) else {}
    constants = params.get("params") if isinstance(params.get("params"), dict) else {}
    return {k: number(v["init"]) for k, v in constants.items()
            if isinstance(v, dict) and v.get("learnable") and finite(v.get("init"))}


def learned_finals(sweep, label):
    """{constant: [its last mean per hidden layer and group]} of an activation's groups."""
    out = {}
    for g in sweep.groups:
        if g["activation"] != label:
            continue
        for param, series in g.get("learned", {}).items():
            for layer in range(layer_count(series)):
                values = [v for v in layer_values(series, layer) if v == v]
                if values:
                    out.setdefault(param, []).append(values[-1])
    return out


def constants_note(sweep, label, entry):
    """(a note for the legend, a caption sentence) for a curve of an activation with learnable
    constants: whether curves.json drew it at what training learned (every layer's and point's
    last value within 0.5% of the constant drawn) or at its initial constants, and what was
    learned; ("", "") for one without any, or without learned values in summary.json. An entry
    with `learned` (`actbench curves --sweep`) is drawn at the learned constants by its own account:
    the caption gives each hidden layer's value where they are more than 0.5% apart."""
    drawn = drawn_constants(entry)
    if isinstance(entry.get("learned"), dict) and drawn:
        # Drawn by `actbench curves --sweep` at the mean over points and hidden layers of the
        # learned values; where the layers ended more than 0.5% apart, the caption gives each.
        at = ", ".join("%s = %.3g" % (k, v) for k, v in drawn.items())
        spread = []
        for k, v in drawn.items():
            layers = entry["learned"][k].get("layers")
            layers = [(i + 1, number(x)) for i, x in enumerate(layers)
                      if finite(x)] if isinstance(layers, list) else []
            values = [x for _, x in layers]
            if values and max(values) - min(values) > 0.005 * max(abs(v), 1e-9):
                spread.append("%s = %s" % (k, ", ".join("%.3g (layer %d)" % (x, i)
                                                        for i, x in layers)))
        if not spread:
            return ("learned %s" % at, "%s is drawn at its learned %s (last epoch, mean over "
                    "seeds, points and hidden layers)." % (label, at))
        return ("learned %s" % at,
                "%s is drawn at its learned %s, the mean of its hidden layers' values (last "
                "epoch, mean over seeds and points): %s." % (label, at, "; ".join(spread)))
    learned = learned_finals(sweep, label)
    shared = [k for k in drawn if learned.get(k)]
    if not shared:
        return "", ""
    at = ", ".join("%s = %.3g" % (k, drawn[k]) for k in shared)
    if all(abs(v - drawn[k]) <= 0.005 * max(abs(drawn[k]), 1e-9) for k in shared
           for v in learned[k]):
        return "learned %s" % at, "%s is drawn at its learned %s." % (label, at)
    ranges = "; ".join("%s = %s" % (k, span_text(learned[k])) for k in shared)
    return ("initial %s" % at,
            "%s is drawn at its initial %s; training ended at %s (last epoch, mean over seeds, "
            "per hidden layer and point)." % (label, at, ranges))


def span_text(values):
    lo, hi = min(values), max(values)
    return "%.3g" % lo if "%.3g" % lo == "%.3g" % hi else "%.3g to %.3g" % (lo, hi)


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
    notes = [constants_note(sweep, label, entry) for label, entry in chosen]
    if len(chosen) >= MANY_CURVES:
        fig, nrows = curve_panels(canvas, chosen, x, notes)
        kind = "a panel per activation"
    else:
        fig, nrows = curve_pair(canvas, chosen, x, notes)
        kind = "activations left, derivatives right"
    title = "Activation functions and their derivatives"
    formulas = "; ".join("%s: %s" % (e["label"], e["formula"]) for _, e in chosen
                         if isinstance(e.get("formula"), str) and e["formula"])
    learned = " ".join(note for _, note in notes if note)
    how = (" `actbench curves --sweep DIR` draws them at the learned constants."
           if "initial" in learned else "")
    canvas.save(fig, name, title,
                "Each activation and its derivative (%s), from actbench curves: where the "
                "derivative is near zero, as in sigmoid's and tanh's flat tails, almost no "
                "gradient flows back through the unit.%s%s%s" % (
                    kind, (" Formulas: " + formulas + ".") if formulas else "",
                    (" " + learned) if learned else "", how),
                "Each activation f and its derivative f\u2032 (%s), from actbench curves.%s"
                % (kind, (" " + learned) if learned else ""))


def curve_pair(canvas, chosen, x, notes):
    """A few activations: every f(x) in one panel, every f'(x) in the other."""
    fig, axes = canvas.new_figure(1, 2)
    handles, labels = [], []
    count = len(chosen)
    for order, ((style_label, entry), (suffix, _)) in enumerate(zip(chosen, notes)):
        # Earlier activations a little wider, drawn first: one that lies on a later one (ReLU
        # under LeakyReLU(0.01)) shows around its dotted or dashed line; the markers are
        # staggered along x.
        width = canvas.lw(1.8 + 1.2 * (count - 1 - order) / max(1, count - 1))
        style = dict(canvas.sweep.style(style_label), linewidth=width, markersize=canvas.ms(5),
                     markevery=canvas.markevery(len(x), order, count))
        h, = axes[0][0].plot(x, [nan_if_null(v) for v in entry["y"]], **style)
        axes[0][1].plot(x, [nan_if_null(v) for v in entry["dy"]], **style)
        handles.append(h)
        formula = entry.get("formula")
        # On screen the formula too where it is short (a long one is in the caption).
        short = (isinstance(formula, str) and formula and not canvas.paper and len(formula) <= 40)
        labels.append(entry["label"] + (" (%s)" % suffix if suffix else "")
                      + (": " + formula if short else ""))
    for ax, ylabel, sub in ((axes[0][0], "activation f(x)", "value"),
                            (axes[0][1], "derivative f\u2032(x)", "first derivative")):
        ax.set_xlabel(canvas.wrap("x (pre-activation input)", 2, "label"))
        ax.set_ylabel(ylabel)
        ax.set_title(sub, fontsize=canvas.fs("panel"))
        axis_lines(canvas, ax)
    canvas.suptitle(fig, "Activation functions and their derivatives")
    canvas.outside_legend(fig, handles, labels)
    return fig, 1


def axis_lines(canvas, ax):
    ax.axhline(0, color="#999999", linewidth=canvas.lw(0.8), zorder=0)
    ax.axvline(0, color="#999999", linewidth=canvas.lw(0.8), zorder=0)
    ax.grid(True, alpha=0.3)


def curve_panels(canvas, chosen, x, notes):
    """Many activations: small multiples, a panel per activation (titled in its colour) with f(x)
    in its style and f'(x) in grey; the panels share the x axis, each has its own y."""
    count = len(chosen)
    if canvas.paper:
        ncols = max(2, int(canvas.width / 1.15))
        nrows = int(math.ceil(count / float(ncols)))
        fig, grid = canvas.plt.subplots(nrows, ncols, squeeze=False, sharex=True,
                                        figsize=(canvas.width, 0.35 + 1.0 * nrows), dpi=DPI)
    else:
        ncols = int(math.ceil(math.sqrt(count * 1.6)))
        nrows = int(math.ceil(count / float(ncols)))
        fig, grid = canvas.new_figure(nrows, ncols, sharex=True)
        fig.subplots_adjust(hspace=0.6, wspace=0.35)
    axes = [ax for row in grid for ax in row]
    for ax in axes[count:]:
        ax.set_visible(False)
    for i, (ax, (label, entry), (suffix, _)) in enumerate(zip(axes, chosen, notes)):
        style = dict(canvas.sweep.style(label), linewidth=canvas.lw(1.8),
                     markersize=canvas.ms(4), markevery=canvas.markevery(len(x), 0, 1))
        ax.plot(x, [nan_if_null(v) for v in entry["dy"]], color="#888888",
                linewidth=canvas.lw(1.2), linestyle=(0, (2, 1.5)))
        ax.plot(x, [nan_if_null(v) for v in entry["y"]], **style)
        ax.set_title(join_lines(entry["label"], suffix), color=style["color"],
                     fontsize=canvas.fs("small"))
        ax.yaxis.set_major_locator(canvas.ticker.MaxNLocator(nbins=3))
        ax.xaxis.set_major_locator(canvas.ticker.MaxNLocator(nbins=3, integer=True))
        ax.tick_params(labelsize=canvas.fs("tiny"))
        axis_lines(canvas, ax)
        if i + ncols >= count:
            ax.tick_params(labelbottom=True)
            ax.set_xlabel("x", fontsize=canvas.fs("label"))
    canvas.suptitle(fig, "Activation functions and their derivatives", rows=nrows)
    from matplotlib.lines import Line2D
    canvas.outside_legend(fig, [Line2D([], [], color="#333333", linewidth=canvas.lw(1.8)),
                                Line2D([], [], color="#888888", linewidth=canvas.lw(1.2),
                                       linestyle=(0, (2, 1.5)))],
                          ["activation f(x), in its style", "derivative f\u2032(x)"])
    return fig, nrows
