"""The figures and the report of scripts/plot_results.py, drawn from what actbench wrote.

  common.py          errors, the log, atomic writes, the two styles (screen, paper)
  jsonfile.py        strict JSON reading and validation against docs/*.schema.json (also used by
                     scripts/compare_reference.py)
  load.py            reads and validates results.json, summary.json (actbench.summary/3) and
                     curves.json
  figures.py         FIGURES, the one table of figures: each one's name, draw function and
                     description, in drawing order (plot_results.py --list-figures prints it)
  figures_base.py    the figure helpers: facets, legends beside the plot, saving (PGF too),
                     the layout check (ACTBENCH_PLOT_CHECK=1)
  figures_epochs.py  the draw functions of the per-epoch figures and the activation curves
  figures_layers.py  ... of the per-layer figures (gradient norms, dead and saturated units)
  figures_groups.py  ... of the per-group figures (final accuracy, paired differences, time)
  figures_comparison.py  ... of the rank comparison (critical difference diagram) and of the
                     hyperparameter search (tuning)
  report.py          report.md and report.html (screen style), figures.tex (paper style)

Every label, order, colour, line style, marker, statistic and sentence comes from summary.json;
this package only draws and lays out.
"""
