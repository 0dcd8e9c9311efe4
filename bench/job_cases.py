"""Benchmark cases for job runs: a Glue Spark job and a Python shell job on 20k rows of CSV.

Each measures what a learner waits for after ``start_job_run``: from the call to SUCCEEDED,
with the emulator already running (the notebook's emulator is up before a job is started).
"""

from __future__ import annotations

import random
import time

SPARK_SCRIPT = """
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
sales = spark.read.option("header", True).csv("s3://bench/raw/sales.csv")
sales.write.mode("overwrite").partitionBy("country").parquet("s3://bench/curated/sales/")
"""

SHELL_SCRIPT = """
import awswrangler as wr
sales = wr.s3.read_csv("s3://bench/raw/sales.csv")
wr.s3.to_parquet(sales, "s3://bench/curated/sales/", dataset=True, partition_cols=["country"], mode="overwrite")
"""


def sales_csv(rows: int = 20_000) -> bytes:
    generator = random.Random(7)
    lines = ["id,country,amount,day"] + [
        f"{i},{generator.choice(['DE', 'FR', 'US', 'JP', 'BR'])},{generator.random() * 100:.2f},"
        f"2026-01-{generator.randint(1, 28):02d}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def job_seconds(command: str, script: str) -> float:
    """From StartJobRun to SUCCEEDED for one job of type ``command`` running ``script``."""
    import boto3

    from lakelab.emulator import Emulator

    emulator = Emulator().start()
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    s3, glue = (session.client(service, endpoint_url=emulator.endpoint) for service in ("s3", "glue"))
    s3.create_bucket(Bucket="bench")
    s3.put_object(Bucket="bench", Key="raw/sales.csv", Body=sales_csv())
    s3.put_object(Bucket="bench", Key="scripts/job.py", Body=script.encode())
    from roles import work_role  # beside this file

    role = work_role(session.client("iam", endpoint_url=emulator.endpoint), "bench-job", "glue")
    glue.create_job(Name="bench", Role=role, GlueVersion="5.0",
                    Command={"Name": command, "ScriptLocation": "s3://bench/scripts/job.py"})
    started = time.perf_counter()
    run_id = glue.start_job_run(JobName="bench")["JobRunId"]
    while (run := glue.get_job_run(JobName="bench", RunId=run_id)["JobRun"])["JobRunState"] in ("STARTING", "RUNNING"):
        time.sleep(0.1)
    if run["JobRunState"] != "SUCCEEDED":
        raise SystemExit(f"the benchmark job ended {run['JobRunState']}: {run.get('ErrorMessage')}")
    return time.perf_counter() - started


def glue_spark_job() -> float:
    return job_seconds("glueetl", SPARK_SCRIPT)


def glue_python_shell_job() -> float:
    return job_seconds("pythonshell", SHELL_SCRIPT)
