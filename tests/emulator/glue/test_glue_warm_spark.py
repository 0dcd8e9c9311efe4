"""Spark job runs on the warm JVM: one JVM serves successive runs, and each run stays apart from the others.

Every script prints the process id of the JVM it runs on (``jvm <pid>``): equal ids show the warm JVM
was reused, different ones that a run started its own.
"""

import os
import threading
import time

import pytest

from lakelab.emulator.common import job_process, spark, user_code, warm_run, warm_spark

ROLE = "arn:aws:iam::123456789012:role/lakelab-glue"
READER = "arn:aws:iam::123456789012:role/lakelab-no-s3"
FINAL_STATES = ("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR")

SESSION = """
import os, sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.appName("probe").getOrCreate()
jvm = spark.sparkContext._jvm
print("jvm", jvm.java.lang.ProcessHandle.current().pid(), flush=True)
"""

PROBE = SESSION + """
from pyspark.sql import functions as F
run_id = sys.argv[sys.argv.index("--JOB_RUN_ID") + 1]
print("app", spark.sparkContext.applicationId)
print("partitions", spark.conf.get("spark.sql.shuffle.partitions"))
print("leftover view", spark.catalog.tableExists("leftover"), "cached", spark.catalog.isCached("leftover")
      if spark.catalog.tableExists("leftover") else False)
worker = spark.range(1).select(F.udf(lambda _: os.environ.get("AWS_ACCESS_KEY_ID"))("id")).first()[0]
print("worker has the run's credentials", worker == os.environ["AWS_ACCESS_KEY_ID"])
print("local files in the run's folder", os.path.realpath(spark.sparkContext._temp_dir).startswith(
    os.path.realpath(os.path.dirname(os.environ["TMPDIR"])) + os.sep))
jvm.org.apache.logging.log4j.LogManager.getLogger("lakelab.probe").warn("marker " + run_id)
spark.range(5).createOrReplaceTempView("leftover")
spark.catalog.cacheTable("leftover")
if "--quiet" in sys.argv:
    spark.sparkContext.setLogLevel("ERROR")  # must not silence the next run's log
"""

READ = SESSION + """
print("rows", spark.read.option("header", True).csv("s3://lake/raw/orders.csv").count())
"""


@pytest.fixture
def lake(client, service_role):
    client("s3").create_bucket(Bucket="lake")
    client("s3").put_object(Bucket="lake", Key="raw/orders.csv", Body=b"order_id,amount\n1,2.5\n2,4.0\n")
    service_role("glue", "lakelab-glue")
    service_role("glue", "lakelab-no-s3", actions=("logs:*",))
    return client


def create_job(client, name, script, role=ROLE, **kwargs):
    client("s3").put_object(Bucket="lake", Key=f"scripts/{name}.py", Body=script.encode())
    client("glue").create_job(Name=name, Role=role, GlueVersion="5.0", **kwargs,
                              Command={"Name": "glueetl", "ScriptLocation": f"s3://lake/scripts/{name}.py"})


def run(client, name, arguments=None, seconds=240):
    """Start a run, wait for its end; the run and its output lines."""
    glue = client("glue")
    run_id = glue.start_job_run(JobName=name, **({"Arguments": arguments} if arguments else {}))["JobRunId"]
    return finished(client, name, run_id, seconds)


def finished(client, name, run_id, seconds=240):
    deadline = time.monotonic() + seconds
    while (job_run := client("glue").get_job_run(JobName=name, RunId=run_id)["JobRun"])["JobRunState"] \
            not in FINAL_STATES:
        assert time.monotonic() < deadline, f"run {run_id} did not finish"
        time.sleep(0.2)
    return job_run, lines(client, "output", run_id)


def lines(client, group, run_id):
    events = client("logs").get_log_events(logGroupName=f"/aws-glue/jobs/{group}", logStreamName=f"{run_id}-driver",
                                           startFromHead=True)["events"]
    return [event["message"] for event in events]


def value(output, name):
    return next(line.split(" ", 1)[1] for line in output if line.startswith(name + " "))


def alive(pid):
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    return True


def test_successive_runs_share_the_jvm_with_their_own_settings_context_workers_and_logs(lake):
    create_job(lake, "probe", PROBE, ExecutionProperty={"MaxConcurrentRuns": 1})
    first, first_output = run(lake, "probe", {"--conf": "spark.sql.shuffle.partitions=7", "--quiet": "yes"})
    second, second_output = run(lake, "probe")
    assert first["JobRunState"] == second["JobRunState"] == "SUCCEEDED", (first, second)
    assert value(first_output, "jvm") == value(second_output, "jvm"), "the second run reuses the warm JVM"
    assert value(first_output, "app") != value(second_output, "app"), "each run has its own SparkContext"
    assert value(first_output, "partitions") == "7" and value(second_output, "partitions") == "4"
    assert value(second_output, "leftover") == "view False cached False", "no temp view or cache carried over"
    assert value(second_output, "worker") == "has the run's credentials True"
    assert value(first_output, "worker") == "has the run's credentials True"
    assert value(first_output, "local") == value(second_output, "local") == "files in the run's folder True"
    first_log, second_log = lines(lake, "error", first["Id"]), lines(lake, "error", second["Id"])
    assert any(line.endswith(f"WARN probe: marker {second['Id']}") for line in second_log), \
        "the first run's setLogLevel must not silence the second run's log"
    assert not any(second["Id"] in line for line in first_log + first_output)
    assert not any(first["Id"] in line for line in second_log + second_output)


def test_each_run_reads_s3_with_its_own_roles_credentials(lake):
    create_job(lake, "allowed", READ)
    create_job(lake, "denied", READ, role=READER)
    allowed, allowed_output = run(lake, "allowed")
    denied, denied_output = run(lake, "denied")
    assert allowed["JobRunState"] == "SUCCEEDED" and value(allowed_output, "rows") == "2", allowed
    assert value(allowed_output, "jvm") == value(denied_output, "jvm"), "both on the warm JVM"
    assert denied["JobRunState"] == "FAILED", "S3A must not reuse the first run's credentials"
    assert "403" in denied["ErrorMessage"] or "AccessDenied" in denied["ErrorMessage"], denied["ErrorMessage"]


def test_a_raising_or_exiting_run_fails_alone_with_its_message_and_the_next_run_reuses_the_jvm(lake):
    create_job(lake, "raises", SESSION + "raise ValueError('no orders for 2026-11-26')\n")
    create_job(lake, "exits", SESSION + "os._exit(3)\n")
    create_job(lake, "quits", SESSION + "sys.exit(2)\n")
    create_job(lake, "reads", READ)
    raised, raised_output = run(lake, "raises")
    exited, exited_output = run(lake, "exits")
    quit_run, quit_output = run(lake, "quits")
    after, after_output = run(lake, "reads")
    assert raised["ErrorMessage"] == ("Error Category: UNCLASSIFIED_ERROR; Failed Line Number: 7; "
                                      "ValueError: no orders for 2026-11-26")
    assert exited["JobRunState"] == "FAILED" and exited["ErrorMessage"] == "Command failed with exit code 3"
    assert quit_run["ErrorMessage"] == ("Error Category: UNCLASSIFIED_ERROR; Failed Line Number: 7; "
                                        "SystemExit: exit code 2")
    assert after["JobRunState"] == "SUCCEEDED" and value(after_output, "rows") == "2"
    pids = {value(output, "jvm") for output in (raised_output, exited_output, quit_output, after_output)}
    assert len(pids) == 1, "failures end their run only: the JVM serves the next"


def test_a_stopped_run_takes_the_warm_jvm_down_and_the_next_run_starts_a_fresh_one(lake):
    create_job(lake, "hangs", SESSION + "import time\ntime.sleep(300)\n")
    create_job(lake, "reads", READ)
    glue = lake("glue")
    run_id = glue.start_job_run(JobName="hangs")["JobRunId"]
    deadline = time.monotonic() + 240
    while not any(line.startswith("jvm ") for line in lines(lake, "output", run_id)):
        assert time.monotonic() < deadline, "the hanging run never started Spark"
        time.sleep(0.2)
    hung_jvm = value(lines(lake, "output", run_id), "jvm")
    glue.batch_stop_job_run(JobName="hangs", JobRunIds=[run_id])
    stopped, _ = finished(lake, "hangs", run_id, seconds=30)
    assert stopped["JobRunState"] == "STOPPED"
    assert not alive(hung_jvm), "the JVM the stopped run used is killed with it"
    after, after_output = run(lake, "reads")
    assert after["JobRunState"] == "SUCCEEDED" and value(after_output, "jvm") != hung_jvm


def test_a_run_past_its_deadline_takes_the_warm_jvm_down_and_the_next_run_starts_a_fresh_one(lake, tmp_path):
    create_job(lake, "reads", READ)
    warm_jvm = value(run(lake, "reads")[1], "jvm")
    script = tmp_path / "hangs.py"
    script.write_text(SESSION + "import time\ntime.sleep(300)\n")
    (tmp_path / "tmp").mkdir()
    values = spark.settings(user_code.endpoint(), "us-east-1", tmp_path)
    env = {**user_code.passed_through(), "TMPDIR": str(tmp_path / "tmp"),
           **spark.environment(spark.write_conf_dir(tmp_path / "conf", values), tmp_path)}
    command = job_process.JobProcess.command(script, tmp_path / "result.json", [])
    process = warm_run.launch(command, env, tmp_path, values, {})
    assert isinstance(process, warm_run.WarmJobProcess), "the hanging script runs on the warm JVM"
    printed = []
    ended, _ = job_process.supervise(process, lambda taken: printed.extend(line for _, line in taken["stdout"]),
                                     threading.Event(), time.monotonic() + 45)
    assert ended == "timeout" and f"jvm {warm_jvm}" in printed
    assert not alive(warm_jvm), "the JVM a timed-out run used is killed with it"
    after, after_output = run(lake, "reads")
    assert after["JobRunState"] == "SUCCEEDED" and value(after_output, "jvm") != warm_jvm


def test_runs_at_the_same_time_each_get_a_jvm_and_their_own_lines(lake):
    script = SESSION + "import time\ntime.sleep(3)\nprint('done', sys.argv[sys.argv.index('--JOB_NAME') + 1])\n"
    create_job(lake, "left", script)
    create_job(lake, "right", script)
    glue = lake("glue")
    left_id, right_id = (glue.start_job_run(JobName=name)["JobRunId"] for name in ("left", "right"))
    (left, left_output), (right, right_output) = finished(lake, "left", left_id), finished(lake, "right", right_id)
    assert left["JobRunState"] == right["JobRunState"] == "SUCCEEDED"
    assert value(left_output, "jvm") != value(right_output, "jvm"), "the busy warm JVM is not shared"
    assert value(left_output, "done") == "left" and value(right_output, "done") == "right"
    assert len(left_output) == len(right_output) == 2


def test_the_setting_and_jvm_start_settings_run_in_a_jvm_of_their_own(lake, monkeypatch):
    create_job(lake, "reads", READ)
    warm, warm_output = run(lake, "reads")
    driver_memory, memory_output = run(lake, "reads", {"--conf": "spark.driver.memory=1g"})
    monkeypatch.setenv("LAKELAB_SPARK_WARM", "0")
    off, off_output = run(lake, "reads")
    assert warm["JobRunState"] == driver_memory["JobRunState"] == off["JobRunState"] == "SUCCEEDED"
    warm_jvm = value(warm_output, "jvm")
    assert value(memory_output, "jvm") != warm_jvm and value(off_output, "jvm") != warm_jvm
    assert warm_spark.pool.warm_pid() == int(warm_jvm), "the warm JVM waits for the next run meanwhile"
    assert warm_run.cold_reason({}) == "LAKELAB_SPARK_WARM turns the warm JVM off"
    monkeypatch.delenv("LAKELAB_SPARK_WARM")
    assert warm_run.cold_reason({"spark.executor.memory": "14g", "spark.sql.shuffle.partitions": "3"}) == ""
    assert warm_run.cold_reason({"spark.jars.packages": "org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.6.1"})


def test_the_warm_jvm_is_retired_after_its_runs_and_when_idle(lake, monkeypatch):
    create_job(lake, "reads", READ)
    monkeypatch.setattr(warm_spark, "MAX_RUNS_PER_JVM", 1)
    first, first_output = run(lake, "reads")
    assert not alive(value(first_output, "jvm")), "retired after its last run"
    monkeypatch.setattr(warm_spark, "MAX_RUNS_PER_JVM", 25)
    monkeypatch.setattr(warm_spark, "IDLE_SECONDS", 1.0)
    second, second_output = run(lake, "reads")
    assert first["JobRunState"] == second["JobRunState"] == "SUCCEEDED"
    assert value(second_output, "jvm") != value(first_output, "jvm")
    time.sleep(3)
    assert warm_spark.pool.warm_pid() is None and not alive(value(second_output, "jvm")), "idle: given back"


def test_folders_of_warm_jvms_that_are_gone_are_swept(tmp_path, monkeypatch):
    import subprocess
    import sys

    monkeypatch.setattr(warm_spark.tempfile, "gettempdir", lambda: str(tmp_path))
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    folders = {name: tmp_path / f"lakelab-spark-jvm-{name}" for name in ("gone", "alive", "starting")}
    for folder in folders.values():
        folder.mkdir()
    (folders["gone"] / "jvm.pid").write_text(str(ended.pid))
    (folders["alive"] / "jvm.pid").write_text(str(os.getpid()))
    assert warm_spark.sweep_stale_folders() == [folders["gone"]]
    assert not folders["gone"].exists() and folders["alive"].exists() and folders["starting"].exists()
