"""onstage in DataFusion SQL: an aggregate function over each user's events.

    ctx = datafusion.SessionContext()
    onstage.datafusion.register(ctx, pathlib.Path("saas.json"), "2026-04-01T00:00:00Z")
    ctx.sql("SELECT user, onstage_evaluate(user, name, at, props, row) AS r FROM events GROUP BY user")

The accumulator keeps the user's events (its partial state is those
events as Arrow IPC bytes); merging appends them, and the result sorts
them by ``row`` before the native evaluator replays them, so partial
states merged in any order give the one-pass result. ``row`` is any
integer that numbers the input rows (``row_number() OVER ()`` when the
table has none): it orders events at the same time and names a refused
row. A refused row fails the query with :class:`onstage.BadRowsError`.
"""

from __future__ import annotations

import pyarrow as pa

from onstage import BadRowsError, Evaluator, as_of_ms, config_text

__all__ = ["register", "aggregate"]

_INPUTS = ["user", "name", "at", "props", "row"]


def _result_type(evaluator: Evaluator) -> pa.DataType:
    return pa.struct([f for f in evaluator.output_schema if f.name != "user"])


def aggregate(config, as_of, name: str = "onstage_evaluate"):
    """The aggregate UDF (``datafusion.udaf``) for a config at ``as_of``."""
    import datafusion

    text = config_text(config)
    ms = as_of_ms(as_of)
    evaluator = Evaluator(text)
    result_type = _result_type(evaluator)
    inputs = [pa.string(), pa.string(), pa.timestamp("ms", tz="UTC"), pa.string(), pa.int64()]
    schema = pa.schema(list(zip(_INPUTS, inputs)))

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
            table = self._table().sort_by([("row", "ascending")])
            if table.num_rows == 0:
                return pa.scalar(None, result_type)
            rows = table.column("row").to_pylist()
            events = table.select(["user", "name", "at", "props"])
            result, errors = evaluator.evaluate_with_errors(events, ms, threads=1)
            if errors:
                for e in errors:
                    e["row"] = rows[e["row"]]
                raise BadRowsError(errors, result)
            row = result.to_pylist()[0]
            del row["user"]
            return pa.scalar(row, result_type)

    return datafusion.udaf(Accumulate, inputs, result_type, [pa.large_binary()], "immutable", name=name)


def register(ctx, config, as_of, name: str = "onstage_evaluate"):
    """Registers ``name(user, name, at, props, row)`` in a SessionContext."""
    udaf = aggregate(config, as_of, name)
    ctx.register_udaf(udaf)
    return udaf
