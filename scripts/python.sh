#!/usr/bin/env bash
# Idempotent set-up of the Python environment of the `python` test layer and
# of the Spark bench: a virtual environment in .venv at the repository root
# with the pinned packages of crates/python/requirements.txt (PyPI), and a check
# that Java 17 or later is there for Spark. Fast when nothing changed: the
# install runs only when .venv is missing or older than the requirements.
# Prints the venv's python path on stdout.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

VENV="$ROOT/.venv"
REQS="$ROOT/crates/python/requirements.txt"
STAMP="$VENV/.requirements-installed"

PY="${PYTHON:-python3}"
command -v "$PY" >/dev/null 2>&1 || die "python3 not found: install Python 3.9 or later (Debian: apt-get install python3 python3-venv)."
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' \
  || die "$("$PY" --version 2>&1) is too old: Python 3.9 or later is needed."

if [ ! -x "$VENV/bin/python" ]; then
  say "creating the Python virtual environment .venv ($("$PY" --version 2>&1))"
  "$PY" -m venv "$VENV" \
    || die "python3 -m venv failed (Debian: apt-get install python3-venv)."
fi
if [ ! -f "$STAMP" ] || [ "$REQS" -nt "$STAMP" ]; then
  say "installing the Python packages of crates/python/requirements.txt into .venv (pip)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQS"
  cp "$REQS" "$STAMP"
fi

# Spark 4 runs on Java 17 or 21.
java_major() { java -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print v[1]; exit }'; }
if ! command -v java >/dev/null 2>&1; then
  die "java not found: Spark needs Java 17 or later.
  Debian/Ubuntu: apt-get install openjdk-17-jre-headless   (or set JAVA_HOME)"
fi
major="$(java_major)"
if [ -z "$major" ] || [ "$major" -lt 17 ]; then
  die "java is version '${major:-unknown}': Spark needs Java 17 or later.
  Debian/Ubuntu: apt-get install openjdk-17-jre-headless"
fi

echo "$VENV/bin/python"
