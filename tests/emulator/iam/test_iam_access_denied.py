"""Denied answers parse, with botocore's own parsers, into AccessDenied and AWS's message."""

from __future__ import annotations

import pytest
from botocore.awsrequest import HeadersDict
from botocore.parsers import create_parser

from lakelab.emulator.context import ASSUMED_ROLE, IAM_USER, Principal
from lakelab.emulator.services.iam import policy_evaluation as engine
from lakelab.emulator.services.iam.access_denied import denial_message, denied_answer

ACCOUNT = "123456789012"
ANALYST = Principal(IAM_USER, ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/analyst", "AIDAANALYST", user_name="analyst")
SESSION = Principal(ASSUMED_ROLE, ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/etl/job", "AROAETL:job",
                    role_arn=f"arn:aws:iam::{ACCOUNT}:role/etl", session_name="job")


def parsed_error(protocol: str, service: str, message: str) -> tuple[int, dict]:
    status, headers, body = denied_answer(protocol, service, message, "req-1")
    response = {"status_code": status, "headers": HeadersDict(headers), "body": body}
    return status, create_parser(protocol).parse(response, None)["Error"]


def test_s3_message_quotes_the_resource():
    decision = engine.Decision(False, engine.NO_IDENTITY_ALLOW, "s3:PutObject", "arn:aws:s3:::bucket/key")
    assert denial_message(ANALYST, decision, quote_resource=True) == (
        'User: arn:aws:iam::123456789012:user/analyst is not authorized to perform: s3:PutObject on resource: '
        '"arn:aws:s3:::bucket/key" because no identity-based policy allows the s3:PutObject action')


def test_assumed_role_message_names_the_session_and_the_deny():
    decision = engine.Decision(False, engine.EXPLICIT_DENY_IDENTITY, "glue:StartJobRun",
                               f"arn:aws:glue:us-east-1:{ACCOUNT}:job/etl")
    assert denial_message(SESSION, decision) == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/etl/job is not authorized to perform: glue:StartJobRun on resource: "
        f"arn:aws:glue:us-east-1:{ACCOUNT}:job/etl with an explicit deny in an identity-based policy")


def test_an_action_on_star_names_no_resource():
    decision = engine.Decision(False, engine.NO_BOUNDARY_ALLOW, "s3:ListAllMyBuckets", "*")
    assert denial_message(ANALYST, decision, quote_resource=True) == (
        f"User: {ANALYST.arn} is not authorized to perform: s3:ListAllMyBuckets "
        "because no permissions boundary allows the s3:ListAllMyBuckets action")


MESSAGE = 'User: arn:aws:iam::123456789012:user/analyst is not authorized to perform: x:Y on resource: "a<b>&c"'


@pytest.mark.parametrize("protocol, service, status, code", [
    ("rest-xml", "s3", 403, "AccessDenied"),
    ("json", "glue", 400, "AccessDeniedException"),
    ("json", "athena", 400, "AccessDeniedException"),
    ("json", "sqs", 400, "AccessDenied"),  # SQS's SDKs read the query-compatible code
    ("rest-json", "lambda", 403, "AccessDeniedException"),
    ("rest-json", "emr-serverless", 403, "AccessDeniedException"),
    ("query", "iam", 403, "AccessDenied"),
    ("query", "sts", 403, "AccessDenied"),
    ("query", "sns", 403, "AccessDenied"),
    ("query", "sqs", 403, "AccessDenied"),
])
def test_denied_bodies_parse_as_access_denied(protocol, service, status, code):
    found_status, error = parsed_error(protocol, service, MESSAGE)
    assert found_status == status
    if service == "sqs" and protocol == "json":
        code = error["QueryErrorCode"] if "QueryErrorCode" in error else error["Code"]
        assert code in ("AccessDenied", "AccessDeniedException")
    else:
        assert error["Code"] == code
    assert error["Message"] == MESSAGE


def test_cloudwatch_cbor_body_parses():
    status, headers, body = denied_answer("smithy-rpc-v2-cbor", "cloudwatch", MESSAGE, "req-1")
    response = {"status_code": status, "headers": HeadersDict(headers), "body": body}
    error = create_parser("smithy-rpc-v2-cbor").parse(response, None)["Error"]
    assert error["Message"] == MESSAGE and "AccessDenied" in error["Code"]
