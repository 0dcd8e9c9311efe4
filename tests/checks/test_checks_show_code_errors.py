"""Checks whose outcome depends on the learner's code show that code's failure, not only the missing outcome."""

import time

import pytest

from lakelab.checks.framework import CheckFailed, checks_for
from lakelab.checks.user_code import lambda_failure
from lakelab.course import naming
from test_user_code import _deploy, _zip  # noqa: F401  (same helpers)

BROKEN_VALIDATOR = """

def handler(event, context):
    for record in event["Records"]:
        key = record["s3"]["object"]["key"]
        zone = os.environ["VALIDATED_ZONE"]  # os never imported
"""


def _check(week: int, number: str):
    return next(check for check in checks_for(week) if check.number == number)


def _failure_of(check) -> str:
    with pytest.raises(CheckFailed) as raised:
        check()
    return str(raised.value)


def test_week3_zone_checks_show_the_validators_exception_and_log_stream(client):
    names = naming.for_week(3)
    bucket, function = names.bucket("lake"), names.resource("validator")
    client("s3").create_bucket(Bucket=bucket)
    _deploy(client, function, BROKEN_VALIDATOR)
    arn = client("lambda").get_function_configuration(FunctionName=function)["FunctionArn"]
    client("lambda").add_permission(FunctionName=function, StatementId="s3", Action="lambda:InvokeFunction",
                                    Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{bucket}")
    client("s3").put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"], "Filter": {
            "Key": {"FilterRules": [{"Name": "prefix", "Value": "raw/"}, {"Name": "suffix", "Value": ".csv"}]}}}]})
    client("s3").put_object(Bucket=bucket, Key="raw/orders/orders.csv", Body=b"order_id\n1\n")
    deadline = time.monotonic() + 20
    while lambda_failure(function) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    message = _failure_of(_check(3, "3.5"))
    assert "no verdict: raw/orders/orders.csv" in message
    assert "the validator's last error: NameError: name 'os' is not defined" in message
    assert 'zone = os.environ["VALIDATED_ZONE"]' in message
    assert f"open log group /aws/lambda/{function}, stream " in message
    assert "update_function_code" in message and "function_updated_v2" in message


FAILING_ETL = """
import sys

def read_orders(path):
    raise FileNotFoundError(f"no such folder: {path}")

read_orders("s3://lake/validated/orders/")
"""


def test_week4_run_check_shows_the_failed_runs_error_and_traceback(client, service_role):
    names = naming.for_week(4)
    bucket, job = names.bucket("lake"), names.resource("orders-etl")
    client("s3").create_bucket(Bucket=bucket)
    client("s3").put_object(Bucket=bucket, Key="scripts/orders_etl.py", Body=FAILING_ETL.encode())
    role = service_role("glue", names.resource("glue-etl"))
    client("glue").create_job(Name=job, Role=role, GlueVersion="5.0", Command={
        "Name": "pythonshell", "PythonVersion": "3.9", "ScriptLocation": f"s3://{bucket}/scripts/orders_etl.py"})
    run_id = client("glue").start_job_run(JobName=job)["JobRunId"]
    for _ in range(300):
        if client("glue").get_job_run(JobName=job, RunId=run_id)["JobRun"]["JobRunState"] == "FAILED":
            break
        time.sleep(0.2)
    message = _failure_of(_check(4, "4.4"))
    assert f"none; the last run failed: run {run_id} FAILED: FileNotFoundError: no such folder" in message
    assert "line 5, in read_orders" in message
    assert '; File "orders_etl.py", line 7, in <module>' in message, "the trace starts at the script's own frame"
    assert f"open log group /aws-glue/python-jobs/error, stream {run_id}" in message
    assert "fix orders_etl.py" in message


CONSUMER = """
import json

def handler(event, context):
    if event.get("poison"):
        raise ValueError("record 49 breaks the clickstream contract: no event_ts")
    if event.get("denied"):
        raise PermissionError("AccessDenied: s3:PutObject on curated/clickstream_batches/")
"""


def test_week6_consumer_error_leaves_out_the_poison_records_own_error(client):
    from lakelab.checks.week06_streaming import _function_error

    function = naming.for_week(6).resource("stream-consumer")
    _deploy(client, function, CONSUMER)
    client("lambda").invoke(FunctionName=function, Payload=b'{"poison": true}')
    assert _function_error(function) == "", "the contract's own ValueError is the exercise, not a bug"
    client("lambda").invoke(FunctionName=function, Payload=b'{"denied": true}')
    client("lambda").invoke(FunctionName=function, Payload=b'{"poison": true}')
    error = _function_error(function)
    assert error.startswith("PermissionError: AccessDenied: s3:PutObject on curated/clickstream_batches/")
    assert f"open log group /aws/lambda/{function}, stream " in error
