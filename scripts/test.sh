#!/usr/bin/env bash
# Installs what is missing (with the packages only the tests use: a browser and a PDF reader),
# builds actbench and its tests, fetches MNIST (for the one test that uses the real data set; it
# is skipped if the data cannot be fetched), runs every test -- the unit tier first (`ctest -L
# unit`, seconds: a broken library fails fast), then the end-to-end tier (`ctest -L e2e`) -- then
# each fuzz target briefly (scripts/fuzz.sh 10). The fuzz targets build (build-fuzz/, clang, -O0
# for this smoke run) in the background meanwhile, at a lower priority: they take the cores the
# main build and the tests leave idle (its log: build-fuzz/build.log). docs/testing.md: the tiers, how to run one.
#   scripts/test.sh             the above (after scripts/lint.sh: format, layers, function lengths,
#                               test names)
#   scripts/test.sh --sanitize  instead: everything built with AddressSanitizer and
#                               UndefinedBehaviorSanitizer into build-sanitize/, and every test run
#                               there; any report fails the test it comes from
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=0
case "${1:-}" in
  "") ;;
  --sanitize) sanitize=1 ;;
  *) echo "test: bad usage: $* (scripts/test.sh [--sanitize])" >&2; exit 2 ;;
esac

bash scripts/setup.sh --tests $([ "$sanitize" -eq 1 ] || echo --fuzz)
bash scripts/lint.sh
fuzz_build=
if [ "$sanitize" -eq 0 ]; then
  mkdir -p build-fuzz
  # Its own process group (set -m), so that a failure below, which ends this script, ends the
  # whole background build with it (cmake, ninja, the compilers). Not setsid: a new session is a
  # new scheduler autogroup, which shares the CPU equally with this one whatever its nice value.
  set -m
  # At -O0: for 10 s of fuzzing the compile is the cost (52 s of CPU instead of 105 s at -O1).
  ACTBENCH_FUZZ_OPTIMIZE=-O0 nice -n 10 bash scripts/fuzz.sh --build >build-fuzz/build.log 2>&1 &
  fuzz_build=$!
  set +m
  trap '[ -z "$fuzz_build" ] || kill -- -"$fuzz_build" 2>/dev/null || true' EXIT
fi
if [ "$sanitize" -eq 1 ]; then
  build=build-sanitize
  ACTBENCH_BUILD_DIR=$build bash scripts/build.sh -DACTBENCH_BUILD_TESTS=ON -DACTBENCH_SANITIZE=ON
  source scripts/sanitizer_env.sh
else
  build=build
  bash scripts/build.sh -DACTBENCH_BUILD_TESTS=ON
fi
if ! bash scripts/fetch_data.sh mnist data/mnist; then
  echo "test: could not fetch MNIST; the real-data test will be skipped" >&2
fi
(cd "$build" && ctest -L unit --output-on-failure --parallel 2 --timeout 600)
# Three at once on two cores: the Slurm test mostly waits for the cluster.
(cd "$build" && ctest -L e2e --output-on-failure --parallel 3 --timeout 600)
if [ "$sanitize" -eq 0 ]; then
  if ! wait "$fuzz_build"; then
    fuzz_build=
    cat build-fuzz/build.log >&2
    echo "test: building the fuzz targets failed (above; build-fuzz/build.log)" >&2
    exit 1
  fi
  fuzz_build=
  ACTBENCH_FUZZ_OPTIMIZE=-O0 bash scripts/fuzz.sh 10
fi
