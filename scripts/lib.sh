# Shared helpers for the scripts in this directory. Source it; do not run it.
# shellcheck shell=bash

# Repository root (the directory holding Cargo.toml and package.json).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Rust installed by rustup but not on PATH yet (fresh shells, CI).
if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
# `cargo install` puts binaries here.
case ":$PATH:" in
  *":${CARGO_HOME:-$HOME/.cargo}/bin:"*) ;;
  *) PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" ;;
esac
export PATH

WASM_TARGET=wasm32-unknown-unknown
# Where onstage-datafusion (DataFusion's crates) is built: a cache outside
# the checkout, kept between runs (scripts/python-datafusion-wheel.sh).
DATAFUSION_TARGET="${ONSTAGE_DATAFUSION_TARGET:-${XDG_CACHE_HOME:-$HOME/.cache}/onstage/datafusion-target}"
# Where the package is built (the npm package's files: package.json's
# `files` and `exports` point here). scripts/serve.mjs serves it as /pkg/.
PKG_DIR="$ROOT/dist"

# Colours only on a terminal (CI logs stay plain).
if [ -t 2 ]; then
  C_BOLD=$'\033[1m' C_RED=$'\033[1;31m' C_GREEN=$'\033[1;32m' C_BLUE=$'\033[1;34m' C_OFF=$'\033[0m'
else
  C_BOLD='' C_RED='' C_GREEN='' C_BLUE='' C_OFF=''
fi
say() { printf '%s[onstage]%s %s\n' "$C_BOLD" "$C_OFF" "$*" >&2; }
die() { printf '%s[onstage] error:%s %s\n' "$C_RED" "$C_OFF" "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# The version of the wasm-bindgen crate locked in Cargo.lock: the CLI must
# match it exactly.
locked_wasm_bindgen_version() {
  awk '
    /^\[\[package\]\]/ { in_pkg = 0 }
    /^name = "wasm-bindgen"$/ { in_pkg = 1; next }
    in_pkg && /^version = / { gsub(/"/, "", $3); print $3; exit }
  ' "$ROOT/Cargo.lock"
}

# Prints the installed wasm-bindgen CLI version, or nothing.
installed_wasm_bindgen_version() {
  command -v wasm-bindgen >/dev/null 2>&1 || return 0
  wasm-bindgen --version 2>/dev/null | awk '{print $2}'
}

# The Chromium (or Chrome) executable: $CHROME_PATH, else the first one on
# PATH. Prints nothing when there is none.
find_chrome() {
  if [ -n "${CHROME_PATH:-}" ]; then
    [ -x "$CHROME_PATH" ] && echo "$CHROME_PATH"
    return 0
  fi
  local name
  for name in chromium chromium-browser google-chrome google-chrome-stable chrome; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  done
}

# The chromedriver executable: $CHROMEDRIVER, else the one on PATH.
find_chromedriver() {
  if [ -n "${CHROMEDRIVER:-}" ]; then
    [ -x "$CHROMEDRIVER" ] && echo "$CHROMEDRIVER"
    return 0
  fi
  command -v chromedriver 2>/dev/null || true
}

# apt-get install, as root, non-interactively; `apt-get update` once.
APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

can_apt() { is_root && command -v apt-get >/dev/null 2>&1; }
