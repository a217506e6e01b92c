#!/usr/bin/env bash
# Benchmarks actbench on the tutorial's sweep (configs/seed.yaml: ReLU, Sigmoid, Tanh and LeakyReLU
# x 10 epochs on MNIST, MLP 784-128-128-10, batch 64). Builds the binary and fetches MNIST when
# missing, measures this machine's float32 matrix-multiply peak (all cores and one core), then
# times the sweep and prints one table row per configuration: wall time (min/median/max over the
# runs), seconds per epoch, training samples per second, achieved GFLOP/s and its share of the
# measured peak, peak RSS, and how many times faster it is than the same sweep through the
# per-example DataLoader + Stack<> pipeline (timed once in the same run).
#   scripts/bench.sh                      3 timed runs + the baseline (a few minutes, all cores)
#   scripts/bench.sh --runs 5 --means     also one run of each intermediate configuration
#   scripts/bench.sh --no-baseline        skip the per-example pipeline baseline
#   scripts/bench.sh --runs 5 --diagnostics --no-baseline   what train.diagnostics costs
#   scripts/bench.sh --keep results/bench keep every run's results.json and bench.json there
#   scripts/bench.sh --runs 1 -- train.epochs=1 activations=relu,tanh   a quick try
# Everything after -- goes to every `actbench run` as KEY=VALUE overrides; see
# scripts/bench.py --help for every option. The table goes to stdout, progress to stderr; with
# --keep DIR the same numbers are also in DIR/bench.json.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTBENCH_TARGET=actbench bash scripts/build.sh >&2  # stdout is for the table
bash scripts/fetch_data.sh mnist data/mnist >&2

exec /usr/bin/python3 scripts/bench.py "$@"
