"""What it costs a check to show the learner's code failure: ``lakelab.checks.user_code`` on a busy log group.

Run as ``python bench/user_code_cases.py``; prints one JSON line whose ``rows`` ``bench/run.py`` prints.
One emulator; a Lambda handler that prints 20 lines per call and raises on every fifth is invoked
200 times (one after another: one warm environment, so one stream of about 4,600 events), and a
Python shell Glue job fails once. Figures are the
median seconds of ``lambda_failure`` and ``glue_failure`` over alternating rounds, against the
baseline of one paginated ``filter_log_events`` over the whole group (what a check read before).
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
import zipfile

ROUNDS = 9
INVOCATIONS = 200
HANDLER = """
def handler(event, context):
    for i in range(20):
        print("row", i, "of call", event["n"])
    if event["n"] % 5 == 4:
        raise ValueError(f"call {event['n']}: amount '12,50' is not a number")
    return event["n"]
"""
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": [
    "lambda.amazonaws.com", "glue.amazonaws.com"]}, "Action": "sts:AssumeRole"}]}


def _set_up(endpoint: str) -> None:
    import boto3

    iam, aws_lambda, s3, glue = (boto3.client(name, endpoint_url=endpoint) for name in ("iam", "lambda", "s3", "glue"))
    role = iam.create_role(RoleName="bench-code", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    iam.put_role_policy(RoleName="bench-code", PolicyName="work", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "logs:*"], "Resource": "*"}]}))
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("app.py", HANDLER)
    aws_lambda.create_function(FunctionName="bench-raises", Runtime="python3.12", Role=role, Handler="app.handler",
                               Code={"ZipFile": package.getvalue()})
    for n in range(INVOCATIONS):
        aws_lambda.invoke(FunctionName="bench-raises", Payload=json.dumps({"n": n}).encode())
    s3.create_bucket(Bucket="bench-lake")
    s3.put_object(Bucket="bench-lake", Key="scripts/broken.py", Body=b"raise KeyError('order_month')\n")
    glue.create_job(Name="bench-broken", Role=role, GlueVersion="5.0", Command={
        "Name": "pythonshell", "PythonVersion": "3.9", "ScriptLocation": "s3://bench-lake/scripts/broken.py"})
    run_id = glue.start_job_run(JobName="bench-broken")["JobRunId"]
    while glue.get_job_run(JobName="bench-broken", RunId=run_id)["JobRun"]["JobRunState"] not in ("FAILED", "SUCCEEDED"):
        time.sleep(0.2)


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def user_code_cases() -> dict:
    from lakelab.emulator import Emulator

    emulator = Emulator().start()
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                      AWS_ENDPOINT_URL=emulator.endpoint)
    _set_up(emulator.endpoint)
    import boto3

    from lakelab.checks import user_code

    def filter_all() -> int:
        pages = boto3.client("logs").get_paginator("filter_log_events").paginate(logGroupName="/aws/lambda/bench-raises")
        return sum(len(page["events"]) for page in pages)

    events = filter_all()
    assert "ValueError" in user_code.lambda_failure("bench-raises").error
    assert "KeyError" in user_code.glue_failure("bench-broken").error
    timings: dict[str, list[float]] = {"filter": [], "lambda": [], "glue": []}
    for _ in range(ROUNDS):
        timings["filter"].append(_timed(filter_all))
        timings["lambda"].append(_timed(lambda: user_code.lambda_failure("bench-raises")))
        timings["glue"].append(_timed(lambda: user_code.glue_failure("bench-broken")))
    plain, last_lambda, last_glue = (statistics.median(timings[key]) for key in ("filter", "lambda", "glue"))
    rows = [(f"filter_log_events over a Lambda group ({events} events)", plain, "baseline: what a check read before"),
            ("user_code.lambda_failure on the same group", last_lambda,
             f"{last_lambda / plain:.2f}× the baseline (goal: a check still answers in under 1 s)"),
            ("user_code.glue_failure on a failed run", last_glue, "GetJobRuns, GetJob, two log groups")]
    return {"filter_s": plain, "lambda_failure_s": last_lambda, "glue_failure_s": last_glue, "rows": rows}


if __name__ == "__main__":
    print(json.dumps(user_code_cases()))
    sys.stdout.flush()
    os._exit(0)  # skip the slow interpreter teardown of the emulator's threads
