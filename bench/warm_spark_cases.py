"""The warm Spark JVM against a JVM per run: successive trivial Glue Spark job runs, and week 4's solution.

Run as ``python bench/warm_spark_cases.py [runs]``; prints one JSON line whose ``rows`` ``bench/run.py``
prints. Each figure is measured in its own child process (a fresh emulator, nothing warmed up), with
``LAKELAB_SPARK_WARM=0`` for the cold figure and unset for the warm one, so the warm figure includes
starting the warm JVM once. One run each: the ratio, not the seconds, is the figure to compare.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5
TRIVIAL = """
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
print("rows", spark.range(1000).count())
"""


def successive_runs(runs: int) -> float:
    """Seconds from the first StartJobRun to the last run's SUCCEEDED, ``runs`` runs one after another."""
    import boto3

    from lakelab.emulator import Emulator

    sys.path.insert(0, str(ROOT / "bench"))
    from roles import work_role

    emulator = Emulator().start()
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    s3, glue = (session.client(service, endpoint_url=emulator.endpoint) for service in ("s3", "glue"))
    s3.create_bucket(Bucket="bench")
    s3.put_object(Bucket="bench", Key="scripts/trivial.py", Body=TRIVIAL.encode())
    role = work_role(session.client("iam", endpoint_url=emulator.endpoint), "bench-warm", "glue")
    glue.create_job(Name="trivial", Role=role, GlueVersion="5.0",
                    Command={"Name": "glueetl", "ScriptLocation": "s3://bench/scripts/trivial.py"})
    started = time.perf_counter()
    for _ in range(runs):
        run_id = glue.start_job_run(JobName="trivial")["JobRunId"]
        while (run := glue.get_job_run(JobName="trivial", RunId=run_id)["JobRun"])["JobRunState"] in (
                "STARTING", "RUNNING"):
            time.sleep(0.1)
        if run["JobRunState"] != "SUCCEEDED":
            raise SystemExit(f"the trivial job ended {run['JobRunState']}: {run.get('ErrorMessage')}")
    return time.perf_counter() - started


def week04_solution() -> float:
    """Week 4's solution, top to bottom in a fresh kernel with its own emulator."""
    import nbformat

    from lakelab.notebooks import execution

    path = ROOT / "solutions" / "week04_glue_etl.ipynb"
    started = time.perf_counter()
    execution.run(nbformat.read(path, as_version=4), path.parent, execution.test_environment())
    return time.perf_counter() - started


def _child(case: str, warm: bool, runs: int) -> float:
    env = dict(os.environ)
    env.pop("LAKELAB_SPARK_WARM", None)
    if not warm:
        env["LAKELAB_SPARK_WARM"] = "0"
    output = subprocess.run([sys.executable, __file__, "--case", case, str(runs)], env=env, check=True,
                            capture_output=True, text=True).stdout
    return float(output.strip().splitlines()[-1])


def main() -> None:
    if sys.argv[1:2] == ["--case"]:
        case, runs = sys.argv[2], int(sys.argv[3])
        print(successive_runs(runs) if case == "successive" else week04_solution())
        return
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else RUNS
    cold, warm = _child("successive", False, runs), _child("successive", True, runs)
    week_cold, week_warm = _child("week04", False, 0), _child("week04", True, 0)
    print(json.dumps({"rows": [
        (f"{runs} successive trivial Glue Spark runs, a JVM each", cold, "baseline"),
        (f"the same {runs} runs on the warm JVM", warm, f"{warm / cold:.2f}× a JVM each (its start included)"),
        ("week 4 solution, a JVM per Spark run", week_cold, "baseline"),
        ("week 4 solution, warm JVM", week_warm, f"{week_warm / week_cold:.2f}× a JVM per run"),
    ]}))


if __name__ == "__main__":
    main()
