"""The figures and the report of scripts/plot_results.py, drawn from what actbench wrote.

  common.py          errors, the log, atomic writes, the two styles (screen, paper)
  jsonfile.py        strict JSON reading and validation against docs/*.schema.json (also used by
                     scripts/compare_reference.py)
  load.py            reads and validates results.json, summary.json (actbench.summary/3) and
                     curves.json
  figures_base.py    the figure helpers: facets, legends beside the plot, saving (PGF too),
                     the layout check (ACTBENCH_PLOT_CHECK=1)
  figures_epochs.py  train_loss, test_loss, test_accuracy, learned_params, curves
  figures_layers.py  gradient_norms, gradient_vs_depth, dead_saturated
  figures_groups.py  final_accuracy, paired_differences, seconds_per_epoch
  report.py          report.md and report.html (screen style), figures.tex (paper style)

Every label, order, colour, line style, marker, statistic and sentence comes from summary.json;
this package only draws and lays out.
"""
