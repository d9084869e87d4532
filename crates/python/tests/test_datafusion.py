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


def test_bad_rows_fail_the_query_naming_each_row():
    import datetime as dt

    utc = dt.timezone.utc
    t = dt.datetime(2026, 3, 1, tzinfo=utc)
    # User a: a good event (row 100), a null time (101), a time before
    # 1970 (102), props that are not JSON (103), nested props (104); a null
    # user (105).
    table = pa.table({
        "user": ["a", "a", "a", "a", "a", None],
        "name": ["report_created"] * 6,
        "at": pa.array([t, None, dt.datetime(1960, 1, 1, tzinfo=utc), t, t, t], pa.timestamp("ms", tz="UTC")),
        "props": [None, None, None, "{not json", '{"a": {"b": 1}}', None],
        "row": pa.array(range(100, 106), pa.int64()),
    })
    ctx = datafusion.SessionContext()
    ctx.register_record_batches("events", [table.to_batches()])
    onstage.datafusion.register(ctx, SAAS, "2026-03-02T00:00:00Z")

    def run(where):
        return ctx.sql(f'SELECT "user", onstage_evaluate("user", name, at, props, "row") AS r FROM events '
                       f'WHERE {where} GROUP BY "user"').to_arrow_table().to_pylist()

    with pytest.raises(Exception) as caught:
        run("\"user\" = 'a'")
    message = str(caught.value)
    for row, code in [(101, "bad_time"), (102, "bad_time"), (103, "bad_props"), (104, "bad_props")]:
        assert f"events row {row} (user 'a'): " in message and f"[{code}]" in message, (row, message)
    assert "events row 100 " not in message
    with pytest.raises(Exception) as caught:
        run('"user" IS NULL')
    assert "events row 105: the user is null [bad_user_id]" in str(caught.value)
    assert [r["r"]["events"] for r in run('"row" = 100')] == [1]
