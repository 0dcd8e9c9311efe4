"""Week 4's job runs read back from AWS: Glue runs and the counts they logged, the EMR Serverless
application and its runs' driver output."""

from __future__ import annotations

import gzip

import boto3

from lakelab.checks import job_output, user_code
from lakelab.checks.framework import expect
from lakelab.course import naming
from lakelab.lab.sweepers import LIVE_APPLICATION_STATES

WEEK = 4
EMR_LOGS = "emr-logs/"
LATE_KEY = "validated/orders/orders-2024-06-30-late.csv"
# Glue 5.0: a Spark job's stdout and stderr go to /aws-glue/jobs/output, stream <JobRunId>-driver (AWS Glue docs,
# "Logging for AWS Glue jobs"); Glue 4.0 and earlier name the stream by the bare run id: a prefix finds either.
GLUE_OUTPUT_LOG = "/aws-glue/jobs/output"


def _names() -> naming.Names:
    return naming.for_week(WEEK)


def _uri(key: str) -> str:
    return f"s3://{_names().bucket('lake')}/{key}"


def job_runs(state: str) -> list[dict]:
    runs = boto3.client("glue").get_job_runs(JobName=_names().resource("orders-etl"))["JobRuns"]
    return sorted((r for r in runs if r["JobRunState"] == state), key=lambda r: r["StartedOn"], reverse=True)


def last_failure(run_id: str | None = None) -> str:
    """``; the last run failed: <ErrorMessage>; <traceback's last lines>; open log group …, stream …`` when the
    job's last run (or ``run_id``) failed, else "": what a check adds to its ``found`` when a run is missing."""
    failure = user_code.glue_failure(_names().resource("orders-etl"), run_id)
    return f"; the last run failed: {failure.text()}" if failure else ""


# What a check's hint says when the learner's script failed: the fix is in the script, then a new run.
FAILED_RUN_HINT = ("that error is your script's own (the traceback is in the log stream named above): fix "
                   "orders_etl.py, upload it again to its ScriptLocation, start a new run and wait for a final state")


def glue_summary(run_id: str) -> dict | None:
    """The counts the run logged: its streams are <run id>-driver (Glue 5.0) or <run id> (4.0 and earlier).
    The streams are listed by prefix, then read by name (the local emulator's FilterLogEvents ignores a prefix)."""
    logs = boto3.client("logs")
    try:
        listed = logs.describe_log_streams(logGroupName=GLUE_OUTPUT_LOG, logStreamNamePrefix=run_id)["logStreams"]
    except logs.exceptions.ResourceNotFoundException:
        return None
    streams = [stream["logStreamName"] for stream in listed][:100]
    if not streams:
        return None
    pages = logs.get_paginator("filter_log_events").paginate(logGroupName=GLUE_OUTPUT_LOG, logStreamNames=streams)
    return job_output.summary([event["message"] for page in pages for event in page["events"]])


def runs_since_correction() -> list[dict]:
    """The job's runs started after the corrected late file landed, oldest first."""
    landed = boto3.client("s3").head_object(Bucket=_names().bucket("lake"), Key=LATE_KEY)["LastModified"]
    runs = boto3.client("glue").get_job_runs(JobName=_names().resource("orders-etl"))["JobRuns"]
    return sorted((run for run in runs if run["StartedOn"] >= landed.replace(microsecond=0)),
                  key=lambda run: run["StartedOn"])


def application() -> dict | None:
    """The course's live application named ``spark`` (the newest, if there are several)."""
    emr, name = boto3.client("emr-serverless"), _names().resource("spark")
    pages = emr.get_paginator("list_applications").paginate(states=LIVE_APPLICATION_STATES)
    mine = sorted((a for page in pages for a in page["applications"] if a["name"] == name),
                  key=lambda a: a["createdAt"], reverse=True)
    return emr.get_application(applicationId=mine[0]["id"])["application"] if mine else None


def successful_emr_run(application_id: str) -> dict | None:
    emr = boto3.client("emr-serverless")
    listed = emr.list_job_runs(applicationId=application_id, states=["SUCCESS"])["jobRuns"]
    newest = sorted(listed, key=lambda run: run["createdAt"], reverse=True)
    return emr.get_job_run(applicationId=application_id, jobRunId=newest[0]["id"])["jobRun"] if newest else None


def driver_stdout(run: dict) -> list[str]:
    """The driver's stdout, where EMR Serverless writes it under the run's logUri."""
    overrides = run.get("configurationOverrides", {}).get("monitoringConfiguration", {})
    log_uri = overrides.get("s3MonitoringConfiguration", {}).get("logUri", "")
    expect(log_uri.rstrip("/") == _uri(EMR_LOGS).rstrip("/"), expected=f"logUri {_uri(EMR_LOGS)}",
           found=log_uri or "none")
    key = f"{EMR_LOGS}applications/{run['applicationId']}/jobs/{run['jobRunId']}/SPARK_DRIVER/stdout.gz"
    body = boto3.client("s3").get_object(Bucket=_names().bucket("lake"), Key=key)["Body"].read()
    return gzip.decompress(body).decode("utf-8").splitlines()
