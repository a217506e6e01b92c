#!/usr/bin/env bash
# Installs what is missing (with the packages only the tests use: a browser and a PDF reader),
# builds actbench and its tests, fetches MNIST (for the one test that uses the real data set; it
# is skipped if the data cannot be fetched) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --tests
bash scripts/build.sh -DACTBENCH_BUILD_TESTS=ON
if ! bash scripts/fetch_data.sh mnist data/mnist; then
  echo "test: could not fetch MNIST; the real-data test will be skipped" >&2
fi
cd build
ctest --output-on-failure --parallel 2 --timeout 600
