"""Shared fixtures: one emulator per test process, reset before each test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from lakelab.emulator import Emulator

# The environment (local target, test credentials, no real account) is set by the root conftest.py.


@pytest.fixture(scope="session")
def _session_emulator() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def emulator(_session_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """A clean emulator; AWS_ENDPOINT_URL points at it for the duration of the test."""
    _session_emulator.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", _session_emulator.endpoint)
    yield _session_emulator
    _session_emulator.drain()


@pytest.fixture
def client(emulator: Emulator):
    """``client("s3")``: a boto3 client on the test's emulator."""

    def make(service: str, **kwargs):
        return boto3.client(service, region_name="us-east-1", endpoint_url=emulator.endpoint, **kwargs)

    return make


@pytest.fixture
def service_role(client):
    """``service_role("lambda", "lakelab-test")``: a role the service may assume, allowed S3 and logs.

    IAM is enforced for roles, so code the emulator runs for a test (a handler, a job) needs a role
    whose policy lets it do its work, as on AWS.
    """
    import json

    from botocore.exceptions import ClientError

    def make(service: str, name: str, actions: tuple[str, ...] = ("s3:*", "logs:*", "glue:*")) -> str:
        iam = client("iam")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "Service": f"{service}.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        try:
            arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        except ClientError:
            arn = iam.get_role(RoleName=name)["Role"]["Arn"]
        work = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}
        iam.put_role_policy(RoleName=name, PolicyName="test-work", PolicyDocument=json.dumps(work))
        return arn

    return make
