"""Evaluator.evaluate against `onstage simulate`, row by row: generated
populations and the shared timelines, from pyarrow and Polars; bad rows
reported with their row number."""

import pyarrow as pa
import pytest

import onstage
from conftest import SAAS, TIMELINES
from oracle import arrow_tables, assert_same, from_timeline, population, simulate


def check(config_path, events, identify, as_of, threads=0, convert=lambda t: t):
    ev, ids = arrow_tables(events, identify)
    table = onstage.Evaluator(config_path).evaluate(convert(ev), as_of, convert(ids), threads=threads)
    expected = simulate(config_path, events, identify, as_of)
    rows = table.to_pylist()
    assert [r["user"] for r in rows] == sorted(expected)
    for row in rows:
        assert_same(row, expected[row["user"]])
    return rows


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_population_equals_simulate(seed):
    events, identify, as_of = population(300, seed)
    rows = check(SAAS, events, identify, as_of, threads=2)
    assert sum(r["events"] for r in rows) == sum(1 for e in events if e["at"] <= as_of)


@pytest.mark.parametrize("name,config", [("saas", SAAS), ("policy", TIMELINES / "policy.config.json"),
                                         ("tours", TIMELINES / "tours.config.json")])
def test_shared_timelines_equal_simulate(name, config):
    events, identify, as_of = from_timeline(TIMELINES / f"{name}.timeline.jsonl")
    assert events
    check(config, events, identify, as_of)


def test_polars_input_gives_the_same_table():
    pl = pytest.importorskip("polars")
    events, identify, as_of = population(50, 3)
    ev, ids = arrow_tables(events, identify)
    ev_obj = onstage.Evaluator(SAAS)
    assert ev_obj.evaluate(pl.from_arrow(ev), as_of, pl.from_arrow(ids)).equals(ev_obj.evaluate(ev, as_of, ids))


def test_bad_rows_are_reported_with_their_row_number():
    ev = pa.table({
        "user": ["a", "a", None, "b", "a"],
        "name": ["report_created", "report_created", "x", "", "report_created"],
        "at": ["2026-03-01T00:00:00Z", "yesterday", "2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z",
               "2026-03-01T00:02:00Z"],
        "props": ['{"k": 1}', None, None, None, '{"nested": {"no": 1}}'],
    })
    evaluator = onstage.Evaluator(SAAS)
    with pytest.raises(onstage.BadRowsError) as caught:
        evaluator.evaluate(ev, "2026-03-02T00:00:00Z")
    err = caught.value
    assert err.code == "bad_rows"
    assert [(e["row"], e["code"]) for e in err.errors] == [
        (1, "bad_time"), (2, "bad_user_id"), (3, "bad_event_name"), (4, "bad_props")]
    assert all(e["table"] == "events" for e in err.errors)
    # The other rows still count: user a has its one good event.
    a = [r for r in err.result.to_pylist() if r["user"] == "a"]
    assert a and a[0]["events"] == 1


def test_bad_columns_and_inputs_raise_coded_errors():
    evaluator = onstage.Evaluator(SAAS)
    with pytest.raises(onstage.OnstageError) as caught:
        evaluator.evaluate(pa.table({"user": ["a"], "at": ["2026-03-01T00:00:00Z"]}), 0)
    assert caught.value.code == "missing_field"
    with pytest.raises(TypeError):
        evaluator.evaluate([{"user": "a"}], 0)
    with pytest.raises(ValueError):
        onstage.as_of_ms(__import__("datetime").datetime(2026, 1, 1))
