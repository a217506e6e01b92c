#!/usr/bin/env bash
# Runs the libFuzzer targets (fuzz/: config, idx, runfile, store, checkpoint) at once, each for
# SECONDS (default 60).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#   scripts/fuzz.sh --build     only build the targets (scripts/test.sh does this while it builds
#                               and tests the rest, then runs them)
# Installs clang if missing (scripts/setup.sh --fuzz), builds the targets into build-fuzz/ (clang,
# AddressSanitizer + UndefinedBehaviorSanitizer, -O1), then runs the targets side by side (one
# process each, sharing the cores), each from its seed corpus (fuzz/corpus/<target>/) and its kept
# crash inputs (fuzz/regressions/<target>/). New
# corpus entries go to build-fuzz/corpus/<target>/ (kept between runs, never into the repository).
# A crash, a sanitizer report, a timeout (> 10 s for one input) or more than 2 GB of memory stops
# that target: its input is printed and the script exits 1 after the other targets. Keep such an
# input as a regression test: copy it to fuzz/regressions/<target>/
# (tests/unit/fuzz_regression_test.cpp replays every file there) and fix the bug.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "fuzz: error: $*" >&2; exit 2; }

build_only=0
if [ "${1:-}" = "--build" ]; then
  [ $# -eq 1 ] || die "--build takes nothing else (scripts/fuzz.sh --build)"
  build_only=1
  set --
fi
seconds=${1:-60}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || die "SECONDS must be a positive whole number, got '$seconds'"
shift $(($# > 0 ? 1 : 0))
all_targets=(config idx runfile store checkpoint)
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [ -d "fuzz/corpus/$t" ] || die "no fuzz target '$t' (targets: ${all_targets[*]})"
done

bash scripts/setup.sh --fuzz
build=build-fuzz
generator=()
if command -v ninja >/dev/null 2>&1 && [ ! -f "$build/Makefile" ]; then generator=(-G Ninja); fi
# ACTBENCH_FUZZ_OPTIMIZE=-O0 (scripts/test.sh's seconds-long smoke run): half the compile time,
# the targets about three times slower; -O1 otherwise.
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DACTBENCH_FUZZ=ON \
  -DCMAKE_CXX_COMPILER=clang++ -DACTBENCH_FUZZ_OPTIMIZE="${ACTBENCH_FUZZ_OPTIMIZE:--O1}" >/dev/null
cmake --build "$build" --parallel "$(nproc 2>/dev/null || echo 2)"
if [ "$build_only" -eq 1 ]; then
  echo "fuzz: the targets are built in $build/fuzz/" >&2
  exit 0
fi

# The sanitizers' settings (suppressions: LibTorch's own code only, see tests/sanitizers/).
source scripts/sanitizer_env.sh

# Runs target $1 for $seconds; its exit status goes to $build/logs/$1.status.
fuzz_one() {
  local t=$1 corpus="$build/corpus/$1" artifacts="$build/crashes/$1" log="$build/logs/$1.log"
  local dict=() status=0
  [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
  "$build/fuzz/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "${dict[@]}" -artifact_prefix="$artifacts/" \
    "$corpus" "fuzz/corpus/$t" "fuzz/regressions/$t" >"$log" 2>&1 || status=$?
  echo "$status" >"$build/logs/$t.status"
}

# The targets run at once (each is one process on one core; the kernel shares the cores), so the
# whole run takes SECONDS of wall time.
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t" "$build/crashes/$t" "$build/logs"
  rm -f "$build/logs/$t.status"
  echo "fuzz: $t for ${seconds}s (log: $build/logs/$t.log)" >&2
  fuzz_one "$t" &
done
wait

failed=()
for t in "${targets[@]}"; do
  log="$build/logs/$t.log"
  status=$(cat "$build/logs/$t.status" 2>/dev/null || echo 1)
  # Scratch directories (/dev/shm/actbench-fuzz-<target>-<pid>) of processes that did not exit
  # normally.
  for d in /dev/shm/actbench-fuzz-"$t"-*; do
    if [ -e "$d" ] && ! kill -0 "${d##*-}" 2>/dev/null; then rm -rf "$d"; fi
  done
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
  echo "fuzz: $t: ${runs:-?} inputs, ${rate:-?}/s, peak ${rss:-?} MB; last: ${last:-none}" >&2
  if [ "$status" -ne 0 ]; then
    input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    echo "fuzz: $t FAILED (exit $status): $(grep -m1 -E 'ERROR|runtime error|terminate|deadly' "$log" || true)" >&2
    echo "fuzz: reproduce: $build/fuzz/${t}_fuzz ${input:-<see $log>}" >&2
    echo "fuzz: keep it: cp ${input:-INPUT} fuzz/regressions/$t/ (replayed by FuzzRegression)" >&2
    failed+=("$t")
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: findings in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no findings (${targets[*]}, ${seconds}s each, at once)" >&2
