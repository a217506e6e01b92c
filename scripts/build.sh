#!/usr/bin/env bash
# Configures and builds actbench into build/ (Release). Extra arguments go to CMake's configure
# step, e.g. scripts/build.sh -DCMAKE_PREFIX_PATH=/opt/libtorch to use an official LibTorch.
# ACTBENCH_TARGET=actbench builds only the binary (what demo.sh needs); ACTBENCH_BUILD_DIR=DIR
# builds into DIR instead of build/ (scripts/test.sh --sanitize: build-sanitize/).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${ACTBENCH_BUILD_DIR:-build}
generator=()
if command -v ninja >/dev/null 2>&1 && [ ! -f "$dir/Makefile" ]; then generator=(-G Ninja); fi
cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
jobs=$(nproc 2>/dev/null || echo 2)
if [ -n "${ACTBENCH_TARGET:-}" ]; then
  cmake --build "$dir" --parallel "$jobs" --target "$ACTBENCH_TARGET"
else
  cmake --build "$dir" --parallel "$jobs"
fi
echo "build: $dir/actbench is ready" >&2
