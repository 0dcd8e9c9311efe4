"""Step Functions: a 5-state machine with two Lambda tasks, StartExecution to SUCCEEDED (goal ≤ 2 s).

Run as ``python bench/stepfunctions_cases.py``; prints one JSON object on its last line, whose
``rows`` are the table lines ``bench/run.py`` prints. The machine: a ``lambda:invoke`` task, a
task naming a second function by its ARN, a Pass with an intrinsic function, a Choice, a
Succeed. The first execution meets both functions cold (their workers start); the next ones are
warm. Each figure is StartExecution until DescribeExecution first answers SUCCEEDED, polled every
10 ms through boto3, as a notebook would.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
import zipfile

WARM_RUNS = 7
HANDLER = "def handler(event, context):\n    return {'n': event.get('n', 0) + 1}\n"


def _trust(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": f"{service}.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _deploy(iam, awslambda) -> tuple[str, str]:
    """The state machine's role (allowed to invoke) and the second function's ARN."""
    handler_role = iam.create_role(RoleName="bench-handler", AssumeRolePolicyDocument=_trust("lambda"))["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr("app.py", HANDLER)
    arns = [awslambda.create_function(FunctionName=name, Runtime="python3.12", Role=handler_role,
                                      Handler="app.handler", Code={"ZipFile": archive.getvalue()})["FunctionArn"]
            for name in ("bench-first", "bench-second")]
    role = iam.create_role(RoleName="bench-pipeline", AssumeRolePolicyDocument=_trust("states"))["Role"]["Arn"]
    iam.put_role_policy(RoleName="bench-pipeline", PolicyName="invoke", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction",
                                                 "Resource": arns}]}))
    return role, arns[1]


def _definition(second_function: str) -> dict:
    return {"StartAt": "First", "States": {
        "First": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload",
                  "Parameters": {"FunctionName": "bench-first", "Payload.$": "$"}, "Next": "Second"},
        "Second": {"Type": "Task", "Resource": second_function, "Next": "Shape"},
        "Shape": {"Type": "Pass", "Parameters": {"n.$": "$.n", "label.$": "States.Format('n={}', $.n)"},
                  "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 2, "Next": "Done"}],
                  "Default": "Done"},
        "Done": {"Type": "Succeed"}}}


def _start_to_succeeded(sfn, machine: str) -> float:
    started = time.perf_counter()
    execution = sfn.start_execution(stateMachineArn=machine, input='{"n": 0}')["executionArn"]
    while (status := sfn.describe_execution(executionArn=execution)["status"]) == "RUNNING":
        time.sleep(0.01)
    seconds = time.perf_counter() - started
    if status != "SUCCEEDED":
        raise SystemExit(f"the benchmark's execution ended {status}, not SUCCEEDED")
    return seconds


def five_states_two_lambdas() -> dict:
    import boto3

    from lakelab.emulator import Emulator

    emulator = Emulator().start()
    os.environ.update(AWS_ENDPOINT_URL=emulator.endpoint, AWS_ACCESS_KEY_ID="testing",
                      AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    sfn = boto3.client("stepfunctions")
    role, second = _deploy(boto3.client("iam"), boto3.client("lambda"))
    machine = sfn.create_state_machine(name="bench-five-states", definition=json.dumps(_definition(second)),
                                       roleArn=role)["stateMachineArn"]
    cold = _start_to_succeeded(sfn, machine)
    warm = statistics.median(_start_to_succeeded(sfn, machine) for _ in range(WARM_RUNS))
    rows = [("Step Functions: 5 states, 2 Lambda tasks (new workers)", cold, "StartExecution to SUCCEEDED"),
            ("the same, warm", warm, f"median of {WARM_RUNS}; goal ≤ 2 s")]
    return {"cold_s": cold, "warm_s": warm, "rows": rows}


if __name__ == "__main__":
    print(json.dumps(five_states_two_lambdas()))
    sys.stdout.flush()
    os._exit(0)  # skip the slow interpreter teardown of the emulator's threads and workers
