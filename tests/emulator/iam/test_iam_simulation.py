"""IAM's policy simulator answers from the evaluation that enforces every request."""

import json

import pytest
from botocore.exceptions import ClientError

ROLE_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


@pytest.fixture
def validator(client):
    iam = client("iam")
    arn = iam.create_role(RoleName="validator", AssumeRolePolicyDocument=json.dumps(ROLE_TRUST))["Role"]["Arn"]
    iam.put_role_policy(RoleName="validator", PolicyName="zones", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lake/raw/*"},
            {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::lake/validated/*"},
            {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::lake/validated/keep/*"}]}))
    return arn


def _decisions(answer):
    return {(r["EvalActionName"], r["EvalResourceName"]): r["EvalDecision"] for r in answer["EvaluationResults"]}


def test_simulate_principal_policy_says_allowed_implicit_and_explicit_deny(client, validator):
    answer = client("iam").simulate_principal_policy(
        PolicySourceArn=validator, ActionNames=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        ResourceArns=["arn:aws:s3:::lake/raw/a.csv", "arn:aws:s3:::lake/validated/keep/a.csv"])
    assert _decisions(answer) == {
        ("s3:GetObject", "arn:aws:s3:::lake/raw/a.csv"): "allowed",
        ("s3:PutObject", "arn:aws:s3:::lake/raw/a.csv"): "implicitDeny",
        ("s3:DeleteObject", "arn:aws:s3:::lake/raw/a.csv"): "implicitDeny",
        ("s3:GetObject", "arn:aws:s3:::lake/validated/keep/a.csv"): "allowed",
        ("s3:PutObject", "arn:aws:s3:::lake/validated/keep/a.csv"): "allowed",
        ("s3:DeleteObject", "arn:aws:s3:::lake/validated/keep/a.csv"): "explicitDeny",
    }


def test_simulate_custom_policy_and_extra_policies(client, validator):
    iam = client("iam")
    custom = iam.simulate_custom_policy(
        PolicyInputList=[json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::lake",
             "Condition": {"StringLike": {"s3:prefix": "raw/*"}}}]})],
        ActionNames=["s3:ListBucket"], ResourceArns=["arn:aws:s3:::lake"],
        ContextEntries=[{"ContextKeyName": "s3:prefix", "ContextKeyValues": ["raw/2024"], "ContextKeyType": "string"}])
    assert [r["EvalDecision"] for r in custom["EvaluationResults"]] == ["allowed"]
    boundary = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    bounded = iam.simulate_principal_policy(PolicySourceArn=validator, ActionNames=["s3:PutObject"],
                                            ResourceArns=["arn:aws:s3:::lake/validated/a.csv"],
                                            PermissionsBoundaryPolicyInputList=[boundary])
    assert bounded["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"


def test_a_malformed_policy_is_refused(client):
    with pytest.raises(ClientError, match="MalformedPolicyDocument"):
        client("iam").simulate_custom_policy(PolicyInputList=["{not json"], ActionNames=["s3:GetObject"])
