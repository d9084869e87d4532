"""onstage for Python: the stage, segments, signals and decisions of every
user of an Arrow table, computed by the same Rust core as the browser
package and the ``onstage`` command line.

    import onstage
    ev = onstage.Evaluator(pathlib.Path("saas.json"))
    table = ev.evaluate(events, as_of="2026-04-01T00:00:00Z")

Spark: :mod:`onstage.spark`; DataFusion: :mod:`onstage.datafusion`.
"""

from __future__ import annotations

import datetime as _dt
import json as _json
import os as _os

import pyarrow as _pa

from onstage import _native
from onstage._native import ConfigError, OnstageError

__all__ = ["Evaluator", "Stream", "ConfigError", "OnstageError", "BadRowsError", "validate", "config_text", "as_of_ms"]


def _describe(e) -> str:
    who = "" if e.get("user") is None else f" (user {e['user']!r})"
    return f"{e['table']} row {e['row']}{who}: {e['message']} [{e['code']}]"


class BadRowsError(OnstageError):
    """Some input rows were refused (``code`` is ``"bad_rows"``). ``errors``
    lists each with its ``table`` ("events" or "identify"), ``row`` (from 0,
    in input order), ``user``, ``code`` and ``message``; ``result`` is the
    table evaluated from the other rows (None where the results were
    already handed on, as in Spark)."""

    def __init__(self, errors, result):
        shown = "\n  ".join(_describe(e) for e in errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} input row(s) refused:\n  {shown}{more}")
        self.code = "bad_rows"
        self.problems = []
        self.errors = errors
        self.result = result


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def as_of_ms(as_of) -> int:
    """Milliseconds since the Unix epoch: ``as_of`` is RFC 3339 text with
    an offset (``"2026-04-01T00:00:00Z"``), an aware ``datetime``, or
    already an ``int`` of milliseconds."""
    if isinstance(as_of, bool):
        raise TypeError("as_of must be RFC 3339 text, an aware datetime or int milliseconds")
    if isinstance(as_of, int):
        return as_of
    if isinstance(as_of, str):
        return _native.parse_time(as_of)
    if isinstance(as_of, _dt.datetime):
        if as_of.tzinfo is None:
            raise ValueError("as_of is a naive datetime: give it a time zone (datetime.timezone.utc)")
        return (as_of - _EPOCH) // _dt.timedelta(milliseconds=1)
    raise TypeError(
        f"as_of must be RFC 3339 text, an aware datetime or int milliseconds, not {type(as_of).__name__}"
    )


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

    @property
    def output_schema(self) -> _pa.Schema:
        """The schema of :meth:`evaluate`'s result for this config."""
        return _pa.table(self._native.output_schema()).schema

    def stream(self, as_of) -> "Stream":
        """A :class:`Stream` of rows sorted by user, evaluated at
        ``as_of``: each user's result equals :meth:`evaluate`'s."""
        return Stream(self._native.stream(as_of_ms(as_of)))

    def evaluate_with_errors(self, events, as_of, identify=None, *, threads: int = 0):
        """Like :meth:`evaluate`, but returns ``(table, errors)`` instead
        of raising when rows are refused."""
        stream, errors = self._native.evaluate(
            events, as_of_ms(as_of), None if identify is None else identify, threads
        )
        return _pa.table(stream), errors

    def evaluate(self, events, as_of, identify=None, *, threads: int = 0) -> _pa.Table:
        """Every user of ``events`` at ``as_of``, one row per user sorted by
        user: ``user``, ``stage``, ``stage_since``, ``segments``,
        ``signals`` (a struct, one field per signal), ``decisions`` (a
        struct, one field per slot: ``experience``, ``variation``,
        ``holdout``, ``step``), ``events``, ``events_after_as_of``. Each user
        is exactly what ``onstage simulate`` gives for their identify data,
        their events in time order and ``{"decide": "*"}`` at ``as_of``.

        ``events``: any Arrow table or stream (``__arrow_c_stream__``:
        pyarrow, Polars, DuckDB) with ``user``, ``name``, ``at`` (a
        timestamp, or RFC 3339 text) and optionally ``props`` (JSON text or
        a struct), in any order. ``identify``: one row per user with
        ``user`` and any of ``attributes``, ``entitlements`` (JSON text or a
        struct) and ``tz_offset_minutes``. Refused rows raise
        :class:`BadRowsError` (with the result of the other rows); bad
        columns raise :class:`OnstageError`. ``threads``: 0 for every core.
        """
        table, errors = self.evaluate_with_errors(events, as_of, identify, threads=threads)
        if errors:
            raise BadRowsError(errors, table)
        return table


class Stream:
    """Rows sorted by user, evaluated a record batch at a time in memory
    bounded by the config: one user's engine state and the batch, however
    many events a user has (:meth:`Evaluator.stream`).

    Each batch has the events' columns (``user``, ``name``, ``at``,
    optionally ``props``), optionally the identify data's (``attributes``,
    ``entitlements``, ``tz_offset_minutes``), ``row`` (an integer naming
    the row in errors; by default its position in the stream) and
    ``identify`` (a boolean: true marks a row of identify data). The rows
    come sorted by ``user``, then identify rows first, then events by
    ``at`` (to the millisecond) then ``row``. A row out of that order is
    refused (``time_went_back``), never replayed out of order.
    """

    __slots__ = ("_native", "errors")

    def __init__(self, native):
        self._native = native
        #: The rows refused so far (dicts like :attr:`BadRowsError.errors`).
        self.errors = []

    def feed(self, rows) -> _pa.Table:
        """Reads ``rows`` (a record batch, table or stream); returns the
        results of the users it finished (those whose rows ended before
        its last row)."""
        out, errors = self._native.feed(rows)
        self.errors.extend(errors)
        return _pa.table(out)

    def finish(self) -> _pa.Table:
        """Ends the stream: the last user's result."""
        out, errors = self._native.finish()
        self.errors.extend(errors)
        return _pa.table(out)
