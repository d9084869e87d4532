"""Evaluator.stream: rows sorted by user fed a batch at a time give the
rows of Evaluator.evaluate (and so of `onstage simulate`); one user with a
million events runs in memory that does not grow with their events."""

import json
import pathlib
import subprocess
import sys

import pyarrow as pa
import pytest

import onstage
from conftest import SAAS, TIMELINES
from oracle import arrow_tables, from_timeline, population


def sorted_stream(events, identify):
    """The stream's rows as one table: events and identify rows with their
    row, sorted by user, identify first, time, row."""
    ev, ids = arrow_tables(events, identify)
    ev = ev.append_column("row", pa.array(range(ev.num_rows), pa.int64()))
    ev = ev.append_column("identify", pa.array([False] * ev.num_rows))
    ids = ids.append_column("row", pa.array(range(ids.num_rows), pa.int64()))
    ids = ids.append_column("identify", pa.array([True] * ids.num_rows))
    rows = pa.concat_tables([ev, ids], promote_options="default")
    order = sorted(range(rows.num_rows), key=lambda i: (
        rows["user"][i].as_py(), not rows["identify"][i].as_py(),
        rows["at"][i].value if rows["at"][i].is_valid else 0, rows["row"][i].as_py()))
    return rows.take(order)


@pytest.mark.parametrize("name,config", [("saas", SAAS), ("policy", TIMELINES / "policy.config.json"),
                                         ("tours", TIMELINES / "tours.config.json")])
def test_shared_timelines_streamed_equal_evaluate(name, config):
    events, identify, as_of = from_timeline(TIMELINES / f"{name}.timeline.jsonl")
    check(config, events, identify, as_of, batch=3)


def test_generated_population_streamed_equals_evaluate():
    check(SAAS, *population(300, 5), batch=97)


def check(config, events, identify, as_of, batch):
    evaluator = onstage.Evaluator(config)
    ev, ids = arrow_tables(events, identify)
    whole = evaluator.evaluate(ev, as_of, ids)
    stream = evaluator.stream(as_of)
    parts = [stream.feed(b) for b in sorted_stream(events, identify).to_batches(max_chunksize=batch)]
    parts.append(stream.finish())
    assert stream.errors == []
    assert pa.concat_tables(parts).equals(whole)


def test_rows_out_of_order_are_refused_not_replayed():
    stream = onstage.Evaluator(SAAS).stream("2026-03-02T00:00:00Z")
    t = pa.array([1_772_300_000_000, 1_772_200_000_000, 1_772_300_000_000], pa.timestamp("ms", tz="UTC"))
    stream.feed(pa.table({"user": ["b", "b", "a"], "name": ["report_created"] * 3, "at": t}))
    out = stream.finish()
    # Row 2 when it is read; row 1 (refused by the core) when user b ends.
    assert sorted((e["row"], e["code"]) for e in stream.errors) == [(1, "time_went_back"), (2, "time_went_back")]
    assert out.to_pylist()[0]["events"] == 1


# One user's events made a batch at a time (never all in memory), fed to
# the stream (or, for comparison, gathered into one table for evaluate);
# prints the process's peak resident memory in KiB.
BIG_USER = r"""
import re, sys
import numpy as np, pyarrow as pa
import onstage
config, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
names = pa.array(["report_created", "api_call", "feature_used", "dashboard_shared", "automation_run"])
props = pa.array([None, '{"units": 3}', '{"feature": "sql"}', '{"audience": "team"}', None])
chunk = 65_536
users = pa.array(["big"] * chunk)
start = 1_772_000_000_000
evaluator = onstage.Evaluator(onstage.config_text(__import__("pathlib").Path(config)))
def batches():
    for first in range(0, n, chunk):
        k = min(chunk, n - first)
        idx = np.arange(first, first + k, dtype=np.int64)
        pick = pa.array(idx % 5)
        yield pa.record_batch({
            "user": users.slice(0, k), "name": names.take(pick),
            "at": pa.array(idx + start, pa.timestamp("ms", tz="UTC")), "props": props.take(pick)})
as_of = start + n + 1
if mode == "stream":
    stream = evaluator.stream(as_of)
    for b in batches():
        assert stream.feed(b).num_rows == 0
    rows = stream.finish().to_pylist()
else:
    rows = evaluator.evaluate(pa.Table.from_batches(list(batches())), as_of).to_pylist()
assert [r["events"] for r in rows] == [n], rows
# VmHWM: this process's peak RSS (ru_maxrss would keep the parent's across exec).
print(re.search(r"VmHWM:\s*(\d+) kB", open("/proc/self/status").read()).group(1))
"""


def peak_kib(mode, events):
    out = subprocess.run([sys.executable, "-c", BIG_USER, str(SAAS), mode, str(events)],
                         capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def test_one_user_with_a_million_events_streams_in_bounded_memory():
    streamed = peak_kib("stream", 1_000_000) - peak_kib("stream", 100_000)
    # The same user evaluated as one table holds their events: the
    # comparison shows what the bound rules out.
    whole = peak_kib("table", 1_000_000) - peak_kib("table", 100_000)
    print(f"peak RSS growth from 100k to 1M events of one user: stream {streamed} KiB, table {whole} KiB")
    assert whole > 40_000, whole
    assert streamed < 16_000, streamed
