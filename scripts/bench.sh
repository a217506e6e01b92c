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
#   scripts/bench.sh --runs 5 --no-baseline --before OLD/actbench   an earlier build in turns
# Below the table: where the time goes (forward, backward, optimizer, rest of training, test,
# outside the runs), from the runs' own timings, for every row that measured them.
#   scripts/bench.sh --keep results/bench keep every run's results.json and bench.json there
#   scripts/bench.sh --runs 1 -- train.epochs=1 activations=relu,tanh   a quick try
# Everything after -- goes to every `actbench run` as KEY=VALUE overrides; see
# scripts/bench.py --help for every option. The table goes to stdout, progress to stderr; with
# --keep DIR the same numbers are also in DIR/bench.json.
#
# How the cost grows, against PyTorch (instead of the table above; about 5-15 minutes on 2 cores):
#   scripts/bench.sh --growth              the runs, width and batch tables
#   scripts/bench.sh --growth runs,width   only those tables
#   scripts/bench.sh --growth --quick      every table on 1,024 images: a smoke check (~2 min)
# Each table times actbench and scripts/bench_pytorch.py (the same sweep in careful PyTorch, same
# number of runs side by side, one thread each) as whole processes, cell by cell: seconds against
# the number of runs (4, 16, 64: 4 activations x 1, 4, 16 seeds; 1 epoch, all of MNIST), the
# hidden width (model.hidden=[W,W], W = 128 ... 4096; 1 epoch on 6,400 + 1,000 images) and the
# batch size (16 ... 1024; 1 epoch, all of MNIST); each row: both wall times, their ratio, and
# each one's GFLOP/s as a share of the matmul peak. With --growth this script installs Debian's
# python3-torch when /usr/bin/python3 cannot import torch (a benchmark-only dependency: not in
# scripts/setup.sh's list).
set -euo pipefail
cd "$(dirname "$0")/.."

growth=0
for arg in "$@"; do
  case "$arg" in
    --) break ;;
    --growth | --growth=*) growth=1 ;;
  esac
done

ACTBENCH_TARGET=actbench bash scripts/build.sh >&2  # stdout is for the table
bash scripts/fetch_data.sh mnist data/mnist >&2

if [ "$growth" -eq 1 ] && ! /usr/bin/python3 -c 'import torch' >/dev/null 2>&1; then
  # shellcheck source=scripts/as_root.sh
  source scripts/as_root.sh
  echo "bench: installing python3-torch (PyTorch, for --growth's comparison) ..." >&2
  as_root apt-get update >&2
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends python3-torch >&2
  if ! /usr/bin/python3 -c 'import torch' >/dev/null 2>&1; then
    echo "bench: error: /usr/bin/python3 cannot import torch even after installing" \
      "python3-torch" >&2
    exit 1
  fi
fi

exec /usr/bin/python3 scripts/bench.py "$@"
