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

- one user with 100,000 and with 1,000,000 events (made by Spark,
  `spark.range`) in both modes on local[1]: the peak resident memory of
  the Python workers (the largest VmRSS of a `pyspark.daemon` or
  `pyspark.worker` process, sampled every 50 ms; Linux only).

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


def python_worker_rss_kib():
    """The largest resident memory (KiB) of a Spark Python worker now."""
    largest = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
            if b"pyspark.daemon" not in cmdline and b"pyspark.worker" not in cmdline:
                continue
            with open(f"/proc/{pid}/status") as f:
                rss = next(line for line in f if line.startswith("VmRSS:"))
            largest = max(largest, int(rss.split()[1]))
        except (OSError, StopIteration, ValueError):
            continue
    return largest


def big_user():
    """One user's events, 100,000 then 1,000,000, in both modes: the
    Python workers' peak resident memory while the job runs."""
    import threading

    from pyspark.sql import functions as F

    from onstage.spark import evaluate

    spark = session(1)
    runs = []
    try:
        names = F.array(*[F.lit(x) for x in ["report_created", "api_call", "feature_used", "automation_run"]])
        for mode in ("stream", "group"):
            for n in (100_000, 1_000_000):
                df = spark.range(n).select(
                    F.lit("big").alias("user"), names[F.col("id") % 4].alias("name"),
                    F.timestamp_millis(F.lit(1_772_000_000_000) + F.col("id")).alias("at"))
                peak, done = [0], threading.Event()

                def sample():
                    while not done.wait(0.05):
                        peak[0] = max(peak[0], python_worker_rss_kib())

                watcher = threading.Thread(target=sample)
                watcher.start()
                try:
                    rows = evaluate(df, SAAS, "2026-04-01T00:00:00Z", mode=mode).collect()
                finally:
                    done.set()
                    watcher.join()
                assert [r["events"] for r in rows] == [n]
                runs.append({"mode": mode, "events": n, "python_worker_peak_rss_mib": round(peak[0] / 1024, 1)})
    finally:
        spark.stop()
    return runs


def main():
    os.environ["PYSPARK_PYTHON"] = sys.executable
    parquet = parquet_population()
    events, identify, as_of = population(USERS, 42)
    ev, ids = arrow_tables(events, identify)
    runs = [r for c in (1, 2) for r in run(c, ev, ids, as_of, parquet)]
    one_user = big_user()

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
    section["one_user"] = {
        "what": "one user with 100,000 and 1,000,000 events (spark.range), local[1]: the largest resident memory "
                "of a Spark Python worker during the job (VmRSS sampled every 50 ms)",
        "runs": one_user,
    }
    path = ROOT / "bench" / ("tmp/results-quick.json" if QUICK else "results.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(path.read_text()) if path.exists() else {}
    results["spark"] = section
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(section, indent=2))


if __name__ == "__main__":
    main()
