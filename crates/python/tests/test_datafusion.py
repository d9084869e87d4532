"""onstage_evaluate in DataFusion SQL against `onstage simulate`; partial
states merged in any order (shuffled rows, 1 to 4 partitions) give the
one-pass result."""

import random

import pyarrow as pa
import pytest

from conftest import SAAS
from oracle import arrow_tables, assert_same, population, simulate

datafusion = pytest.importorskip("datafusion")
import onstage.datafusion  # noqa: E402


def query(events, as_of, partitions, seed):
    ev, _ = arrow_tables(events, [])
    ev = ev.append_column("row", pa.array(range(ev.num_rows), pa.int64()))
    order = list(range(ev.num_rows))
    random.Random(seed).shuffle(order)
    shuffled = ev.take(order)
    ctx = datafusion.SessionContext(datafusion.SessionConfig().with_target_partitions(partitions))
    size = max(1, shuffled.num_rows // (partitions * 3))
    ctx.register_record_batches("events", [[b] for b in shuffled.to_batches(max_chunksize=size)])
    onstage.datafusion.register(ctx, SAAS, as_of)
    out = ctx.sql('SELECT "user", onstage_evaluate("user", name, at, props, "row") AS r FROM events GROUP BY "user"')
    return {row["user"]: row["r"] for row in out.to_arrow_table().to_pylist()}


def test_sql_equals_simulate_whatever_the_partitions():
    events, _, as_of = population(120, 11)
    expected = simulate(SAAS, events, [], as_of)
    first = None
    for partitions, seed in [(1, 1), (2, 2), (4, 3)]:
        got = query(events, as_of, partitions, seed)
        assert sorted(got) == sorted(u for u in expected if any(e["user"] == u for e in events))
        for user, r in got.items():
            assert_same({"user": user, **r}, expected[user])
        if first is None:
            first = got
        assert got == first
