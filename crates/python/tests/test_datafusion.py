"""onstage_evaluate and onstage_evaluate_with_identify in DataFusion SQL
against `onstage simulate`: a generated population and the three shared
timelines with their identify data; partial states merged in any order
(shuffled rows, 1, 2 and 4 target partitions) give the one-pass result;
bad event and identify rows fail the query naming each row. The
aggregates are the Rust ones of the onstage-datafusion wheel, handed over
through datafusion-ffi."""

import datetime as dt
import json
import random
import sys

import pyarrow as pa
import pytest

from conftest import ROOT, SAAS, TIMELINES
from oracle import arrow_tables, assert_same, from_timeline, population, simulate

datafusion = pytest.importorskip("datafusion")
import onstage  # noqa: E402
import onstage.datafusion  # noqa: E402
import onstage_datafusion  # noqa: E402

# The statements docs/warehouse.md shows (checked below).
EVENTS_SQL = 'SELECT "user", onstage_evaluate("user", name, at, props, "row") AS r FROM events GROUP BY "user"'
IDENTIFY_SQL = """\
SELECT "user", onstage_evaluate_with_identify("user", name, at, props, "row", identify,
                                              attributes, entitlements, tz_offset_minutes) AS r
FROM (
  SELECT "user", name, at, props, "row", false AS identify,
         NULL AS attributes, NULL AS entitlements, NULL AS tz_offset_minutes FROM events
  UNION ALL
  SELECT "user", NULL, NULL, NULL, "row", true, attributes, entitlements, tz_offset_minutes FROM identify
)
GROUP BY "user\""""


def numbered(table, seed):
    """``table`` with a ``row`` column (its order), the rows shuffled."""
    table = table.append_column("row", pa.array(range(table.num_rows), pa.int64()))
    order = list(range(table.num_rows))
    random.Random(seed).shuffle(order)
    return table.take(pa.array(order, pa.int64()))


def query(config, ev, ids, as_of, partitions=1, sql=IDENTIFY_SQL):
    """{user: r} of ``sql`` over the tables ``events`` and ``identify``,
    each cut into several record batches (one partition each)."""
    ctx = datafusion.SessionContext(datafusion.SessionConfig().with_target_partitions(partitions))
    for name, table in [("events", ev), ("identify", ids)]:
        size = max(1, table.num_rows // (partitions * 3))
        batches = table.to_batches(max_chunksize=size) or [pa.RecordBatch.from_pylist([], schema=table.schema)]
        ctx.register_record_batches(name, [[b] for b in batches])
    onstage.datafusion.register(ctx, config, as_of)
    frame = ctx.sql(sql)
    # Each batch is a partition: partial states are merged on any number.
    plan = frame.execution_plan().display_indent()
    assert "AggregateExec: mode=Partial" in plan and "AggregateExec: mode=Final" in plan, plan
    out = frame.to_arrow_table().to_pylist()
    got = {row["user"]: row["r"] for row in out}
    assert len(got) == len(out)
    return got


def check(config, events, identify, as_of, sql=IDENTIFY_SQL):
    """Every row equals `onstage simulate`'s over 1, 2 and 4 partitions,
    from rows shuffled differently each time."""
    expected = simulate(config, events, identify, as_of)
    first = None
    for partitions, seed in [(1, 1), (2, 2), (4, 3)]:
        ev, ids = arrow_tables(events, identify)
        got = query(config, numbered(ev, seed), numbered(ids, seed), as_of, partitions, sql)
        assert sorted(got) == sorted(expected)
        for user, r in got.items():
            assert_same({"user": user, **r}, expected[user])
            assert r["events"] == sum(1 for e in events if e["user"] == user and e["at"] <= as_of)
        if first is None:
            first = got
        assert got == first


def test_events_alone_equal_simulate_whatever_the_partitions():
    events, _, as_of = population(120, 11)
    check(SAAS, events, [], as_of, EVENTS_SQL)


def test_events_and_identify_equal_simulate_whatever_the_partitions():
    events, identify, as_of = population(120, 12)
    # A user with identify data and no events still gets a row.
    identify.append({"user": "only-identified", "attributes": {"role": "owner"}, "tz_offset_minutes": 60})
    check(SAAS, events, identify, as_of)


@pytest.mark.parametrize("name,config", [("saas", SAAS), ("policy", TIMELINES / "policy.config.json"),
                                         ("tours", TIMELINES / "tours.config.json")])
def test_shared_timelines_equal_simulate_whatever_the_partitions(name, config):
    events, identify, as_of = from_timeline(TIMELINES / f"{name}.timeline.jsonl")
    assert events and identify
    check(config, events, identify, as_of)


def test_docs_show_the_statements_the_tests_run():
    docs = (ROOT / "docs" / "warehouse.md").read_text()
    for sql in (EVENTS_SQL, IDENTIFY_SQL):
        assert sql in docs, sql


def test_bad_rows_fail_the_query_naming_each_row():
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

    def run(where):
        ctx = datafusion.SessionContext()
        ctx.register_record_batches("events", [table.to_batches()])
        onstage.datafusion.register(ctx, SAAS, "2026-03-02T00:00:00Z")
        return ctx.sql(EVENTS_SQL.replace(" GROUP BY", f" WHERE {where} GROUP BY")).to_arrow_table().to_pylist()

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


def test_bad_identify_rows_fail_the_query_naming_each_row():
    # Identify rows 200 to 206: user a's first is not JSON and its third a
    # second identify (its second is good); b's time zone offset is out of
    # range; c's attributes are an array; a null user; d's row is good and
    # d has no events.
    ids = pa.table({
        "user": ["a", "a", "a", "b", "c", None, "d"],
        "attributes": ["{not json", '{"role": "owner"}', '{"role": "admin"}', None, "[1, 2]", None,
                       '{"role": "owner"}'],
        "entitlements": pa.array([None] * 7, pa.string()),
        "tz_offset_minutes": pa.array([None, None, None, 2**40, None, None, 60], pa.int64()),
        "row": pa.array(range(200, 207), pa.int64()),
    })
    ev = pa.table({
        "user": ["a", "b", "c"],
        "name": ["report_created"] * 3,
        "at": pa.array([dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)] * 3, pa.timestamp("ms", tz="UTC")),
        "props": pa.array([None] * 3, pa.string()),
        "row": pa.array(range(100, 103), pa.int64()),
    })

    def run(user):
        # One user's rows, last row first (the first by row is kept, the
        # second a duplicate, whatever the input order): a failing group
        # fails the query, so each user is a query of its own.
        def of(t):
            keep = [u == user for u in t.column("user").to_pylist()]
            t = t.filter(pa.array(keep))
            return t.take(pa.array(range(t.num_rows - 1, -1, -1), pa.int64()))
        return query(SAAS, of(ev), of(ids), "2026-03-02T00:00:00Z")

    def failure(user):
        with pytest.raises(Exception) as caught:
            run(user)
        return str(caught.value)

    a = failure("a")
    assert "identify row 200 (user 'a'): attributes: not JSON" in a and "[bad_identify]" in a, a
    assert "identify row 202 (user 'a'): the user has identify data in an earlier row" in a, a
    assert "[duplicate_id]" in a and "row 201 " not in a and "events row" not in a, a
    b = failure("b")
    assert "identify row 203 (user 'b'): tz_offset_minutes 1099511627776 is out of range [bad_identify]" in b, b
    c = failure("c")
    assert "identify row 204 (user 'c'): attributes must be an object, found array [bad_identify]" in c, c
    assert "identify row 205: the user is null [bad_user_id]" in failure(None)
    assert run("d")["d"]["events"] == 0


def test_the_aggregates_are_rust_ones_handed_over_through_the_ffi():
    native = onstage_datafusion.aggregate(SAAS.read_text(), 0, "onstage_evaluate")
    assert native.name == "onstage_evaluate"
    capsule = native.__datafusion_aggregate_udf__()
    assert type(capsule).__name__ == "PyCapsule"
    assert onstage_datafusion.ffi_version() == int(datafusion.__version__.split(".")[0])
    udaf = onstage.datafusion.aggregate(SAAS, "2026-03-02T00:00:00Z", "onstage_evaluate")
    assert isinstance(udaf, datafusion.AggregateUDF)
    # Not a Python accumulator: nothing of onstage's Python runs per group.
    assert "Accumulator" not in dir(onstage.datafusion)


def test_a_bad_config_raises_config_error_with_every_problem():
    config = json.loads(SAAS.read_text())
    config["signals"]["reports_7d"]["window"] = "7 days"
    config["version"] = 2
    with pytest.raises(onstage.ConfigError) as caught:
        onstage.datafusion.register(datafusion.SessionContext(), config, "2026-03-02T00:00:00Z")
    assert len(caught.value.problems) >= 2
    # The native module alone refuses it too, with the problems' paths.
    with pytest.raises(ValueError) as caught:
        onstage_datafusion.aggregate(json.dumps(config), 0, "onstage_evaluate")
    assert "signals.reports_7d.window" in str(caught.value) and "version" in str(caught.value)


def test_without_the_wheel_or_with_another_datafusion_major_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "onstage_datafusion", None)
    with pytest.raises(ImportError, match="needs the onstage-datafusion wheel"):
        onstage.datafusion.register(datafusion.SessionContext(), SAAS, "2026-03-02T00:00:00Z")
    monkeypatch.setitem(sys.modules, "onstage_datafusion", onstage_datafusion)
    monkeypatch.setattr(datafusion, "__version__", "54.1.0")
    with pytest.raises(ImportError, match="datafusion 54.1.0 is installed"):
        onstage.datafusion.register(datafusion.SessionContext(), SAAS, "2026-03-02T00:00:00Z")


# The statement docs/warehouse.md shows for users too large to hold.
SORTED_SQL = """\
SELECT "user", name, at, props, "row", identify, attributes, entitlements, tz_offset_minutes
FROM (
  SELECT "user", name, at, props, "row", false AS identify,
         NULL AS attributes, NULL AS entitlements, NULL AS tz_offset_minutes FROM events
  UNION ALL
  SELECT "user", NULL, NULL, NULL, "row", true, attributes, entitlements, tz_offset_minutes FROM identify
)
ORDER BY "user", identify DESC, at, "row\""""


def test_sorted_rows_streamed_give_the_aggregates_result():
    """DataFusion sorts (spilling to disk when it must), Evaluator.stream
    holds one user: memory bounded by the config for any user."""
    events, identify, as_of = population(60, 13)
    ev, ids = arrow_tables(events, identify)
    ev, ids = numbered(ev, 4), numbered(ids, 4)
    expected = query(SAAS, ev, ids, as_of, 2)
    ctx = datafusion.SessionContext(datafusion.SessionConfig().with_target_partitions(2))
    ctx.register_record_batches("events", [ev.to_batches(max_chunksize=97)])
    ctx.register_record_batches("identify", [ids.to_batches(max_chunksize=97)])
    stream = onstage.Evaluator(SAAS).stream(as_of)
    rows = []
    for batch in ctx.sql(SORTED_SQL).execute_stream():
        rows += stream.feed(batch.to_pyarrow()).to_pylist()
    rows += stream.finish().to_pylist()
    assert stream.errors == []
    got = {row.pop("user"): row for row in rows}
    assert got == expected
    assert SORTED_SQL in (ROOT / "docs" / "warehouse.md").read_text()


def test_a_wrong_call_is_a_planning_error_not_a_crash():
    events, _, as_of = population(5, 14)
    ev, _ = arrow_tables(events, [])
    ctx = datafusion.SessionContext()
    ctx.register_record_batches("events", [numbered(ev, 5).to_batches()])
    onstage.datafusion.register(ctx, SAAS, as_of)
    for call in ['onstage_evaluate("user", name)',
                 'onstage_evaluate("user", name, at, props, "row", true)',
                 'onstage_evaluate("user", name, at, props, make_array(1, 2))']:
        with pytest.raises(Exception) as caught:
            ctx.sql(f'SELECT "user", {call} FROM events GROUP BY "user"').collect()
        assert "onstage_evaluate" in str(caught.value), (call, str(caught.value))


def test_memory_accounting_counts_each_users_rows_once():
    """Each group gets a slice of one batch: counted as the slice, the
    users' rows fit a pool a few times their size (counted as whole
    buffers, once per user, they would not)."""
    users, per_user = 3000, 4
    t = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    n = users * per_user
    table = pa.table({
        "user": [f"user-{i % users:05d}" for i in range(n)],
        "name": ["report_created"] * n,
        "at": pa.array([t + dt.timedelta(minutes=i) for i in range(n)], pa.timestamp("ms", tz="UTC")),
        "props": pa.array([None] * n, pa.string()),
        "row": pa.array(range(n), pa.int64()),
    })
    runtime = datafusion.RuntimeEnvBuilder().with_greedy_memory_pool(64 * 1024 * 1024)
    ctx = datafusion.SessionContext(datafusion.SessionConfig().with_target_partitions(1), runtime)
    ctx.register_record_batches("events", [[table.combine_chunks().to_batches()[0]]])
    onstage.datafusion.register(ctx, SAAS, "2026-04-01T00:00:00Z")
    out = ctx.sql(EVENTS_SQL).to_arrow_table()
    assert out.num_rows == users
    assert set(r["events"] for r in out.column("r").to_pylist()) == {per_user}
