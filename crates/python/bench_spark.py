"""Spark local-mode throughput of onstage.spark.evaluate (issue 14), run by
scripts/bench.sh: a generated population (crates/python/tests/oracle.py's
generator) evaluated on local[1] and local[2], events per second per core
from the wall time of the job (Spark start-up excluded, the DataFrame
cached first). Merges a `spark` section into bench/results.json
(bench/tmp/results-quick.json with --quick).

    .venv/bin/python crates/python/bench_spark.py [--quick]
"""

import json
import os
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "tests"))
from conftest import ROOT, SAAS  # noqa: E402
from oracle import arrow_tables, population  # noqa: E402

QUICK = "--quick" in sys.argv
USERS = 2_000 if QUICK else 20_000


def run(cores, ev, ids, as_of):
    from pyspark.sql import SparkSession

    from onstage.spark import evaluate

    spark = (SparkSession.builder.master(f"local[{cores}]").appName(f"onstage-bench-{cores}")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", str(cores * 4))
             .getOrCreate())
    try:
        events = spark.createDataFrame(ev).cache()
        identify = spark.createDataFrame(ids).cache()
        n = events.count()
        identify.count()
        start = time.perf_counter()
        users = evaluate(events, SAAS, as_of, identify).count()
        took = time.perf_counter() - start
    finally:
        spark.stop()
    return {"cores": cores, "events": n, "users": users, "seconds": round(took, 3),
            "events_per_s": round(n / took), "events_per_s_per_core": round(n / took / cores)}


def main():
    os.environ["PYSPARK_PYTHON"] = sys.executable
    events, identify, as_of = population(USERS, 42)
    ev, ids = arrow_tables(events, identify)
    runs = [run(c, ev, ids, as_of) for c in (1, 2)]
    section = {
        "what": "onstage.spark.evaluate (groupBy user, cogroup identify, applyInArrow) on Spark local mode, "
                "saas.json, a generated population, wall time of the job after caching the input",
        "command": ".venv/bin/python crates/python/bench_spark.py" + (" --quick" if QUICK else ""),
        "runs": runs,
        "scaling_2_over_1": round(runs[1]["events_per_s"] / runs[0]["events_per_s"], 2),
    }
    path = ROOT / "bench" / ("tmp/results-quick.json" if QUICK else "results.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(path.read_text()) if path.exists() else {}
    results["spark"] = section
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(section, indent=2))


if __name__ == "__main__":
    main()
