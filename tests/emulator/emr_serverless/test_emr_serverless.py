"""EMR Serverless on the emulator: application states, and Spark job runs that really run."""

import gzip
import time

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/lakelab-emr"
FINAL_STATES = ("SUCCESS", "FAILED", "CANCELLED")

JOB = """
import sys
from pyspark.sql import SparkSession

source, target = sys.argv[1:]
spark = SparkSession.builder.getOrCreate()
print("partitions", spark.conf.get("spark.sql.shuffle.partitions"), "app", spark.conf.get("spark.app.name"))
trips = spark.read.option("header", True).csv(source)
trips.groupBy("zone").count().write.mode("overwrite").parquet(target)
print("rows", trips.count())
"""


@pytest.fixture
def emr(client, service_role):
    client("s3").create_bucket(Bucket="lake")
    service_role("emr-serverless", "lakelab-emr")  # runs use their execution role's permissions
    return client


def put(client, key, body):
    client("s3").put_object(Bucket="lake", Key=key, Body=body.encode())


def wait_for_application(client, application_id, state, seconds=10):
    for _ in range(int(seconds / 0.1)):
        if client("emr-serverless").get_application(applicationId=application_id)["application"]["state"] == state:
            return
        time.sleep(0.1)
    raise AssertionError(f"application never reached {state}")


def wait_for_run(client, application_id, run_id, seconds=150):
    seen, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = client("emr-serverless").get_job_run(applicationId=application_id, jobRunId=run_id)["jobRun"]
        if not seen or seen[-1] != run["state"]:
            seen.append(run["state"])
        if run["state"] in FINAL_STATES:
            return run, seen
        time.sleep(0.1)
    raise AssertionError(f"job run still {seen[-1]} after {seconds} s")


def start_run(client, application_id, key, arguments=(), parameters="", log_uri="s3://lake/emr-logs/"):
    driver = {"entryPoint": f"s3://lake/{key}", "entryPointArguments": list(arguments)}
    if parameters:
        driver["sparkSubmitParameters"] = parameters
    overrides = {"monitoringConfiguration": {"s3MonitoringConfiguration": {"logUri": log_uri}}}
    return client("emr-serverless").start_job_run(applicationId=application_id, executionRoleArn=ROLE,
                                                  jobDriver={"sparkSubmit": driver},
                                                  configurationOverrides=overrides)["jobRunId"]


def driver_log(client, application_id, run_id, name):
    key = f"emr-logs/applications/{application_id}/jobs/{run_id}/SPARK_DRIVER/{name}.gz"
    return gzip.decompress(client("s3").get_object(Bucket="lake", Key=key)["Body"].read()).decode()


def new_application(client):
    return client("emr-serverless").create_application(name="lakelab-spark", releaseLabel="emr-7.8.0",
                                                       type="SPARK")["applicationId"]


def test_applications_start_and_stop_through_their_states(emr, monkeypatch):
    from lakelab.emulator.services.emr_serverless import hooks

    # The in-between states last a second; on a loaded machine the next call can come later than that.
    monkeypatch.setattr(hooks, "APPLICATION_TRANSITION_SECONDS", 4.0)
    service, application_id = emr("emr-serverless"), new_application(emr)
    assert service.get_application(applicationId=application_id)["application"]["state"] == "CREATED"
    service.start_application(applicationId=application_id)
    assert service.get_application(applicationId=application_id)["application"]["state"] == "STARTING"
    wait_for_application(emr, application_id, "STARTED")
    service.stop_application(applicationId=application_id)
    assert service.get_application(applicationId=application_id)["application"]["state"] == "STOPPING"
    wait_for_application(emr, application_id, "STOPPED")


def test_a_spark_job_run_succeeds_with_arguments_settings_and_logs_in_s3(emr):
    put(emr, "raw/trips.csv", "trip,zone\n" + "\n".join(f"{i},{'ABC'[i % 3]}" for i in range(300)) + "\n")
    put(emr, "code/trips.py", JOB)
    application_id = new_application(emr)
    arguments = ["s3://lake/raw/trips.csv", "s3://lake/curated/zones/"]
    settings = "--conf spark.sql.shuffle.partitions=3 --conf spark.app.name=trips --conf spark.executor.cores=2"
    run_id = start_run(emr, application_id, "code/trips.py", arguments, settings)
    run, seen = wait_for_run(emr, application_id, run_id)
    assert run["state"] == "SUCCESS", run.get("stateDetails")
    assert seen[-2:] == ["RUNNING", "SUCCESS"] and "SUBMITTED" not in seen[1:]
    assert run["totalExecutionDurationSeconds"] >= 1 and run["billedResourceUtilization"]["vCPUHour"] > 0
    assert run["endedAt"] >= run["startedAt"] >= run["createdAt"]
    assert emr("emr-serverless").get_application(applicationId=application_id)["application"]["state"] == "STARTED"
    assert driver_log(emr, application_id, run_id, "stdout") == "partitions 3 app trips\nrows 300\n"
    keys = [o["Key"] for o in emr("s3").list_objects_v2(Bucket="lake", Prefix="curated/zones/")["Contents"]]
    assert any(key.endswith(".parquet") for key in keys) and "curated/zones/_SUCCESS" in keys


def test_a_raising_entry_point_fails_with_its_exception_and_stderr_in_s3(emr):
    put(emr, "code/broken.py", "import sys\nraise RuntimeError('bad input ' + sys.argv[1])\n")
    application_id = new_application(emr)
    run_id = start_run(emr, application_id, "code/broken.py", ["2026-11-26"])
    run, _ = wait_for_run(emr, application_id, run_id)
    assert run["state"] == "FAILED"
    assert run["stateDetails"].startswith("Job failed, please check complete logs in configured logging destination.")
    assert run["stateDetails"].endswith("RuntimeError: bad input 2026-11-26")
    stderr = driver_log(emr, application_id, run_id, "stderr")
    assert "Traceback (most recent call last)" in stderr and "RuntimeError: bad input 2026-11-26" in stderr


def test_a_missing_entry_point_fails_naming_it(emr):
    application_id = new_application(emr)
    run_id = start_run(emr, application_id, "code/absent.py")
    run, _ = wait_for_run(emr, application_id, run_id)
    assert run["state"] == "FAILED" and "s3://lake/code/absent.py" in run["stateDetails"]


def test_cancel_job_run_cancels_a_running_job_and_an_application_with_runs_cannot_stop(emr):
    put(emr, "code/sleep.py", "import time\nprint('started', flush=True)\ntime.sleep(120)\n")
    service, application_id = emr("emr-serverless"), new_application(emr)
    run_id = start_run(emr, application_id, "code/sleep.py")
    for _ in range(100):
        if service.get_job_run(applicationId=application_id, jobRunId=run_id)["jobRun"]["state"] == "RUNNING":
            break
        time.sleep(0.1)
    with pytest.raises(service.exceptions.ValidationException):
        service.stop_application(applicationId=application_id)
    service.cancel_job_run(applicationId=application_id, jobRunId=run_id)
    run, _ = wait_for_run(emr, application_id, run_id, seconds=20)
    assert run["state"] == "CANCELLED"
    assert driver_log(emr, application_id, run_id, "stdout") == "started\n"
    with pytest.raises(service.exceptions.ValidationException):
        service.cancel_job_run(applicationId=application_id, jobRunId=run_id)


def test_awsglue_is_not_importable_on_emr_serverless_as_on_aws(emr):
    put(emr, "code/glue_only.py", "from awsglue.utils import getResolvedOptions\n")
    application_id = new_application(emr)
    run_id = start_run(emr, application_id, "code/glue_only.py")
    run, _ = wait_for_run(emr, application_id, run_id)
    assert run["state"] == "FAILED" and "ModuleNotFoundError: No module named 'awsglue'" in run["stateDetails"]


def test_an_application_without_job_runs_lists_none(emr):
    application_id = new_application(emr)
    assert emr("emr-serverless").list_job_runs(applicationId=application_id)["jobRuns"] == []
    with pytest.raises(emr("emr-serverless").exceptions.ResourceNotFoundException):
        emr("emr-serverless").list_job_runs(applicationId="00000000000000000")


def test_update_application_changes_a_stopped_applications_release_and_capacity(emr):
    service, application_id = emr("emr-serverless"), new_application(emr)
    service.update_application(applicationId=application_id, releaseLabel="emr-7.12.0",
                               maximumCapacity={"cpu": "8 vCPU", "memory": "32 GB"})
    application = service.get_application(applicationId=application_id)["application"]
    assert application["releaseLabel"] == "emr-7.12.0" and application["maximumCapacity"]["cpu"] == "8 vCPU"
    service.start_application(applicationId=application_id)
    wait_for_application(emr, application_id, "STARTED")
    with pytest.raises(ClientError) as raised:  # a started application takes no updates
        service.update_application(applicationId=application_id, releaseLabel="emr-7.8.0")
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert service.get_application(applicationId=application_id)["application"]["releaseLabel"] == "emr-7.12.0"


def test_successive_runs_get_their_own_spark_application_and_settings_on_the_warm_jvm(emr):
    put(emr, "code/probe.py", "from pyspark.sql import SparkSession\nspark = SparkSession.builder.getOrCreate()\n"
        "print(spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid(), spark.sparkContext.applicationId,"
        " spark.conf.get('spark.sql.shuffle.partitions'))\n")
    application_id = new_application(emr)
    first = start_run(emr, application_id, "code/probe.py", parameters="--conf spark.sql.shuffle.partitions=3")
    assert wait_for_run(emr, application_id, first)[0]["state"] == "SUCCESS"
    second = start_run(emr, application_id, "code/probe.py")
    assert wait_for_run(emr, application_id, second)[0]["state"] == "SUCCESS"
    first_jvm, first_app, first_partitions = driver_log(emr, application_id, first, "stdout").split()
    second_jvm, second_app, second_partitions = driver_log(emr, application_id, second, "stdout").split()
    assert first_jvm == second_jvm, "the second run reuses the warm JVM"
    assert first_app != second_app, "each run is its own Spark application (week 4 names quarantine folders by it)"
    assert (first_partitions, second_partitions) == ("3", "4"), "a run's settings stay with it"
