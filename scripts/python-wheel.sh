#!/usr/bin/env bash
# Builds the onstage Python wheel (one abi3 wheel for CPython 3.9+) into
# target/wheels/ with maturin, and installs it into .venv: the same two
# commands a team runs before copying the wheel to its cluster
# (docs/warehouse.md). Prints the wheel's path on stdout.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

py="$(bash scripts/python.sh)"
rm -f target/wheels/onstage-*.whl
"$ROOT/.venv/bin/maturin" build --release -m crates/python/Cargo.toml --out target/wheels >&2
wheel="$(ls target/wheels/onstage-*.whl)"
"$py" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel" >&2
echo "$wheel"
