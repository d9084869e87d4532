#!/usr/bin/env bash
# Builds the onstage-datafusion wheel (onstage_evaluate as a DataFusion
# aggregate in Rust, crates/datafusion) into target/wheels/ with maturin and
# installs it into .venv. Prints the wheel's path on stdout.
#
# DataFusion's crates take long to build (docs/warehouse.md gives the
# figures), so their build is kept between runs in a cache directory
# outside the checkout: a fresh machine pays it once, a clean clone on the
# same machine rebuilds only onstage's crates. ONSTAGE_DATAFUSION_TARGET
# moves it; ONSTAGE_DATAFUSION_PROFILE picks the cargo profile (the tests
# use `wheel-test`, the Cargo.toml profile that builds fastest; a team
# building its wheel uses the default, `release`).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

py="$(bash scripts/python.sh)"
export CARGO_TARGET_DIR="$DATAFUSION_TARGET"
profile="${ONSTAGE_DATAFUSION_PROFILE:-release}"
mkdir -p "$CARGO_TARGET_DIR" target/wheels
rm -f target/wheels/onstage_datafusion-*.whl
"$ROOT/.venv/bin/maturin" build --profile "$profile" -m crates/datafusion/Cargo.toml --out target/wheels >&2
wheel="$(ls target/wheels/onstage_datafusion-*.whl)"
"$py" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel" >&2
echo "$wheel"
