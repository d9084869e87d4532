"""Shared paths of the Python tests (run by the `python` layer of npm test:
scripts/test.sh python)."""

import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared"
SAAS = SHARED / "examples" / "saas.json"
TIMELINES = SHARED / "examples" / "timelines"
# The CLI the results are compared with (cargo build -p onstage-cli).
ONSTAGE = os.environ.get("ONSTAGE", str(ROOT / "target" / "debug" / "onstage"))

sys.path.insert(0, str(pathlib.Path(__file__).parent))
