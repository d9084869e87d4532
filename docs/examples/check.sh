#!/usr/bin/env bash
# Re-runs every example shown in docs/ and compares the output with the
# files kept here, so the docs cannot drift from the code.
#
#   bash docs/examples/check.sh            compare (exit 1 on any difference)
#   bash docs/examples/check.sh --update   rewrite the expected files
#
# Needs the CLI (cargo build --release) and ../shared beside the repository.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ONSTAGE="${ONSTAGE:-../../target/release/onstage}"
SAAS="${SAAS:-../../../shared/examples/saas.json}"
update=0
[ "${1:-}" = "--update" ] && update=1
failed=0

# check STATUS NAME COMMAND...: runs COMMAND, compares its exit status with
# STATUS and its standard output with the file NAME.
check() {
  local want=$1 name=$2; shift 2
  local out status
  set +e
  out="$("$@" 2>/dev/null)"
  status=$?
  set -e
  if [ $update = 1 ]; then
    printf '%s\n' "$out" > "$name"
  fi
  if [ "$status" != "$want" ] || ! diff -q "$name" <(printf '%s\n' "$out") >/dev/null; then
    echo "DIFFERS: $name (run: $*)"
    failed=1
  fi
}

check 0 saas-story.expected.jsonl "$ONSTAGE" simulate "$SAAS" saas-story.timeline.jsonl
check 0 prompts.expected.jsonl    "$ONSTAGE" simulate prompts.config.json prompts.timeline.jsonl
check 0 signals.expected.jsonl    "$ONSTAGE" simulate --no-reasons signals.config.json signals.timeline.jsonl
check 0 experiment.expected.jsonl "$ONSTAGE" simulate experiment.config.json experiment.timeline.jsonl
check 0 dwell.expected.jsonl      "$ONSTAGE" simulate --no-reasons "$SAAS" dwell.timeline.jsonl
check 0 nulls.expected.jsonl      "$ONSTAGE" simulate --no-reasons nulls.config.json nulls.timeline.jsonl
check 0 nulls.validate.txt        "$ONSTAGE" validate nulls.config.json
check 1 broken-saas.validate.txt  "$ONSTAGE" validate broken-saas.json
check 1 broken-saas.problems.jsonl "$ONSTAGE" validate --json broken-saas.json
check 0 batch.expected.jsonl      "$ONSTAGE" batch "$SAAS" export.jsonl --as-of 2026-03-01T00:00:00Z --threads 2
check 0 summaries.jsonl           "$ONSTAGE" summarize "$SAAS" export.jsonl --as-of 2026-03-01T00:00:00Z
check 0 import.expected.jsonl     "$ONSTAGE" simulate --no-reasons "$SAAS" import.timeline.jsonl
check 0 replay.expected.jsonl     "$ONSTAGE" simulate --no-reasons "$SAAS" replay.timeline.jsonl
# The compiled plan replays as its config (docs/config.md, "Compiled plans").
plan="$(mktemp)"
"$ONSTAGE" compile "$SAAS" -o "$plan"
check 0 saas-story.expected.jsonl "$ONSTAGE" simulate "$plan" saas-story.timeline.jsonl
rm -f "$plan"

if [ $update = 1 ]; then echo "expected files rewritten"; exit $failed; fi
if [ $failed = 1 ]; then echo "docs examples: some outputs differ from the docs"; exit 1; fi
echo "docs examples: every output matches"
