#!/usr/bin/env bash
# npm test: set-up, then every test layer in order, stopping at the first
# failure with a message naming the layer.
#
#   1. native  cargo test (lib, bins, tests), the doc tests, the docs' examples
#   2. clippy  the no-panic lints (unwrap, expect, panic, indexing) outside tests
#   3. python  the Python wheel (maturin) and its tests (crates/python/tests/):
#              every row against `onstage simulate`, natively, streamed, on a
#              local Spark (local[2], both modes) and in DataFusion SQL (the
#              onstage-datafusion wheel, its DataFusion crates built once
#              into a cache outside the checkout); bad rows named; one user of 1,000,000 events streamed in bounded
#              memory (a .venv of the pinned packages of
#              crates/python/requirements.txt; Java 17 for Spark)
#   4. wasm    tests/wasm_*.rs and crates/wasm/tests/ in headless Chromium
#              (wasm-bindgen-test-runner with Debian's chromedriver)
#   5. build   the release package into dist/ (scripts/build-wasm.sh), and the
#              default entry's brotli size against bench/budgets.json
#   6. types   tsc --noEmit of tests/types/usage.ts against crates/wasm/js/index.d.ts
#   7. e2e     node --test tests/e2e/*.test.mjs in headless Chromium (playwright-core),
#              generated timelines through the package against `onstage simulate`
#   8. package npm pack, the example apps installed from the tarball and built
#              (Vite 7 with React 19 and 18, webpack 5, no bundler), Node tests
#              of the installed package, tsc over a usage file of every entry,
#              and the examples driven in headless Chromium (tests/package/)
#
# Run some layers only: bash scripts/test.sh wasm e2e   (set-up always runs;
# e2e needs a package built by an earlier `build`).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ALL_LAYERS=(native clippy python wasm build types e2e package)
if [ $# -gt 0 ]; then
  for l in "$@"; do
    [[ " ${ALL_LAYERS[*]} " == *" $l "* ]] || die "unknown layer '$l' (layers: ${ALL_LAYERS[*]})"
  done
  LAYERS=("$@")
else
  LAYERS=("${ALL_LAYERS[@]}")
fi

SHARED="$ROOT/../shared"
[ -f "$SHARED/examples/saas.json" ] || die "../shared/examples/saas.json not found: the tests read the shared contract files from ../shared beside the repository ($SHARED)."

declare -a SUMMARY=()
declare -A WHAT=(
  [setup]="scripts/setup.sh: wasm target, wasm-bindgen-cli, npm packages, Chromium"
  [native]="cargo test of the core and the CLI, doc tests, the docs' examples"
  [clippy]="cargo clippy: no unwrap, expect, panic or unchecked indexing outside tests"
  [python]="the Python wheel (maturin) and pytest: every row against onstage simulate"
  [wasm]="tests/wasm_*.rs and crates/wasm/tests/ in headless Chromium (wasm-bindgen-test-runner)"
  [build]="release package into dist/"
  [types]="tsc --noEmit of a usage example against the package's hand-written types"
  [e2e]="node --test tests/e2e/ in headless Chromium (playwright-core)"
  [package]="npm pack; examples/ installed from the tarball, built (Vite, webpack), tested in Node, tsc, Chromium"
)
run_layer() {
  local name=$1; shift
  local start=$SECONDS
  printf '\n%s==> %s: %s%s\n' "$C_BLUE" "$name" "${WHAT[$name]}" "$C_OFF" >&2
  set +e
  ( set -e; "$@" )
  local rc=$?
  set -e
  local took=$((SECONDS - start))
  if [ $rc -ne 0 ]; then
    printf '\n%snpm test FAILED in layer "%s"%s (exit %d after %ds). Layers passed before it: %s\n' \
      "$C_RED" "$name" "$C_OFF" "$rc" "$took" "${SUMMARY[*]:-none}" >&2
    exit "$rc"
  fi
  SUMMARY+=("$name(${took}s)")
}

layer_setup() {
  # The Python environment only when the python layer runs.
  if [[ " ${LAYERS[*]} " == *" python "* ]]; then bash scripts/setup.sh --python; else bash scripts/setup.sh; fi
}

layer_native() {
  # The criterion benches are left to `cargo bench` / `npm run bench`.
  cargo test --lib --bins --tests
  cargo test --doc
  # Every example the docs show, run again: the docs cannot drift from the code.
  ONSTAGE="$ROOT/target/debug/onstage" bash docs/examples/check.sh
}

layer_clippy() {
  # The whole workspace as rustfmt.toml lays it out (tests included).
  cargo fmt --all --check
  # Native code (core, CLI, onstage-arrow) and the binding on its own target,
  # with their tests, benches and examples. Tests may unwrap, expect, panic
  # and index (a failing test should panic): clippy.toml allows it in
  # #[test] and #[cfg(test)] code, a crate-level #![allow] in each
  # integration test, bench and example that needs it.
  cargo clippy --all-targets -- -D warnings
  cargo clippy -p onstage-wasm --all-targets --target "$WASM_TARGET" -- -D warnings
  cargo clippy -p onstage-python --all-targets -- -D warnings
  # Its dependency tree (DataFusion) is heavy: its library only.
  CARGO_TARGET_DIR="$DATAFUSION_TARGET" cargo clippy -p onstage-datafusion --lib -- -D warnings
}

layer_python() {
  local py
  py="$(bash scripts/python.sh)"
  # The CLI the results are compared with, and the wheel a team installs.
  cargo build -p onstage-cli
  bash scripts/python-wheel.sh
  ONSTAGE_DATAFUSION_PROFILE=wheel-test bash scripts/python-datafusion-wheel.sh
  ( cd crates/python && "$py" -m pytest -q tests )
}

layer_wasm() {
  local tests=() f
  for f in tests/wasm_*.rs; do
    [ -e "$f" ] && tests+=(--test "$(basename "$f" .rs)")
  done
  local binding=()
  for f in crates/wasm/tests/*.rs; do
    [ -e "$f" ] && binding+=(--test "$(basename "$f" .rs)")
  done
  local chrome driver caps
  chrome="$(find_chrome)"
  driver="$(find_chromedriver)"
  # Capabilities for chromedriver. The runner itself adds --headless,
  # --no-sandbox and --disable-dev-shm-usage; these keep Chromium off the
  # network and use the same browser as the end-to-end tests.
  caps="$(mktemp -t onstage-webdriver.XXXXXX.json)"
  # shellcheck disable=SC2064
  trap "rm -f '$caps'" EXIT
  CHROME="$chrome" node -e '
    const args = ["disable-gpu", "disable-quic", "no-first-run", "disable-background-networking",
                  "disable-component-update", "disable-sync"];
    process.stdout.write(JSON.stringify({ "goog:chromeOptions": { binary: process.env.CHROME, args } }));
  ' > "$caps"
  # CHROMEDRIVER explicitly: the runner prefers geckodriver when one is on PATH.
  in_browser() {
    CHROMEDRIVER="$driver" \
    WASM_BINDGEN_TEST_WEBDRIVER_JSON="$caps" \
    WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
      cargo test --target "$WASM_TARGET" "$@"
  }
  # The core's smoke tests, then the binding's own tests.
  [ ${#tests[@]} -eq 0 ] || in_browser -p onstage "${tests[@]}"
  # Both of its modules' code: the page's (default feature `engine`) and
  # the compiler's (`compiler`), and a plan from one read by the other.
  [ ${#binding[@]} -eq 0 ] || in_browser -p onstage-wasm --features compiler "${binding[@]}"
}

layer_build() {
  bash scripts/build-wasm.sh
  # Sizes are deterministic: the default entry may not grow past its budget
  # (or, while that is missed, past the ceiling pinned in bench/budgets.json).
  node scripts/size-report.mjs --check
  # So is the wasm code run on the way to the first decision (what V8
  # compiles lazily before it): it may not grow past its ceiling either.
  node scripts/cold-path.mjs --check
}

layer_types() { "$ROOT/node_modules/.bin/tsc" -p tests/types/tsconfig.json; }

layer_e2e() {
  local files=(tests/e2e/*.test.mjs)
  [ -e "${files[0]}" ] || { say "no tests/e2e/*.test.mjs"; return 0; }
  # The CLI that differential.test.mjs compares the package with.
  cargo build -p onstage-cli
  CHROME_PATH="$(find_chrome)" node --test "${files[@]}"
}

layer_package() {
  bash scripts/examples.sh
  local tsc="$ROOT/node_modules/.bin/tsc"
  (
    cd examples/react-vite
    node --test test/
    "$tsc" -p types/tsconfig.json
    "$tsc" -p types/tsconfig.node16.json
  )
  CHROME_PATH="$(find_chrome)" node --test tests/package/*.test.mjs
}

total_start=$SECONDS
run_layer setup layer_setup
for l in "${LAYERS[@]}"; do
  run_layer "$l" "layer_$l"
done
printf '\n%snpm test passed%s in %ds: %s\n' "$C_GREEN" "$C_OFF" "$((SECONDS - total_start))" "${SUMMARY[*]}" >&2
