#!/usr/bin/env bash
# The tutorial's comparison from nothing: installs what is missing, builds, fetches MNIST, runs
# ReLU, Sigmoid, Tanh and LeakyReLU for 10 epochs (configs/seed.yaml), writes
# results/seed/results.json, prints the comparison table and how it agrees with the tutorial's own
# figures. Extra arguments go to `actbench run` (e.g. scripts/demo.sh --device cuda, or
# scripts/demo.sh train.epochs=3); ACTBENCH_OUT=DIR writes elsewhere.
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
/usr/bin/python3 scripts/compare_reference.py "$out/results.json"
echo "demo: results in $out/results.json; done in $(( $(date +%s) - start )) s" >&2
