#!/usr/bin/env bash
# Installs the Debian 12 (bookworm) packages actbench needs to build, test and fetch its data.
# Does nothing (one status line, no apt-get update) when everything is already installed.
#   scripts/setup.sh           install whatever is missing (uses sudo when not root)
#   scripts/setup.sh --tests   the same, plus what only the tests use (TEST_PACKAGES)
#   scripts/setup.sh --fuzz    the same, plus clang and libFuzzer (FUZZ_PACKAGES: scripts/fuzz.sh)
#   scripts/setup.sh --check   only report what is missing; exit 1 if anything is, 0 otherwise
#                              (with --tests / --fuzz: those packages too)
# It also makes sure the system BLAS/LAPACK alternatives point at OpenBLAS (pthread flavour):
# Debian's reference BLAS makes LibTorch training about 15x slower.
set -euo pipefail

# Keep this list in one place; add new dependencies here.
PACKAGES=(
  build-essential g++ cmake ninja-build pkg-config git
  libtorch-dev libopenblas0-pthread
  libcli11-dev nlohmann-json3-dev libspdlog-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev googletest libboost-math-dev libssl-dev
  npm ca-certificates curl
  python3 python3-jsonschema python3-matplotlib
)
# What only the tests use (scripts/test.sh asks for them; the demo does not): Chromium renders
# the plot report in a real browser, poppler-utils (pdfinfo, pdffonts, pdftotext) opens the
# paper-style PDFs, TeX Live's pdflatex with pgf (texlive-pictures), booktabs and geometry
# (texlive-latex-recommended, texlive-latex-base) compiles them and the exported table into a
# LaTeX document (tests/e2e/latex_document_test.cpp; about 230 MB), Slurm and munge run a
# single-node cluster for the Slurm workflow (scripts/slurm/local_cluster.sh). Without them those
# tests skip with a message. clang-format 14 and universal-ctags check the code's rules
# (scripts/lint.sh).
TEST_PACKAGES=(
  chromium poppler-utils texlive-latex-base texlive-latex-recommended texlive-pictures
  slurm-wlm munge clang-format-14 universal-ctags
)
# What only scripts/fuzz.sh uses: clang and its runtime libraries (libFuzzer, the sanitizers).
FUZZ_PACKAGES=(
  clang libclang-rt-dev
)
# Packages that also count as present when this command is on PATH. NodeSource's nodejs bundles
# npm and conflicts with Debian's npm package, so installing npm there would fail.
declare -A SATISFIED_BY_COMMAND=(
  [npm]=npm
)

log() { echo "setup: $*" >&2; }
die() { local code=$1; shift; echo "setup: error: $*" >&2; exit "$code"; }

usage() {
  cat <<EOF
Usage: scripts/setup.sh [--tests] [--fuzz] [--check]
  (no args)  install missing Debian packages (apt-get; sudo when not root) and point the
             BLAS/LAPACK alternatives at OpenBLAS
  --tests    also the packages only the tests use: ${TEST_PACKAGES[*]}
  --fuzz     also the packages only scripts/fuzz.sh uses: ${FUZZ_PACKAGES[*]}
  --check    only report what is missing; exit 1 if something is, 0 otherwise
EOF
}

check_only=0
for arg in "$@"; do
  case "$arg" in
    --check) check_only=1 ;;
    --tests) PACKAGES+=("${TEST_PACKAGES[@]}") ;;
    --fuzz) PACKAGES+=("${FUZZ_PACKAGES[@]}") ;;
    -h | --help) usage; exit 0 ;;
    *) echo "setup: bad usage: $* (try --help)" >&2; exit 2 ;;
  esac
done

is_installed() {
  local status cmd=${SATISFIED_BY_COMMAND[$1]:-}
  if [ -n "$cmd" ] && command -v "$cmd" >/dev/null 2>&1; then return 0; fi
  status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)
  [ "$status" = "install ok installed" ]
}

# shellcheck source=scripts/as_root.sh
source "$(dirname "${BASH_SOURCE[0]}")/as_root.sh"

# --- BLAS/LAPACK alternatives -------------------------------------------------------------
# Prints "group target" for each BLAS/LAPACK alternative that does not point at OpenBLAS yet.
# Only groups that exist and whose OpenBLAS-pthread target is installed are considered.
# The multiarch triplet is looked up on each call: on a fresh machine dpkg-dev/gcc (which tell
# it) only appear once build-essential is installed.
blas_fixes_needed() {
  local multiarch lib group target current
  multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -dumpmachine 2>/dev/null || true)
  [ -n "$multiarch" ] || return 0
  for lib in libblas.so.3 liblapack.so.3; do
    group="$lib-$multiarch"
    target="/usr/lib/$multiarch/openblas-pthread/$lib"
    [ -e "$target" ] || continue
    current=$(update-alternatives --query "$group" 2>/dev/null | sed -n 's/^Value: //p' || true)
    [ -n "$current" ] || continue # group not registered (nothing provides it)
    if [ "$current" != "$target" ]; then
      echo "$group $target"
    fi
  done
}

fix_blas() {
  local group target
  while read -r group target; do
    [ -n "$group" ] || continue
    log "pointing $group at $target (reference BLAS is ~15x slower)"
    as_root update-alternatives --set "$group" "$target" >&2
  done < <(blas_fixes_needed)
}

# --- packages -----------------------------------------------------------------------------
missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done
blas_todo=$(blas_fixes_needed)

if [ "$check_only" -eq 1 ]; then
  status=0
  if [ "${#missing[@]}" -gt 0 ]; then
    log "missing packages: ${missing[*]}"
    status=1
  fi
  if [ -n "$blas_todo" ]; then
    while read -r group target; do
      log "alternative $group does not point at $target"
    done <<<"$blas_todo"
    status=1
  fi
  if [ "$status" -eq 0 ]; then log "all dependencies present"; fi
  exit "$status"
fi

if [ "${#missing[@]}" -eq 0 ] && [ -z "$blas_todo" ]; then
  log "all dependencies present"
  exit 0
fi

if [ "${#missing[@]}" -gt 0 ]; then
  log "installing missing packages: ${missing[*]}"
  as_root apt-get update >&2
  # Without systemd (a container), packages with daemons (munge, slurmd) must not start them:
  # their init scripts fail there and fail the install. policy-rc.d says "not now" (exit 101).
  policy=/usr/sbin/policy-rc.d
  if [ ! -d /run/systemd/system ] && [ ! -e "$policy" ]; then
    trap 'as_root rm -f "$policy"' EXIT
    printf '#!/bin/sh\n# scripts/setup.sh: no services started during the install\nexit 101\n' |
      as_root tee "$policy" >/dev/null
    as_root chmod 0755 "$policy"
  fi
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi

# Installing libopenblas0-pthread may have registered the alternatives just now: check again.
fix_blas

still_missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || still_missing+=("$pkg")
done
if [ "${#still_missing[@]}" -gt 0 ]; then
  die 1 "still missing after install: ${still_missing[*]}"
fi
if [ -n "$(blas_fixes_needed)" ]; then
  die 1 "BLAS/LAPACK alternatives still do not point at OpenBLAS"
fi
log "all dependencies installed"
