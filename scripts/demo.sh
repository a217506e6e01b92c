#!/usr/bin/env bash
# The tutorial's comparison from nothing: installs what is missing, builds, fetches MNIST, runs
# ReLU, Sigmoid, Tanh and LeakyReLU for 10 epochs (configs/seed.yaml), writes
# results/seed/results.json, prints the comparison table and how it agrees with the tutorial's own
# figures, then the activation curves (results/seed/curves.json) and the plots and report
# (results/seed/plots/: the tutorial's three plots, curves, gradient flow, dead and saturated
# units, report.md and report.html). Extra arguments go to `actbench run` (e.g.
# scripts/demo.sh --device cuda, or scripts/demo.sh train.epochs=3); ACTBENCH_OUT=DIR writes
# elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
out=${ACTBENCH_OUT:-results/seed}

bash scripts/setup.sh
ACTBENCH_TARGET=actbench bash scripts/build.sh
bash scripts/fetch_data.sh mnist data/mnist

echo "demo: running the tutorial's comparison (configs/seed.yaml) into $out" >&2
./build/actbench run --config configs/seed.yaml --out "$out" "$@"

echo >&2
echo "demo: agreement with the tutorial's figures (docs/reference/tutorial-mnist.json):" >&2
# Exit 1 is the verdict "disagrees" (the table says where): the demo goes on; 2 is bad input.
/usr/bin/python3 scripts/compare_reference.py "$out/results.json" || [ $? -eq 1 ]

echo >&2
echo "demo: the activations' curves and derivatives (actbench curves):" >&2
./build/actbench curves --activations relu,sigmoid,tanh,leaky_relu --out "$out/curves.json"

echo >&2
echo "demo: drawing the plots (scripts/plot_results.py)" >&2
# stdout: the files written, one per line; the figures drawn are the PNGs among them.
written=$(/usr/bin/python3 scripts/plot_results.py "$out" --out "$out/plots")
drawn=$(printf '%s\n' "$written" | sed -n 's|^.*/\([^/]*\)\.png$|\1|p' | paste -sd, - |
  sed 's/,/, /g')
echo "demo: results in $out/results.json and $out/summary.json" >&2
echo "demo: plots in $out/plots/ ($drawn: .png and .svg)" >&2
echo "demo: report in $out/plots/report.html (self-contained) and $out/plots/report.md" >&2
echo "demo: done in $(( $(date +%s) - start )) s" >&2
