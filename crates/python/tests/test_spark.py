"""onstage.spark.evaluate on a local Spark (local[2]) against `onstage
simulate`: a generated population and the shared saas timeline."""

import os
import sys

import pytest

from conftest import SAAS, TIMELINES
from oracle import arrow_tables, assert_same, from_timeline, population, simulate

pyspark = pytest.importorskip("pyspark")


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


def run(spark, events, identify, as_of):
    from onstage.spark import evaluate

    ev, ids = arrow_tables(events, identify)
    rows = evaluate(spark.createDataFrame(ev), SAAS, as_of, spark.createDataFrame(ids)).collect()
    expected = simulate(SAAS, events, identify, as_of)
    got = {r["user"]: r.asDict(recursive=True) for r in rows}
    assert sorted(got) == sorted(expected)
    for user, row in got.items():
        assert_same(row, expected[user])


def test_generated_population_equals_simulate(spark):
    run(spark, *population(200, 7))


def test_shared_saas_timeline_equals_simulate(spark):
    run(spark, *from_timeline(TIMELINES / "saas.timeline.jsonl"))
