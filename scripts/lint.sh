#!/usr/bin/env bash
# The code rules, checked (scripts/test.sh runs this first; CI runs scripts/test.sh):
#   - every C++ file is formatted by Debian's clang-format 14 with the committed .clang-format
#     (fix: clang-format-14 -i FILE);
#   - every include points down the layer order of src/ (scripts/check_layers.py);
#   - no function in src/ is longer than 80 lines, tables excepted (scripts/check_functions.py);
#   - every GoogleTest suite is named after its file, and every test file is in tests/unit or
#     tests/e2e and built (scripts/check_test_names.py; docs/testing.md).
# Warnings as errors are the build's (ACTBENCH_WERROR, on by default).
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
format=${CLANG_FORMAT:-clang-format-14}
if ! command -v "$format" >/dev/null 2>&1; then
  echo "lint: $format not found; install it with scripts/setup.sh --tests" >&2
  exit 2
fi
report=$(mktemp)
mapfile -t sources < <(git ls-files '*.cpp' '*.h')
if ! "$format" --dry-run --Werror "${sources[@]}" 2>"$report"; then
  grep -E '^[^ ].*: (error|warning):'  "$report" | cut -d: -f1 | sort -u |
    sed 's/^/lint: not formatted (clang-format-14 -i): /' >&2
  status=1
fi
rm -f "$report"
python3 scripts/check_layers.py || status=1
python3 scripts/check_functions.py || status=1
python3 scripts/check_test_names.py || status=1
if [ "$status" -eq 0 ]; then echo "lint: format, layers, function lengths and test names ok" >&2; fi
exit "$status"
