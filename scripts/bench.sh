#!/usr/bin/env bash
# npm run bench: the benchmark suite, from a fresh clone.
#   1. set-up, as for npm test (toolchain, npm dev dependencies, Chromium)
#   2. the release wasm package (www/pkg/) and the release CLI
#   3. node scripts/bench.mjs: the browser benchmarks in one headless
#      Chromium, sizes, native simulate throughput -> bench/results.json;
#      node scripts/bench-batch.mjs: `onstage batch` over 10,000,000
#      events with 1 and 2 threads -> its `batch` section;
#      crates/python/bench_spark.py: onstage.spark.evaluate on Spark local
#      mode, 1 and 2 cores, modes stream and group on the same data, and
#      stream over the batch population (10,000,000 events) -> its `spark`
#      section (the .venv and the wheel first: scripts/python.sh,
#      scripts/python-wheel.sh)
#   4. node scripts/bench-readme.mjs: README's Performance section
# A missed budget is reported, not a failure. Extra arguments go to
# bench.mjs (e.g. --quick for a short smoke run that writes
# bench/tmp/results-quick.json and leaves the README alone).
# The criterion benches are separate: cargo bench.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

start=$(date +%s)
bash scripts/setup.sh
bash scripts/build-wasm.sh
say "cargo build --release --bin onstage"
cargo build --release --bin onstage
node scripts/bench.mjs "$@"
# onstage batch over 10 million events, 1 and 2 threads: the `batch` section.
node scripts/bench-batch.mjs "$@"
# Spark local mode, 1 and 2 cores: the `spark` section.
py="$(bash scripts/python.sh)"
bash scripts/python-wheel.sh >/dev/null
"$py" crates/python/bench_spark.py "$@"
quick=0
for arg in "$@"; do [ "$arg" = --quick ] && quick=1; done
if [ "$quick" = 0 ]; then
  node scripts/bench-readme.mjs
fi
say "npm run bench took $(( $(date +%s) - start )) s"
