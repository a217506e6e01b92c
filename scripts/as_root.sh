# shellcheck shell=bash
# Sourced by the scripts that install Debian packages.
# as_root CMD...: runs CMD as root, directly when we are root, through sudo otherwise; without
# either, prints one line and exits 2 (the caller's `die` is not needed).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "$(basename "$0" .sh): error: not running as root and sudo is not available; run as root or install sudo (needed: $*)" >&2
    exit 2
  fi
}
