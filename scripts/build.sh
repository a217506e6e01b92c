#!/usr/bin/env bash
# Configures and builds actbench into build/ (Release). Extra arguments go to CMake's configure
# step, e.g. scripts/build.sh -DCMAKE_PREFIX_PATH=/opt/libtorch to use an official LibTorch.
# ACTBENCH_TARGET=actbench builds only the binary (what demo.sh needs).
set -euo pipefail
cd "$(dirname "$0")/.."

generator=()
if command -v ninja >/dev/null 2>&1 && [ ! -f build/Makefile ]; then generator=(-G Ninja); fi
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
jobs=$(nproc 2>/dev/null || echo 2)
if [ -n "${ACTBENCH_TARGET:-}" ]; then
  cmake --build build --parallel "$jobs" --target "$ACTBENCH_TARGET"
else
  cmake --build build --parallel "$jobs"
fi
echo "build: build/actbench is ready" >&2
