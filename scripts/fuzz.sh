#!/usr/bin/env bash
# The long fuzz run (not part of CI): every tests/fuzz_*.rs target with many
# more cases than `cargo test` runs, in release mode with overflow checks
# and debug assertions on (so arithmetic overflow is found as a panic, as
# in a debug build, instead of wrapping silently), and a fresh seed; then
# the package's JavaScript targets, tests/e2e/fuzz_*.test.mjs, in Node.
#
#   bash scripts/fuzz.sh                 # ~1,360,000 cases in total
#   ONSTAGE_FUZZ_CASES=2000 bash scripts/fuzz.sh   # base cases per target
#   ONSTAGE_FUZZ_SEED=abc bash scripts/fuzz.sh     # replay a seed
#
# ONSTAGE_FUZZ_CASES is the base number of cases per target; cheap targets
# (time, codec) run 4x, the engine targets 0.5x, the JavaScript storage
# target 2x: the total is 17x the base.
# Prints one line per target with its case count, then the total. A failure
# prints the minimal input; add it to tests/fuzz_regressions.rs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export ONSTAGE_FUZZ_CASES="${ONSTAGE_FUZZ_CASES:-80000}"
export ONSTAGE_FUZZ_SEED="${ONSTAGE_FUZZ_SEED:-$(date +%s)}"
# Release, but with the checks of a debug build; no LTO so it builds fast.
export CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true
export CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
export CARGO_PROFILE_RELEASE_OPT_LEVEL=3
# Its own target directory: these settings must not mix with the artifacts
# of the shipped release build (LTO, no overflow checks).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/fuzz}"

targets=()
for f in tests/fuzz_*.rs; do
  targets+=(--test "$(basename "$f" .rs)")
done

log="$(mktemp -t onstage-fuzz.XXXXXX.log)"
echo "fuzz: base ${ONSTAGE_FUZZ_CASES} cases per target, seed ${ONSTAGE_FUZZ_SEED}, log ${log}" >&2
start=$SECONDS
set +e
cargo test --release --no-fail-fast "${targets[@]}" -- --nocapture --test-threads=2 2>&1 | tee "$log" | grep -E '^fuzz |panicked|FAILED|test result'
rc=${PIPESTATUS[0]}
for f in tests/e2e/fuzz_*.test.mjs; do
  [ -e "$f" ] || continue
  node --test "$f" 2>&1 | sed -E 's/^# (fuzz )/\1/' | tee -a "$log" | grep -E '^fuzz |^not ok'
  node_rc=${PIPESTATUS[0]}
  [ "$node_rc" -eq 0 ] || rc=$node_rc
done
set -e
total=$(grep -E '^fuzz [a-z_]+: [0-9]+ cases passed' "$log" | awk '{ s += $3 } END { print s + 0 }')
echo "fuzz: ${total} cases passed in total in $((SECONDS - start)) s (seed ${ONSTAGE_FUZZ_SEED})"
if [ "$rc" -ne 0 ]; then
  echo "fuzz: FAILED (exit $rc): see ${log} for the minimal input" >&2
fi
exit "$rc"
