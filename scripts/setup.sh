#!/usr/bin/env bash
# Idempotent set-up of everything the build and the tests need. Fast (about
# a second) when everything is already there; installs only what is missing:
#   - the wasm32-unknown-unknown Rust target (rustup)
#   - wasm-bindgen-cli at exactly the version of wasm-bindgen in Cargo.lock
#     (cargo install, 3-10 minutes the first time)
#   - npm dev dependencies (npm ci) when node_modules is missing or older
#     than package-lock.json: binaryen (wasm-opt), playwright-core
#   - Chromium and chromedriver (apt, only as root and only when absent),
#     unless --no-browser is given (npm start and npm run build need none)
#   - with --python: the Python environment (.venv) of the python layer and
#     the Spark bench, and a check for Java 17 (scripts/python.sh)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

browser=1
python=0
for arg in "$@"; do
  case "$arg" in
    --no-browser) browser=0 ;;
    --python) python=1 ;;
    *) die "setup.sh: unknown argument $arg (expected --no-browser or --python)" ;;
  esac
done

command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup (https://rustup.rs)."
command -v node >/dev/null 2>&1 || die "node not found: install Node.js 20 or later."
command -v npm >/dev/null 2>&1 || die "npm not found: install npm (it ships with Node.js)."

# 1. The wasm target.
if ! rustup target list --installed 2>/dev/null | grep -qx "$WASM_TARGET"; then
  command -v rustup >/dev/null 2>&1 || die "the $WASM_TARGET target is missing and rustup is not available to add it."
  say "adding the Rust target $WASM_TARGET"
  rustup target add "$WASM_TARGET"
fi

# 2. wasm-bindgen-cli at the locked version (wasm-bindgen and
#    wasm-bindgen-test-runner come from the same package).
want="$(locked_wasm_bindgen_version)"
[ -n "$want" ] || die "no wasm-bindgen entry in Cargo.lock: run 'cargo generate-lockfile' or check Cargo.toml."
have="$(installed_wasm_bindgen_version)"
runner_ok=0
if command -v wasm-bindgen-test-runner >/dev/null 2>&1 \
   && [ "$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}')" = "$want" ]; then
  runner_ok=1
fi
if [ "$have" != "$want" ] || [ "$runner_ok" != 1 ]; then
  say "installing wasm-bindgen-cli $want (found: ${have:-none}); this takes a few minutes"
  # It links OpenSSL (native-tls): make sure a C toolchain and the headers exist.
  if ! command -v cc >/dev/null 2>&1 || ! command -v pkg-config >/dev/null 2>&1 \
     || ! pkg-config --exists openssl 2>/dev/null; then
    if can_apt; then
      say "installing build-essential, pkg-config and libssl-dev (apt)"
      apt_install build-essential pkg-config libssl-dev
    else
      say "warning: cc, pkg-config or the OpenSSL headers look missing; if the install fails, install build-essential pkg-config libssl-dev"
    fi
  fi
  # Not --locked: with it, resolution of this version fails.
  cargo install wasm-bindgen-cli --version "$want"
  [ "$(installed_wasm_bindgen_version)" = "$want" ] \
    || die "wasm-bindgen-cli $want was installed but 'wasm-bindgen --version' says '$(installed_wasm_bindgen_version)': is another wasm-bindgen earlier on PATH ($(command -v wasm-bindgen))?"
fi

# 3. npm dev dependencies. npm writes node_modules/.package-lock.json on every
#    install, so it doubles as a stamp.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
   || [ ! -x node_modules/.bin/wasm-opt ]; then
  say "installing npm dev dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

# 4. Chromium and chromedriver, for the wasm tests and the end-to-end tests.
if [ "$browser" = 1 ]; then
  chrome="$(find_chrome)"
  driver="$(find_chromedriver)"
  if [ -z "$chrome" ] || [ -z "$driver" ]; then
    if [ -n "${CHROME_PATH:-}${CHROMEDRIVER:-}" ]; then
      die "CHROME_PATH='${CHROME_PATH:-}' / CHROMEDRIVER='${CHROMEDRIVER:-}' do not point to executables; fix them (both must be set when not on PATH)."
    elif can_apt; then
      say "installing Chromium and chromedriver (apt: chromium chromium-driver)"
      apt_install chromium chromium-driver
    else
      die "Chromium and chromedriver are needed for the browser tests and were not found.
  Debian/Ubuntu: sudo apt-get install chromium chromium-driver   (or run as root and the tests install them)
  Otherwise: install Chromium or Chrome and a matching chromedriver, then set
    CHROME_PATH=/path/to/chrome  CHROMEDRIVER=/path/to/chromedriver"
    fi
    [ -n "$(find_chrome)" ] && [ -n "$(find_chromedriver)" ] \
      || die "Chromium or chromedriver still not found after installing; set CHROME_PATH and CHROMEDRIVER."
  fi
fi

# 5. The Python environment, for the python layer and the Spark bench.
if [ "$python" = 1 ]; then
  bash scripts/python.sh >/dev/null
fi

say "set-up OK (wasm-bindgen $want, wasm-opt $(node_modules/.bin/wasm-opt --version | awk '{print $3}'))"
