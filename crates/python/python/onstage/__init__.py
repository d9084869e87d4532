"""onstage for Python: the stage, segments, signals and decisions of every
user of an Arrow table, computed by the same Rust core as the browser
package and the ``onstage`` command line.

    import onstage
    ev = onstage.Evaluator(pathlib.Path("saas.json"))
    table = ev.evaluate(events, as_of="2026-04-01T00:00:00Z")

Spark: :mod:`onstage.spark`; DataFusion: :mod:`onstage.datafusion`.
"""

from __future__ import annotations

import json as _json
import os as _os

from onstage import _native
from onstage._native import ConfigError, OnstageError

__all__ = ["Evaluator", "ConfigError", "OnstageError", "validate", "config_text"]


def config_text(config) -> str:
    """The config's JSON text: ``str`` is JSON text, ``bytes`` UTF-8 JSON
    text, a ``pathlib.Path`` (any ``os.PathLike``) a file, and a ``dict``
    the config itself."""
    if isinstance(config, str):
        return config
    if isinstance(config, bytes):
        return config.decode("utf-8")
    if isinstance(config, _os.PathLike):
        with open(config, encoding="utf-8") as f:
            return f.read()
    if isinstance(config, dict):
        return _json.dumps(config, allow_nan=False)
    raise TypeError(
        f"config must be JSON text (str), a path (pathlib.Path) or a dict, not {type(config).__name__}"
    )


def validate(config) -> list:
    """Every problem of a config (errors and warnings), each a dict with
    ``severity``, ``code``, ``path`` and ``message``, as ``onstage
    validate --json`` prints them."""
    return _native.validate(config_text(config))


class Evaluator:
    """A config compiled once. A config with any error raises
    :class:`ConfigError`, whose ``problems`` lists every problem."""

    __slots__ = ("_native", "_text")

    def __init__(self, config):
        self._text = config_text(config)
        self._native = _native.Evaluator(self._text)

    @property
    def warnings(self) -> list:
        """The config's warnings (dicts like ``ConfigError.problems``)."""
        return self._native.warnings

    @property
    def config_json(self) -> str:
        """The config's JSON text (what Spark ships to its executors)."""
        return self._text
