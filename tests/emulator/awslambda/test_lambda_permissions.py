"""AddPermission on the emulator: a statement id the policy holds is refused with 409, as on AWS."""

import json

import pytest
from botocore.exceptions import ClientError

from test_lambda_invoke import deploy

HANDLER = "def handler(event, context):\n    return event\n"
S3_INVOKE = {"Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com",
             "SourceArn": "arn:aws:s3:::lakelab-landing", "SourceAccount": "123456789012"}


def statements(client, name):
    return json.loads(client("lambda").get_policy(FunctionName=name)["Policy"])["Statement"]


def test_a_taken_statement_id_is_refused_and_the_policy_keeps_one_statement(client):
    deploy(client, "lakelab-permitted", {"app.py": HANDLER})
    aws_lambda = client("lambda")
    aws_lambda.add_permission(FunctionName="lakelab-permitted", StatementId="arrivals", **S3_INVOKE)
    with pytest.raises(aws_lambda.exceptions.ResourceConflictException) as raised:
        aws_lambda.add_permission(FunctionName="lakelab-permitted", StatementId="arrivals", **S3_INVOKE)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert raised.value.response["Error"]["Message"] == (
        "The statement id (arrivals) provided already exists. Please provide a new statement id, or remove the "
        "existing statement.")
    assert [statement["Sid"] for statement in statements(client, "lakelab-permitted")] == ["arrivals"]


def test_remove_then_add_replaces_the_statement_and_other_ids_are_added(client):
    deploy(client, "lakelab-replaced", {"app.py": HANDLER})
    aws_lambda = client("lambda")
    aws_lambda.add_permission(FunctionName="lakelab-replaced", StatementId="arrivals", **S3_INVOKE)
    aws_lambda.remove_permission(FunctionName="lakelab-replaced", StatementId="arrivals")
    aws_lambda.add_permission(FunctionName="lakelab-replaced", StatementId="arrivals",
                              **{**S3_INVOKE, "SourceArn": "arn:aws:s3:::lakelab-other"})
    aws_lambda.add_permission(FunctionName="lakelab-replaced", StatementId="second", **S3_INVOKE)
    found = {statement["Sid"]: statement for statement in statements(client, "lakelab-replaced")}
    assert sorted(found) == ["arrivals", "second"]
    assert found["arrivals"]["Condition"]["ArnLike"]["AWS:SourceArn"] == "arn:aws:s3:::lakelab-other"


def test_an_unknown_function_is_still_not_found(client):
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        client("lambda").add_permission(FunctionName="lakelab-nobody", StatementId="arrivals", **S3_INVOKE)
