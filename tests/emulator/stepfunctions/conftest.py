"""One lake per test module: a state machine role, a role allowed nothing, one Lambda function.

The emulator is reset once per module, not per test, so the function's warm worker serves every
test of the module; each test names its own state machines.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

ACCOUNT = "123456789012"
HANDLER = """
import json

import boto3


def handler(event, context):
    if event.get("action") == "fail":
        raise ValueError(event.get("message", "bad input"))
    if event.get("action") == "approve":  # a callback: the task token goes back to Step Functions
        boto3.client("stepfunctions").send_task_success(taskToken=event["token"], output=json.dumps({"approved": True}))
    return {"n": event.get("n", 0) + event.get("step", 1)}
"""
FINISHED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


def trust(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": f"{service}.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def allow(*actions: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions),
                                                               "Resource": "*"}]})


@dataclass
class Lake:
    endpoint: str
    role: str  # the state machine's role: Lambda, SNS, SQS, Glue, Athena and S3 allowed
    powerless_role: str  # trusts Step Functions, allowed nothing
    function_arn: str

    def client(self, service: str, **kwargs: Any) -> Any:
        return boto3.client(service, region_name="us-east-1", endpoint_url=self.endpoint, **kwargs)

    def machine(self, name: str, definition: dict[str, Any], role: str | None = None, **kwargs: Any) -> str:
        return self.client("stepfunctions").create_state_machine(
            name=name, definition=json.dumps(definition), roleArn=role or self.role, **kwargs)["stateMachineArn"]

    def run(self, machine_arn: str, given: Any = None, timeout: float = 60.0) -> dict[str, Any]:
        """Start an execution and wait for its end; DescribeExecution's answer."""
        sfn = self.client("stepfunctions")
        execution = sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps(given or {}))["executionArn"]
        return self.wait(execution, timeout)

    def wait(self, execution_arn: str, timeout: float = 60.0) -> dict[str, Any]:
        sfn, deadline = self.client("stepfunctions"), time.monotonic() + timeout
        while True:
            described = sfn.describe_execution(executionArn=execution_arn)
            if described["status"] in FINISHED or time.monotonic() > deadline:
                return described
            time.sleep(0.02)

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        return self.client("stepfunctions").get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]


@pytest.fixture(scope="module")
def lake(_session_emulator) -> Lake:
    _session_emulator.reset()
    iam = boto3.client("iam", region_name="us-east-1", endpoint_url=_session_emulator.endpoint)
    role = iam.create_role(RoleName="pipeline", AssumeRolePolicyDocument=trust("states"))["Role"]["Arn"]
    iam.put_role_policy(RoleName="pipeline", PolicyName="tasks", PolicyDocument=allow(
        "lambda:InvokeFunction", "sns:Publish", "sqs:SendMessage", "glue:*", "athena:*", "s3:*", "iam:PassRole"))
    powerless = iam.create_role(RoleName="powerless", AssumeRolePolicyDocument=trust("states"))["Role"]["Arn"]
    handler_role = iam.create_role(RoleName="steps-handler", AssumeRolePolicyDocument=trust("lambda"))["Role"]["Arn"]
    iam.put_role_policy(RoleName="steps-handler", PolicyName="callbacks", PolicyDocument=allow("states:SendTaskSuccess"))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr("app.py", HANDLER)
    awslambda = boto3.client("lambda", region_name="us-east-1", endpoint_url=_session_emulator.endpoint)
    function_arn = awslambda.create_function(FunctionName="steps", Runtime="python3.12", Role=handler_role,
                                             Handler="app.handler", Code={"ZipFile": archive.getvalue()})["FunctionArn"]
    yield Lake(_session_emulator.endpoint, role, powerless, function_arn)
    _session_emulator.drain()
