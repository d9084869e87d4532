"""onstage in DataFusion SQL: aggregate functions over each user's rows.

    ctx = datafusion.SessionContext()
    onstage.datafusion.register(ctx, pathlib.Path("saas.json"), "2026-04-01T00:00:00Z")
    ctx.sql('SELECT "user", onstage_evaluate("user", name, at, props, "row") AS r FROM events GROUP BY "user"')

``register`` adds two aggregates:

- ``onstage_evaluate(user, name, at, props, row)`` over events alone;
- ``onstage_evaluate_with_identify(user, name, at, props, row, identify,
  attributes, entitlements, tz_offset_minutes)`` over the events and the
  identify rows in one input (``UNION ALL``): ``identify`` true marks a
  row of identify data (its ``name``, ``at`` and ``props`` are not read),
  false or null an event (its identify columns are not read). The
  identify data is given by rows, not by extra arguments on each event,
  so a user with identify data and no events still gets a row, a second
  identify row of a user is refused (``duplicate_id``) and a bad identify
  row is named by its own ``row``.

The accumulator keeps the user's rows (its partial state is those rows as
Arrow IPC bytes); merging appends them, and the final step sorts them by
``row`` (events and identify rows apart) before the native evaluator
replays them, so partial states merged in any order give the one-pass
result. ``row`` is any integer that numbers the rows of each input table
(``row_number() OVER ()`` when a table has none): it orders events at the
same time and names a refused row. A refused row fails the query with
:class:`onstage.BadRowsError`.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from onstage import BadRowsError, Evaluator, as_of_ms, config_text

__all__ = ["register", "aggregate"]

_EVENTS = [
    ("user", pa.string()),
    ("name", pa.string()),
    ("at", pa.timestamp("ms", tz="UTC")),
    ("props", pa.string()),
    ("row", pa.int64()),
]
_IDENTIFY = [
    ("identify", pa.bool_()),
    ("attributes", pa.string()),
    ("entitlements", pa.string()),
    ("tz_offset_minutes", pa.int64()),
]
_EVENT_COLUMNS = ["user", "name", "at", "props"]
_IDENTIFY_COLUMNS = ["user", "attributes", "entitlements", "tz_offset_minutes"]


def _result_type(evaluator: Evaluator) -> pa.DataType:
    return pa.struct([f for f in evaluator.output_schema if f.name != "user"])


def aggregate(config, as_of, name: str = "onstage_evaluate", *, identify: bool = False):
    """The aggregate UDF (``datafusion.udaf``) for a config at ``as_of``:
    ``name(user, name, at, props, row)``, or with ``identify``
    ``name(user, name, at, props, row, identify, attributes, entitlements,
    tz_offset_minutes)``."""
    import datafusion

    text = config_text(config)
    ms = as_of_ms(as_of)
    evaluator = Evaluator(text)
    result_type = _result_type(evaluator)
    schema = pa.schema(_EVENTS + _IDENTIFY if identify else _EVENTS)
    inputs = list(schema.types)

    def tables(table: pa.Table) -> dict:
        """The user's events and identify rows apart, each by ``row``."""
        if not identify:
            return {"events": table.sort_by("row")}
        flag = pc.fill_null(table.column("identify"), False)
        return {"events": table.filter(pc.invert(flag)).sort_by("row"), "identify": table.filter(flag).sort_by("row")}

    class Accumulate(datafusion.Accumulator):
        def __init__(self):
            self._batches = []

        def update(self, *columns):
            arrays = [c.cast(t) for c, t in zip(columns, inputs)]
            self._batches.append(pa.record_batch(arrays, schema=schema))

        def _table(self):
            return pa.Table.from_batches(self._batches, schema=schema)

        def state(self):
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, schema) as writer:
                writer.write_table(self._table())
            return [pa.scalar(sink.getvalue().to_pybytes(), pa.large_binary())]

        def merge(self, states):
            for blob in states[0]:
                if blob.is_valid:
                    self._batches.extend(pa.ipc.open_stream(blob.as_py()).read_all().to_batches())

        def evaluate(self):
            parts = tables(self._table())
            rows = {table: t.column("row").to_pylist() for table, t in parts.items()}
            ids = parts.get("identify")
            result, errors = evaluator.evaluate_with_errors(
                parts["events"].select(_EVENT_COLUMNS), ms,
                None if ids is None else ids.select(_IDENTIFY_COLUMNS), threads=1,
            )
            if errors:
                for e in errors:
                    e["row"] = rows[e["table"]][e["row"]]
                raise BadRowsError(errors, result)
            if result.num_rows == 0:
                return pa.scalar(None, result_type)
            row = result.to_pylist()[0]
            del row["user"]
            return pa.scalar(row, result_type)

    return datafusion.udaf(Accumulate, inputs, result_type, [pa.large_binary()], "immutable", name=name)


def register(ctx, config, as_of, name: str = "onstage_evaluate"):
    """Registers ``name(user, name, at, props, row)`` and
    ``name_with_identify(user, name, at, props, row, identify, attributes,
    entitlements, tz_offset_minutes)`` in a SessionContext; returns both
    aggregates."""
    udafs = (aggregate(config, as_of, name), aggregate(config, as_of, f"{name}_with_identify", identify=True))
    for udaf in udafs:
        ctx.register_udaf(udaf)
    return udafs
