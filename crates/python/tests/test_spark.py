"""onstage.spark.evaluate on a local Spark (local[2]) against `onstage
simulate`, in both modes (stream: repartition + sort + mapInArrow; group:
groupBy + applyInArrow): a generated population and the three shared
timelines; bad rows fail the job naming their row."""

import datetime as dt
import os
import sys

import pyarrow as pa
import pytest

from conftest import SAAS, TIMELINES
from oracle import arrow_tables, assert_same, from_timeline, population, rfc3339, simulate

pyspark = pytest.importorskip("pyspark")

MODES = ["stream", "group"]


@pytest.fixture(scope="module")
def spark():
    # The workers run the same interpreter (the .venv with the wheel).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("onstage-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
               .getOrCreate())
    yield session
    session.stop()


def run(spark, config, events, identify, as_of, mode, text_times=False):
    from onstage.spark import evaluate

    ev, ids = arrow_tables(events, identify)
    if text_times:
        ev = ev.set_column(ev.schema.get_field_index("at"), "at", pa.array([text_time(e["at"], i) for i, e in enumerate(events)]))
    rows = evaluate(spark.createDataFrame(ev), config, as_of, spark.createDataFrame(ids), mode=mode).collect()
    expected = simulate(config, events, identify, as_of)
    got = {r["user"]: r.asDict(recursive=True) for r in rows}
    assert len(rows) == len(got)
    assert sorted(got) == sorted(expected)
    for user, row in got.items():
        assert_same(row, expected[user])
        assert row["events"] == sum(1 for e in events if e["user"] == user and e["at"] <= as_of)


@pytest.mark.parametrize("mode", MODES)
def test_generated_population_equals_simulate(spark, mode):
    run(spark, SAAS, *population(200, 7), mode)


@pytest.mark.parametrize("name,config", [("saas", SAAS), ("policy", TIMELINES / "policy.config.json"),
                                         ("tours", TIMELINES / "tours.config.json")])
def test_shared_timelines_equal_simulate(spark, name, config):
    run(spark, config, *from_timeline(TIMELINES / f"{name}.timeline.jsonl"), "stream")


def text_time(ms, i):
    """RFC 3339 text of ``ms``, every other one at +05:30 (so the text's
    order is not the time's)."""
    if i % 2 == 0:
        return rfc3339(ms)
    return rfc3339(ms + 330 * 60_000).replace("Z", "+05:30")


def test_text_times_are_ordered_as_the_core_reads_them(spark):
    # at as RFC 3339 text with offsets: the stream mode sorts by Spark's
    # reading of it, not by the text.
    run(spark, SAAS, *from_timeline(TIMELINES / "saas.timeline.jsonl"), "stream", text_times=True)


def bad_events(spark, with_row):
    """User a: a good event (row 0), a null time (1), a time before 1970
    (2), props that are not JSON (3), nested props (4); a null user (5).
    With ``with_row`` the rows are named 100 to 105."""
    utc = dt.timezone.utc
    t = dt.datetime(2026, 3, 1, tzinfo=utc)
    columns = {
        "user": ["a", "a", "a", "a", "a", None],
        "name": ["report_created"] * 6,
        "at": pa.array([t, None, dt.datetime(1960, 1, 1, tzinfo=utc), t, t, t], pa.timestamp("us", tz="UTC")),
        "props": [None, None, None, "{not json", '{"a": {"b": 1}}', None],
    }
    if with_row:
        columns["row"] = pa.array(range(100, 106), pa.int64())
    # One partition: the default row (monotonically_increasing_id) is the position.
    return spark.createDataFrame(pa.table(columns)).coalesce(1)


@pytest.mark.parametrize("mode,with_row", [("stream", True), ("stream", False), ("group", True)])
def test_bad_rows_fail_the_job_naming_each_row(spark, mode, with_row):
    from onstage.spark import evaluate

    df = bad_events(spark, with_row)
    base = 100 if with_row else 0

    def failure(frame, **options):
        with pytest.raises(Exception) as caught:
            evaluate(frame, SAAS, "2026-03-02T00:00:00Z", mode=mode, **options).collect()
        assert "BadRowsError" in str(caught.value)
        return str(caught.value)

    if mode == "stream":
        # One partition: its task lists every refused row at its end.
        a = null = failure(df, partitions=1)
    else:
        # A group's refused rows fail its task: one job per group.
        a, null = failure(df.where("user = 'a'")), failure(df.where("user is null"))
    for row, code in [(1, "bad_time"), (2, "bad_time"), (3, "bad_props"), (4, "bad_props")]:
        assert f"events row {base + row} (user 'a'): " in a and f"[{code}]" in a, (row, a)
    # The good row is not reported.
    assert f"events row {base} " not in a
    # In group mode the null user's DataFrame is filtered: its default row is 0.
    null_row = base + 5 if with_row or mode == "stream" else 0
    assert f"events row {null_row}: the user is null [bad_user_id]" in null
