"""onstage on Spark: every user of a DataFrame of events, on the executors.

    from onstage.spark import evaluate
    result = evaluate(events_df, pathlib.Path("saas.json"), "2026-04-01T00:00:00Z", identify_df)

By default (``mode="stream"``) the events and the identify rows are
repartitioned by user, sorted within each partition by user, identify
first, time (ms) and row, and each partition's record batches are fed to
the native streaming evaluator (``mapInArrow``, :class:`onstage.Stream`):
a Python worker holds one Arrow batch and one user's engine state, however
many events a user has. ``mode="group"`` hands each user's events to the
native evaluator as one Arrow table (``groupBy("user")``, co-grouped with
the identify data, ``applyInArrow``), so a user's whole group is in the
worker's memory. Both give, for every user, the row ``Evaluator.evaluate``
and ``onstage simulate`` give (pyspark 4.0 or later; the wheel installed
on the executors). A refused row fails the task with
:class:`onstage.BadRowsError`, naming the table, the row, the user and the
code: rows are never dropped silently.
"""

from __future__ import annotations

import pyarrow as pa

from onstage import BadRowsError, Evaluator, as_of_ms, config_text

__all__ = ["evaluate", "result_schema", "sorted_rows"]

# One compiled config per config text in each Python worker: a group is
# one user, so compiling per group would cost more than the user.
_COMPILED: dict = {}


def _evaluator(text: str) -> Evaluator:
    ev = _COMPILED.get(text)
    if ev is None:
        ev = _COMPILED[text] = Evaluator(text)
    return ev


def _arrow_schema(evaluator: Evaluator) -> pa.Schema:
    # Spark has no unsigned integers (the counts are int64 there) and
    # keeps timestamps in microseconds.
    fields = []
    for f in evaluator.output_schema:
        if pa.types.is_uint64(f.type):
            f = pa.field(f.name, pa.int64(), f.nullable)
        elif pa.types.is_timestamp(f.type):
            f = pa.field(f.name, pa.timestamp("us", tz="UTC"), f.nullable)
        fields.append(f)
    return pa.schema(fields)


def result_schema(config):
    """The Spark schema (StructType) of :func:`evaluate`'s result."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(_arrow_schema(Evaluator(config)))


_EVENT_COLUMNS = ["user", "name", "at", "props"]
_IDENTIFY_COLUMNS = ["user", "attributes", "entitlements", "tz_offset_minutes"]


def _known(df, columns):
    return [c for c in columns if c in df.columns]


def _with_row(df):
    """``df`` with a ``row`` column: its own when it has one, else
    ``monotonically_increasing_id()`` (unique, increasing in the
    DataFrame's order: partition index << 33 plus the row's index)."""
    from pyspark.sql import functions as F

    return df if "row" in df.columns else df.withColumn("row", F.monotonically_increasing_id())


def sorted_rows(df, identify_df=None, partitions=None):
    """The DataFrame the streaming mode feeds to its workers: the events
    (``identify`` false) and identify rows (``identify`` true) with their
    ``row``, repartitioned by user and sorted within each partition by
    user, identify rows first, time to the millisecond, then row."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    rows = _with_row(df).select(*_known(df, _EVENT_COLUMNS), "row").withColumn("identify", F.lit(False))
    if identify_df is not None:
        ids = _with_row(identify_df).select(*_known(identify_df, _IDENTIFY_COLUMNS), "row")
        rows = rows.unionByName(ids.withColumn("identify", F.lit(True)), allowMissingColumns=True)
    # The batch rule orders a user's events by the millisecond (then row);
    # text times by Spark's reading of them (a time the core reads
    # otherwise is refused as out of order, never replayed out of order).
    at = F.col("at")
    if isinstance(df.schema["at"].dataType, StringType):
        at = F.try_to_timestamp(at)
    rows = rows.repartition(partitions, "user") if partitions else rows.repartition("user")
    return rows.sortWithinPartitions("user", F.col("identify").desc(), F.unix_millis(at), "row")


def evaluate(df, config, as_of, identify_df=None, *, mode: str = "stream", partitions=None):
    """One row per user of ``df`` (columns ``user``, ``name``, ``at``,
    optionally ``props`` and ``row``) at ``as_of``; ``identify_df`` has one
    row per user (``user``, ``attributes``, ``entitlements``,
    ``tz_offset_minutes``, optionally ``row``). ``mode``: ``"stream"``
    (memory bounded per user) or ``"group"`` (a user's group in memory).
    ``partitions``: the number of partitions of the streaming mode's
    shuffle (default ``spark.sql.shuffle.partitions``)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    text = config_text(config)
    ms = as_of_ms(as_of)
    target = _arrow_schema(Evaluator(text))
    spark_schema = from_arrow_schema(target)

    if mode == "stream":

        def stream(batches):
            rows = _evaluator(text).stream(ms)
            for batch in batches:
                out = rows.feed(batch)
                if out.num_rows:
                    yield from out.cast(target).to_batches()
            out = rows.finish()
            if out.num_rows:
                yield from out.cast(target).to_batches()
            if rows.errors:
                raise BadRowsError(rows.errors, None)

        return sorted_rows(df, identify_df, partitions).mapInArrow(stream, spark_schema)
    if mode != "group":
        raise ValueError(f'mode must be "stream" or "group", not {mode!r}')

    def run(events: pa.Table, identify: pa.Table | None) -> pa.Table:
        # The group in row order (Spark gives it in any order): events at
        # the same time replay in row order, and errors name the row.
        events = events.sort_by("row")
        rows = {"events": events.column("row").to_pylist()}
        events = events.drop_columns(["row"])
        if identify is not None:
            rows["identify"] = identify.column("row").to_pylist()
            identify = identify.drop_columns(["row"])
        table, errors = _evaluator(text).evaluate_with_errors(events, ms, identify, threads=1)
        if errors:
            for e in errors:
                e["row"] = rows[e["table"]][e["row"]]
            raise BadRowsError(errors, table)
        return table.cast(target)

    events = _with_row(df).select(*_known(df, _EVENT_COLUMNS), "row")
    if identify_df is None:
        return events.groupBy("user").applyInArrow(lambda group: run(group, None), spark_schema)
    identify = _with_row(identify_df).select(*_known(identify_df, _IDENTIFY_COLUMNS), "row")
    return (
        events.groupBy("user")
        .cogroup(identify.groupBy("user"))
        .applyInArrow(lambda group, ids: run(group, ids), spark_schema)
    )
