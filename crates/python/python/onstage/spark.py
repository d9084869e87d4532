"""onstage on Spark: every user of a DataFrame of events, on the executors.

    from onstage.spark import evaluate
    result = evaluate(events_df, pathlib.Path("saas.json"), "2026-04-01T00:00:00Z", identify_df)

Each user's events are one group (``groupBy("user")``, co-grouped with the
identify data when given) handed to the native evaluator as an Arrow table
(``applyInArrow``, pyspark 4.0 or later), so a user's result is the one
``Evaluator.evaluate`` and ``onstage simulate`` give. The wheel must be
installed on the executors. A refused row fails the task with
:class:`onstage.BadRowsError` (its message names the user, the row within
the user's group, and the code): rows are never dropped silently.
"""

from __future__ import annotations

import pyarrow as pa

from onstage import BadRowsError, Evaluator, as_of_ms, config_text

__all__ = ["evaluate", "result_schema"]

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


def evaluate(df, config, as_of, identify_df=None):
    """One row per user of ``df`` (columns ``user``, ``name``, ``at``,
    optionally ``props``) at ``as_of``; ``identify_df`` has one row per user
    (``user``, ``attributes``, ``entitlements``, ``tz_offset_minutes``)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    text = config_text(config)
    ms = as_of_ms(as_of)
    target = _arrow_schema(Evaluator(text))
    spark_schema = from_arrow_schema(target)

    def run(events: pa.Table, identify: pa.Table | None) -> pa.Table:
        table, errors = _evaluator(text).evaluate_with_errors(events, ms, identify, threads=1)
        if errors:
            raise BadRowsError(errors, table)
        return table.cast(target)

    if identify_df is None:
        return df.groupBy("user").applyInArrow(lambda events: run(events, None), spark_schema)
    return (
        df.groupBy("user")
        .cogroup(identify_df.groupBy("user"))
        .applyInArrow(lambda events, identify: run(events, identify), spark_schema)
    )
