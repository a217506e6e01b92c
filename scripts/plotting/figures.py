"""The figures, in the order they are drawn, listed in the report and in figures.tex: the one list
of them. scripts/plot_results.py draws each entry with draw(canvas, name) -- the function takes
the file names, the report's entry and its skip line from `name` --, prints the names with
--list-figures (the C++ tests read them so), and prints the docs' table of figures with
--list-figures=markdown (scripts/update_docs.py writes it into docs/ between the figures:begin
and figures:end markers).

Adding a figure: write its draw function (in a figures_*.py module), add its row here, then run
scripts/update_docs.py. A figure that is skipped for the tests' fixture sweep also needs its
expectations in tests/e2e/plot_script_test.cpp and tests/e2e/paper_style_test.cpp; one drawn from
an optional part of summary.json (critical_difference, tuning) is listed, with its skip line, in
optional_figures() in tests/support/plot_fixture.h.

Importing this module needs neither matplotlib nor jsonschema (the draw functions import
matplotlib when they run)."""
from collections import namedtuple

from . import figures_comparison, figures_epochs, figures_groups, figures_layers

# name: the files' base name (NAME.png, NAME-wide.pdf, ...), the skip line's and the report's.
# draw: draw(canvas, name) draws it, or calls canvas.skip(name, why).
# description: what it shows, one paragraph of Markdown for the docs' table; consecutive rows
# with the same description share one line of the table.
Figure = namedtuple("Figure", "name draw description")

_EPOCH = ("the tutorial's three plots against epoch, one line per activation (and sweep point), "
          "the mean over seeds with a band of the spread the ranking table states where there "
          "are repeats (`summary.json`'s `spread`: the 95% confidence interval of the mean, "
          "Student's t from each epoch's sd and n, or ±1 sd; no band, and no band in the legend, "
          "with one seed); with seven or more lines in a panel, each panel beside a zoomed panel "
          "of its last epochs (the means only, the y axis around the best two thirds of the "
          "lines' last values)")

FIGURES = (
    Figure("train_loss", figures_epochs.draw_train_loss, _EPOCH),
    Figure("test_loss", figures_epochs.draw_test_loss, _EPOCH),
    Figure("test_accuracy", figures_epochs.draw_test_accuracy, _EPOCH),
    Figure("learned_params", figures_epochs.draw_learned_params,
           "the activations' learned parameters (a formula's learnable constants, PReLU's "
           "`weight`: `summary.json`'s `learned`) by epoch, a panel per parameter (and swept "
           "point), a line per activation and hidden layer in the activation's style, the layers "
           "told apart by opacity (layer 1 opaque), mean over seeds with a band of the tables' "
           "spread where there are repeats; a per-unit parameter averaged over the layer's "
           "units first. "
           "Skipped, with a log line, when no activation learns any"),
    Figure("curves", figures_epochs.draw_curves,
           "each activation and its derivative (from `actbench curves`); with seven or more "
           "activations a small panel each (f in the activation's style, f′ in grey); an "
           "activation with learnable constants is labelled with the constants it was drawn at "
           "(initial, or learned where they match `summary.json`'s last learned values) and the "
           "caption gives the learned values"),
    Figure("gradient_norms", figures_layers.draw_gradient_norms,
           "per activation, each Linear layer's weight-gradient norm by epoch (log scale)"),
    Figure("gradient_vs_depth", figures_layers.draw_gradient_vs_depth,
           "when depth is swept: the input layer's gradient norm against the number of hidden "
           "layers, at the first step and over the last epoch, one line per activation (and "
           "init)"),
    Figure("dead_saturated", figures_layers.draw_dead_saturated,
           "dead units and saturated outputs per hidden layer after the last epoch; each bar "
           "carries its activation's marker, so a bar of height 0 shows as a marker on the axis"),
    Figure("final_accuracy", figures_groups.draw_final_accuracy,
           "final test accuracy per group with its interval (the tables' spread: the 95% "
           "confidence interval, or ±1 sd; none with one seed); at each row's right the value as "
           "the ranking table writes it (`summary.json`'s `text`)"),
    Figure("paired_differences", figures_groups.draw_paired_differences,
           "a forest plot: per comparison in `differences` (grouped under a heading per point "
           "when there are several), the mean paired difference against the baseline with its "
           "95% interval (`final_test_accuracy.ci95`), a line at 0, the marker filled where the "
           "verdict is better or worse (Holm-adjusted p < 0.05, `tests.holm_p`) and open "
           "otherwise, the adjusted p (`text.holm`) at the row's right. Skipped, with a log "
           "line, when no comparison has two paired seeds"),
    Figure("critical_difference", figures_comparison.draw_critical_difference,
           "Demšar's critical-difference diagram (`summary.json`'s `comparison`): each "
           "activation's mean rank over the blocks (seeds, and points) on an axis from 1 (best) "
           "to the number of activations, labelled with its name and mean rank, the better half "
           "on the left; above the axis the Nemenyi critical difference (`nemenyi.cd`) as a "
           "bar, below it a thick bar joining each group the Nemenyi test does not separate "
           "(`nemenyi.groups`); Friedman's p in the title. Skipped, with a log line, without a "
           "comparison (one activation, or one seed) or a critical difference"),
    Figure("tuning", figures_comparison.draw_tuning,
           "the hyperparameter search of a tuned sweep (`summary.json`'s tuning section), a "
           "panel per activation: each trial's validation accuracy against the (first) tuned "
           "key's value (a log axis for a log range or numbers spanning a factor of 30 or "
           "more, a position per value for a list such as `model.init`), one series per rung of "
           "successive halving, later rungs darker, the chosen setting starred and labelled "
           "with its value. Skipped, with a log line, when the sweep was not tuned"),
    Figure("seconds_per_epoch", figures_groups.draw_seconds_per_epoch,
           "time per epoch per activation, split into forward / backward / optimizer / other / "
           "test"),
)


def names():
    return [f.name for f in FIGURES]


def as_json():
    """[{"name": ..., "description": ...}] in drawing order."""
    return [{"name": f.name, "description": f.description} for f in FIGURES]


def markdown_table():
    """The docs' table of figures: a row per figure, consecutive figures with the same
    description on one row (their names listed together)."""
    rows = []
    for f in FIGURES:
        if rows and rows[-1][1] == f.description:
            rows[-1][0].append(f.name)
        else:
            rows.append(([f.name], f.description))
    lines = ["| figure | what it shows |", "| --- | --- |"]
    lines += ["| %s | %s |" % (", ".join("`%s`" % n for n in names_), text)
              for names_, text in rows]
    return "\n".join(lines) + "\n"
