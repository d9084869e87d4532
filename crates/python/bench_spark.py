"""Spark local-mode throughput of onstage.spark.evaluate (issue 14), run by
scripts/bench.sh, in one run:

- both modes on the same data: a generated population (the generator of
  crates/python/tests/oracle.py, 20,000 users, saas.json, identify data),
  cached in Spark first, mode "stream" (repartition + sort + mapInArrow)
  and mode "group" (groupBy + applyInArrow), on local[1] and local[2];
- the stream mode over the population of the `batch` section
  (crates/cli/examples/population.rs: 100,000 users x 100 events,
  10,000,000 events in bench/tmp/, made if missing), read from Parquet by
  each job, on local[1] and local[2].

Events per second per core from the wall time of the job (Spark
start-up excluded: one small job of each mode first, untimed; the job
writes its rows to a noop sink). Merges a
`spark` section into bench/results.json (bench/tmp/results-quick.json
with --quick: 2,000 users, and 1,000,000 Parquet events).

    .venv/bin/python crates/python/bench_spark.py [--quick]
"""

import json
import os
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "tests"))
from conftest import ROOT, SAAS  # noqa: E402
from oracle import arrow_tables, population  # noqa: E402

QUICK = "--quick" in sys.argv
USERS = 2_000 if QUICK else 20_000
PARQUET_USERS, PER_USER = (10_000, 100) if QUICK else (100_000, 100)
# The as_of of the batch section (population.rs's events end before it).
PARQUET_AS_OF = "2026-03-01T00:00:00Z"


def session(cores):
    from pyspark.sql import SparkSession

    return (SparkSession.builder.master(f"local[{cores}]").appName(f"onstage-bench-{cores}")
            .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", str(cores * 4))
            .config("spark.driver.memory", "3g").getOrCreate())


def timed(result):
    start = time.perf_counter()
    result.write.format("noop").mode("overwrite").save()
    return time.perf_counter() - start


def figures(mode, cores, events, users, took, what):
    return {"data": what, "mode": mode, "cores": cores, "events": events, "users": users,
            "seconds": round(took, 3), "events_per_s": round(events / took),
            "events_per_s_per_core": round(events / took / cores)}


def parquet_population():
    path = ROOT / "bench" / "tmp" / f"population-{PARQUET_USERS}x{PER_USER}.parquet"
    if not path.exists():
        subprocess.run(["cargo", "build", "--release", "-p", "onstage-cli", "--example", "population"],
                       cwd=ROOT, check=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
        subprocess.run([str(target / "release" / "examples" / "population"), str(path),
                        str(PARQUET_USERS), str(PER_USER), "1"], check=True)
    return path


def run(cores, ev, ids, as_of, parquet):
    from onstage.spark import evaluate

    spark = session(cores)
    runs = []
    try:
        events = spark.createDataFrame(ev).cache()
        identify = spark.createDataFrame(ids).cache()
        n, _ = events.count(), identify.count()
        # Warm-up (JIT, Python workers): one small job of each mode, untimed.
        for mode in ("stream", "group"):
            timed(evaluate(events.limit(2_000), SAAS, as_of, identify.limit(100), mode=mode))
        users = len(set(ev.column("user").to_pylist()) | set(ids.column("user").to_pylist()))
        for mode in ("stream", "group"):
            took = timed(evaluate(events, SAAS, as_of, identify, mode=mode))
            runs.append(figures(mode, cores, n, users, took, f"generated, {USERS} users, cached"))
        big = spark.read.parquet(str(parquet))
        took = timed(evaluate(big, SAAS, PARQUET_AS_OF))
        runs.append(figures("stream", cores, PARQUET_USERS * PER_USER, PARQUET_USERS, took,
                            f"population.rs Parquet, {PARQUET_USERS} users x {PER_USER} events, read by the job"))
    finally:
        spark.stop()
    return runs


def main():
    os.environ["PYSPARK_PYTHON"] = sys.executable
    parquet = parquet_population()
    events, identify, as_of = population(USERS, 42)
    ev, ids = arrow_tables(events, identify)
    runs = [r for c in (1, 2) for r in run(c, ev, ids, as_of, parquet)]

    def rate(data, mode, cores):
        return next(r["events_per_s"] for r in runs
                    if r["data"].startswith(data) and r["mode"] == mode and r["cores"] == cores)

    section = {
        "what": "onstage.spark.evaluate on Spark local mode, saas.json: mode stream (repartition by user, "
                "sortWithinPartitions, mapInArrow into onstage.Stream) and mode group (groupBy user, cogroup "
                "identify, applyInArrow) on the same generated population (cached), and mode stream over the "
                "batch section's Parquet population; wall time of the job (noop sink) after an untimed warm-up job of each mode",
        "command": ".venv/bin/python crates/python/bench_spark.py" + (" --quick" if QUICK else ""),
        "runs": runs,
        "stream_over_group_local2": round(rate("generated", "stream", 2) / rate("generated", "group", 2), 2),
        "scaling_2_over_1": {
            "stream_generated": round(rate("generated", "stream", 2) / rate("generated", "stream", 1), 2),
            "group_generated": round(rate("generated", "group", 2) / rate("generated", "group", 1), 2),
            "stream_parquet": round(rate("population", "stream", 2) / rate("population", "stream", 1), 2),
        },
    }
    path = ROOT / "bench" / ("tmp/results-quick.json" if QUICK else "results.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(path.read_text()) if path.exists() else {}
    results["spark"] = section
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(section, indent=2))


if __name__ == "__main__":
    main()
