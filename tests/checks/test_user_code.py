"""The kit's reading of a learner's code failure: a raising handler, a failing job, through the emulator."""

import io
import json
import time
import zipfile

import pytest

from lakelab.checks import user_code

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})

RAISING = """
def parse(row):
    return int(row["amount"])

def handler(event, context):
    return parse({"amount": "twelve"})
"""


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def _deploy(client, name: str, source: str, **settings) -> None:
    iam = client("iam")
    try:
        role = iam.get_role(RoleName="lakelab-user-code")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName="lakelab-user-code", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    client("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                                     Code={"ZipFile": _zip(source)}, **settings)


def _invoke(client, name: str) -> None:
    client("lambda").invoke(FunctionName=name, Payload=b"{}")


def test_a_raising_handler_is_reported_with_its_exception_traceback_and_log_stream(client):
    _deploy(client, "lakelab-raises", RAISING)
    _invoke(client, "lakelab-raises")
    failure = user_code.lambda_failure("lakelab-raises")
    assert failure is not None
    assert failure.error == "ValueError: invalid literal for int() with base 10: 'twelve'"
    assert any('line 3, in parse' in line for line in failure.trace)
    assert failure.group == "/aws/lambda/lakelab-raises" and "[$LATEST]" in failure.stream
    text = failure.text()
    assert "ValueError" in text and "open log group /aws/lambda/lakelab-raises, stream " in text
    assert "return int(row[\"amount\"])" in text
    assert user_code.lambda_failure("lakelab-no-such-function") is None


def test_a_handler_that_works_has_no_failure_and_expected_errors_can_be_ignored(client):
    _deploy(client, "lakelab-fine", "import logging\ndef handler(e, c):\n    logging.error('record 7 rejected')\n")
    _invoke(client, "lakelab-fine")
    failure = user_code.lambda_failure("lakelab-fine")
    assert failure is not None and failure.error == "record 7 rejected"
    assert user_code.lambda_failure("lakelab-fine", ignore=("rejected",)) is None
    _deploy(client, "lakelab-quiet", "def handler(e, c):\n    print('ok')\n")
    _invoke(client, "lakelab-quiet")
    assert user_code.lambda_failure("lakelab-quiet") is None


def test_a_timeout_and_an_import_error_are_reported(client):
    _deploy(client, "lakelab-slow", "import time\ndef handler(e, c):\n    time.sleep(5)\n", Timeout=1)
    _invoke(client, "lakelab-slow")
    assert "Task timed out after 1.00 seconds" in user_code.lambda_failure("lakelab-slow").error
    _deploy(client, "lakelab-imports", "import pandsa\ndef handler(e, c):\n    pass\n")
    _invoke(client, "lakelab-imports")
    failure = user_code.lambda_failure("lakelab-imports")
    assert failure.error.startswith("Runtime.ImportModuleError: Unable to import module 'app'")


def test_an_error_from_before_the_last_deploy_says_it_came_from_the_earlier_code(client):
    _deploy(client, "lakelab-redeployed", RAISING)
    _invoke(client, "lakelab-redeployed")
    time.sleep(0.05)
    aws_lambda = client("lambda")
    aws_lambda.update_function_code(FunctionName="lakelab-redeployed", ZipFile=_zip("def handler(e, c):\n    pass\n"))
    aws_lambda.get_waiter("function_updated_v2").wait(FunctionName="lakelab-redeployed")
    failure = user_code.lambda_failure("lakelab-redeployed")
    assert "before the function's last deploy" in failure.text()
    _invoke(client, "lakelab-redeployed")
    assert user_code.lambda_failure("lakelab-redeployed").note, "the new code logged no error: the old one stays"
    _deploy(client, "lakelab-touched", "def handler(e, c):\n    pass\n")
    before = aws_lambda.get_function_configuration(FunctionName="lakelab-touched")["LastModified"]
    time.sleep(0.05)
    aws_lambda.update_function_configuration(FunctionName="lakelab-touched", Timeout=9)
    assert aws_lambda.get_function_configuration(FunctionName="lakelab-touched")["LastModified"] != before


@pytest.fixture
def glue_job(client, service_role):
    client("s3").create_bucket(Bucket="lake")
    role = service_role("glue", "lakelab-glue")

    def make(name: str, script: str, command: str = "pythonshell") -> str:
        client("s3").put_object(Bucket="lake", Key=f"scripts/{name}.py", Body=script.encode())
        spec = {"Name": command, "ScriptLocation": f"s3://lake/scripts/{name}.py"}
        if command == "pythonshell":
            spec["PythonVersion"] = "3.9"
        client("glue").create_job(Name=name, Role=role, Command=spec, GlueVersion="5.0")
        run_id = client("glue").start_job_run(JobName=name)["JobRunId"]
        for _ in range(600):
            if client("glue").get_job_run(JobName=name, RunId=run_id)["JobRun"]["JobRunState"] in (
                    "SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR"):
                break
            time.sleep(0.2)
        return run_id

    return make


FAILING_JOB = """
def load(rows):
    raise ValueError("the gate: 12 % of the rows rejected")

print("before")
load([])
"""


def test_a_failing_glue_job_is_reported_with_its_error_message_traceback_and_log_stream(glue_job):
    run_id = glue_job("lakelab-failing", FAILING_JOB)
    failure = user_code.glue_failure("lakelab-failing")
    assert failure is not None
    assert failure.error == f"run {run_id} FAILED: ValueError: the gate: 12 % of the rows rejected"
    assert failure.group == "/aws-glue/python-jobs/error" and failure.stream == run_id
    assert any("line 3, in load" in line for line in failure.trace)
    assert failure.trace[-1] == 'raise ValueError("the gate: 12 % of the rows rejected")', "said once, not twice"
    assert not any("<frozen" in line for line in failure.trace)
    assert f"open log group /aws-glue/python-jobs/error, stream {run_id}" in failure.text()


def test_a_glue_job_that_succeeded_has_no_failure(glue_job):
    glue_job("lakelab-works", "print('fine')\n")
    assert user_code.glue_failure("lakelab-works") is None
    assert user_code.glue_failure("lakelab-no-such-job") is None


def test_a_failing_glue_5_spark_job_is_read_from_the_output_group_and_driver_stream(glue_job):
    script = "from pyspark.sql import SparkSession\nraise KeyError('order_month')\n"
    run_id = glue_job("lakelab-spark-failing", script, command="glueetl")
    failure = user_code.glue_failure("lakelab-spark-failing", run_id)
    assert "KeyError: 'order_month'" in failure.error and "Failed Line Number: 2" in failure.error
    assert (failure.group, failure.stream) == ("/aws-glue/jobs/output", f"{run_id}-driver")
    assert any("line 2, in <module>" in line for line in failure.trace)


def test_a_failing_emr_serverless_run_is_reported_with_its_state_details_and_driver_log(client, service_role):
    client("s3").create_bucket(Bucket="lake")
    role = service_role("emr-serverless", "lakelab-emr")
    client("s3").put_object(Bucket="lake", Key="scripts/broken.py",
                            Body=b"import sys\n\ndef main(args):\n    return args[5]\n\nmain(sys.argv)\n")
    emr = client("emr-serverless")
    application = emr.create_application(name="lakelab-spark", releaseLabel="emr-7.8.0", type="SPARK")["applicationId"]
    run_id = emr.start_job_run(applicationId=application, executionRoleArn=role, jobDriver={"sparkSubmit": {
        "entryPoint": "s3://lake/scripts/broken.py"}}, configurationOverrides={"monitoringConfiguration": {
            "s3MonitoringConfiguration": {"logUri": "s3://lake/emr-logs/"}}})["jobRunId"]
    for _ in range(600):
        if emr.get_job_run(applicationId=application, jobRunId=run_id)["jobRun"]["state"] in ("SUCCESS", "FAILED"):
            break
        time.sleep(0.2)
    failure = user_code.emr_serverless_failure(application)
    assert failure is not None and "IndexError: list index out of range" in failure.error
    assert any("line 4, in main" in line for line in failure.trace)
    stderr = f"s3://lake/emr-logs/applications/{application}/jobs/{run_id}/SPARK_DRIVER/stderr.gz"
    assert f"read the driver's log {stderr}" in failure.text()


def test_a_crashed_runtime_is_reported_with_its_exit_reason(client):
    _deploy(client, "lakelab-exits", "import os\ndef handler(e, c):\n    os._exit(3)\n")
    _invoke(client, "lakelab-exits")
    assert user_code.lambda_failure("lakelab-exits").error == "Runtime exited with error: exit status 3"


TRANSFORMS = """
def broken(event, context):
    raise RuntimeError("the transformation is broken")

def refuses(event, context):
    return {"records": [{"recordId": r["recordId"], "result": "ProcessingFailed", "data": r["data"]}
                        for r in event["records"]]}
"""


@pytest.mark.parametrize("handler, says", [
    ("broken", "the transformation function failed: RuntimeError: the transformation is broken"),
    ("refuses", "Lambda.ProcessingFailedStatus")])
def test_a_delivery_streams_failure_is_its_transformations_error_or_its_newest_error_record(client, service_role,
                                                                                             handler, says):
    client("s3").create_bucket(Bucket="lake")
    role = service_role("firehose", "lakelab-firehose", actions=("s3:*", "lambda:*"))
    iam = client("iam")
    try:
        function_role = iam.get_role(RoleName="lakelab-user-code")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        function_role = iam.create_role(RoleName="lakelab-user-code", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    arn = client("lambda").create_function(FunctionName=f"lakelab-{handler}", Runtime="python3.12", Role=function_role,
                                           Handler=f"app.{handler}", Code={"ZipFile": _zip(TRANSFORMS)})["FunctionArn"]
    client("firehose").create_delivery_stream(DeliveryStreamName="clicks", ExtendedS3DestinationConfiguration={
        "BucketARN": "arn:aws:s3:::lake", "RoleARN": role, "Prefix": "raw/",
        "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1},
        "ProcessingConfiguration": {"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
            {"ParameterName": "LambdaArn", "ParameterValue": arn},
            {"ParameterName": "NumberOfRetries", "ParameterValue": "0"}]}]}})
    client("firehose").put_record(DeliveryStreamName="clicks", Record={"Data": b'{"n": 1}\n'})
    for _ in range(100):
        if client("s3").list_objects_v2(Bucket="lake", Prefix="errors/").get("KeyCount"):
            break
        time.sleep(0.1)
    failure = user_code.firehose_failure("clicks")
    assert failure is not None and says in failure.error
    if handler == "refuses":
        assert failure.text().endswith("read the error record " + failure.group)
        assert failure.group.startswith("s3://lake/errors/processing-failed/")
    else:
        assert f"open log group /aws/lambda/lakelab-{handler}" in failure.text()
