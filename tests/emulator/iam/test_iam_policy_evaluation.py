"""The evaluation engine, one small policy case at a time (no emulator)."""

from __future__ import annotations

import json

import pytest

from lakelab.emulator.context import ASSUMED_ROLE, IAM_USER, Principal
from lakelab.emulator.services.iam import policy_evaluation as engine
from lakelab.emulator.services.iam.policy_conditions import UnknownConditionOperator, compile_conditions
from lakelab.emulator.services.iam.policy_evaluation import PolicySet, compile_policy, evaluate

ACCOUNT = "123456789012"
ANALYST = Principal(IAM_USER, ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/analyst", "AIDAANALYST", user_name="analyst")
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/etl"
SESSION = Principal(ASSUMED_ROLE, ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/etl/job", "AROAETL:job",
                    role_arn=ROLE_ARN, session_name="job")
OBJECT = "arn:aws:s3:::lake/raw/a.csv"


def policy(*statements: dict) -> engine.Policy:
    return compile_policy(json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))


def allow(action="s3:GetObject", resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action="s3:GetObject", resource="*", **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def decide(identity=(), action="s3:GetObject", resource=OBJECT, keys=None, caller=ANALYST, **parts):
    return evaluate(PolicySet(tuple(identity), parts.get("boundary"), parts.get("session")), caller, action,
                    resource, keys or {}, parts.get("resource_policy"))


def test_nothing_allows_so_the_request_is_denied_implicitly():
    decision = decide()
    assert not decision.allowed and decision.reason == engine.NO_IDENTITY_ALLOW
    assert decision.because == "because no identity-based policy allows the s3:GetObject action"


def test_an_allow_allows():
    assert decide([policy(allow())]).allowed


def test_explicit_deny_beats_allow():
    decision = decide([policy(allow()), policy(deny(resource="arn:aws:s3:::lake/*"))])
    assert decision.reason == engine.EXPLICIT_DENY_IDENTITY
    assert decision.because == "with an explicit deny in an identity-based policy"


@pytest.mark.parametrize("action, allowed", [("s3:getobject", True), ("S3:GETOBJECT", True), ("s3:GetObjectAcl", False),
                                             ("s3:GetObjectVersion", True), ("s3:PutObject", False)])
def test_action_wildcards_ignore_case(action, allowed):
    assert decide([policy(allow(action=["s3:GetObject", "s3:*Version"]))], action=action).allowed is allowed


@pytest.mark.parametrize("resource, allowed", [("arn:aws:s3:::lake/raw/a.csv", True), ("arn:aws:s3:::lake/RAW/a.csv", False),
                                               ("arn:aws:s3:::lake/raw/deep/b.csv", True), ("arn:aws:s3:::lake/raw", False)])
def test_resource_wildcards_respect_case(resource, allowed):
    assert decide([policy(allow(resource="arn:aws:s3:::lake/raw/*"))], resource=resource).allowed is allowed


def test_question_mark_matches_one_character():
    assert decide([policy(allow(resource="arn:aws:s3:::lake/raw/?.csv"))]).allowed
    assert not decide([policy(allow(resource="arn:aws:s3:::lake/raw/??.csv"))]).allowed


def test_not_action_allows_everything_else():
    everything_but_delete = policy({"Effect": "Allow", "NotAction": "s3:Delete*", "Resource": "*"})
    assert decide([everything_but_delete], action="s3:PutObject").allowed
    assert not decide([everything_but_delete], action="s3:DeleteObject").allowed


def test_not_resource_in_a_deny_protects_all_but_one_bucket():
    only_lake = policy(allow(action="s3:*"), {"Effect": "Deny", "Action": "s3:*", "NotResource": [
        "arn:aws:s3:::lake", "arn:aws:s3:::lake/*"]})
    assert decide([only_lake]).allowed
    assert decide([only_lake], resource="arn:aws:s3:::other/x").reason == engine.EXPLICIT_DENY_IDENTITY


def test_boundary_denies_what_identity_allows():
    decision = decide([policy(allow(action="s3:*"))], action="s3:PutObject", boundary=policy(allow()))
    assert decision.reason == engine.NO_BOUNDARY_ALLOW
    assert decision.because == "because no permissions boundary allows the s3:PutObject action"
    assert decide([policy(allow(action="s3:*"))], boundary=policy(allow())).allowed


def test_boundary_alone_grants_nothing():
    assert decide([], boundary=policy(allow())).reason == engine.NO_IDENTITY_ALLOW


def test_session_policy_intersects():
    role_policies = [policy(allow(action="s3:*"))]
    session = policy(allow(action="s3:GetObject"))
    assert decide(role_policies, caller=SESSION, session=session).allowed
    decision = decide(role_policies, action="s3:PutObject", caller=SESSION, session=session)
    assert decision.reason == engine.NO_SESSION_ALLOW
    assert decide([], caller=SESSION, session=session).reason == engine.NO_IDENTITY_ALLOW


def test_deny_in_a_boundary_or_session_policy_is_named():
    assert decide([policy(allow())], boundary=policy(allow(), deny())).reason == engine.EXPLICIT_DENY_BOUNDARY
    assert decide([policy(allow())], caller=SESSION, session=policy(deny())).reason == engine.EXPLICIT_DENY_SESSION


def bucket_policy(principal, effect="Allow") -> engine.Policy:
    return policy({"Effect": effect, "Principal": principal, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lake/*"})


def test_resource_policy_naming_the_user_allows_what_identity_does_not():
    assert decide([], resource_policy=bucket_policy({"AWS": ANALYST.arn})).allowed


def test_resource_policy_naming_the_account_delegates_to_identity_policies():
    decision = decide([], resource_policy=bucket_policy({"AWS": ACCOUNT}))
    assert decision.reason == engine.NO_IDENTITY_ALLOW


def test_resource_policy_deny_is_named_as_resource_based():
    decision = decide([policy(allow())], resource_policy=bucket_policy("*", effect="Deny"))
    assert decision.reason == engine.EXPLICIT_DENY_RESOURCE
    assert decision.because == "with an explicit deny in a resource-based policy"


def test_resource_policy_naming_the_session_is_not_limited_by_boundary_or_session_policy():
    grant = bucket_policy({"AWS": SESSION.arn})
    assert decide([], caller=SESSION, boundary=policy(allow(action="s3:ListBucket")),
                  session=policy(allow(action="s3:ListBucket")), resource_policy=grant).allowed


def test_resource_policy_naming_the_role_is_limited_by_boundary_and_session_policy():
    grant = bucket_policy({"AWS": ROLE_ARN})
    assert decide([], caller=SESSION, resource_policy=grant).allowed
    limited = decide([], caller=SESSION, boundary=policy(allow(action="s3:ListBucket")), resource_policy=grant)
    assert limited.reason == engine.NO_BOUNDARY_ALLOW
    assert decide([], caller=SESSION, session=policy(allow(action="s3:ListBucket")),
                  resource_policy=grant).reason == engine.NO_SESSION_ALLOW


def test_resource_policy_for_someone_else_does_not_apply():
    other = bucket_policy({"AWS": f"arn:aws:iam::{ACCOUNT}:user/someone"}, effect="Deny")
    assert decide([policy(allow())], resource_policy=other).allowed


def test_not_principal_deny_spares_only_those_named():
    spare_analyst = policy({"Effect": "Deny", "NotPrincipal": {"AWS": ANALYST.arn}, "Action": "s3:*", "Resource": "*"})
    assert decide([policy(allow())], resource_policy=spare_analyst).allowed
    assert decide([policy(allow())], caller=SESSION, resource_policy=spare_analyst).reason == engine.EXPLICIT_DENY_RESOURCE


def test_policy_variables_in_resources():
    home = policy(allow(resource="arn:aws:s3:::lake/home/${aws:username}/*"))
    keys = {"aws:username": "analyst"}
    assert decide([home], resource="arn:aws:s3:::lake/home/analyst/x", keys=keys).allowed
    assert not decide([home], resource="arn:aws:s3:::lake/home/other/x", keys=keys).allowed
    assert not decide([home], resource="arn:aws:s3:::lake/home//x", keys={}).allowed  # no value: no match


def test_variable_values_are_literal_and_special_variables_escape():
    home = policy(allow(resource="arn:aws:s3:::lake/${aws:username}/*"))
    assert not decide([home], resource="arn:aws:s3:::lake/anything/x", keys={"aws:username": "*"}).allowed
    star = policy(allow(resource="arn:aws:s3:::lake/${*}"))
    assert decide([star], resource="arn:aws:s3:::lake/*").allowed
    assert not decide([star], resource="arn:aws:s3:::lake/x").allowed


def test_variable_default_value():
    home = policy(allow(resource="arn:aws:s3:::lake/${aws:PrincipalTag/team, 'shared'}/*"))
    assert decide([home], resource="arn:aws:s3:::lake/shared/x").allowed
    assert decide([home], resource="arn:aws:s3:::lake/data/x", keys={"aws:principaltag/team": "data"}).allowed


def holds(block: dict, keys: dict) -> bool:
    return all(condition.holds(keys) for condition in compile_conditions(block))


@pytest.mark.parametrize("block, keys, expected", [
    ({"StringEquals": {"aws:username": "analyst"}}, {"aws:username": "analyst"}, True),
    ({"StringEquals": {"aws:username": "analyst"}}, {"aws:username": "Analyst"}, False),
    ({"StringEqualsIgnoreCase": {"aws:username": "ANALYST"}}, {"aws:username": "analyst"}, True),
    ({"StringNotEquals": {"aws:username": ["a", "b"]}}, {"aws:username": "c"}, True),
    ({"StringNotEquals": {"aws:username": ["a", "b"]}}, {"aws:username": "b"}, False),
    ({"StringNotEquals": {"aws:username": "a"}}, {}, True),  # a negated operator holds for a missing key
    ({"StringEquals": {"aws:username": "a"}}, {}, False),
    ({"StringLike": {"s3:prefix": ["", "home/*"]}}, {"s3:prefix": "home/x/"}, True),
    ({"StringLike": {"s3:prefix": ["", "home/*"]}}, {"s3:prefix": ""}, True),
    ({"StringNotLike": {"s3:prefix": "secret/*"}}, {"s3:prefix": "secret/a"}, False),
    ({"StringEquals": {"AWS:UserName": "analyst"}}, {"aws:username": "analyst"}, True),  # keys ignore case
    ({"StringEquals": {"s3:prefix": "home/${aws:username}/"}}, {"s3:prefix": "home/analyst/", "aws:username": "analyst"}, True),
    ({"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, True),
    ({"NumericGreaterThan": {"s3:max-keys": 10}}, {"s3:max-keys": "10"}, False),
    ({"NumericNotEquals": {"s3:max-keys": "5"}}, {"s3:max-keys": "x"}, True),
    ({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, {"aws:currenttime": "2026-12-06T10:00:00Z"}, True),
    ({"DateLessThan": {"aws:CurrentTime": "2020-01-01"}}, {"aws:currenttime": "2026-12-06T10:00:00Z"}, False),
    ({"DateLessThan": {"aws:EpochTime": "2000000000"}}, {"aws:epochtime": "1765000000"}, True),
    ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:securetransport": "true"}, False),
    ({"Bool": {"aws:SecureTransport": True}}, {"aws:securetransport": "true"}, True),
    ({"BinaryEquals": {"k": "QUJD"}}, {"k": "QUJD"}, True),
    ({"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}, {"aws:sourceip": "127.0.0.1"}, True),
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:sourceip": "127.0.0.1"}, False),
    ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:sourceip": "127.0.0.1"}, True),
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/etl*"}}, {"aws:principalarn": ROLE_ARN}, True),
    ({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/other"}}, {"aws:principalarn": ROLE_ARN}, False),
    ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/other"}}, {"aws:principalarn": ROLE_ARN}, True),
    ({"Null": {"aws:SourceIdentity": "true"}}, {}, True),
    ({"Null": {"aws:SourceIdentity": "false"}}, {}, False),
    ({"Null": {"aws:SourceIdentity": "false"}}, {"aws:sourceidentity": "ana"}, True),
    ({"StringEqualsIfExists": {"s3:x-amz-server-side-encryption": "AES256"}}, {}, True),
    ({"StringEqualsIfExists": {"s3:x-amz-server-side-encryption": "AES256"}},
     {"s3:x-amz-server-side-encryption": "aws:kms"}, False),
    ({"ForAnyValue:StringEquals": {"aws:CalledVia": ["athena.amazonaws.com"]}},
     {"aws:calledvia": ["glue.amazonaws.com", "athena.amazonaws.com"]}, True),
    ({"ForAnyValue:StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}, {}, False),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "course"]}}, {"aws:tagkeys": ["team"]}, True),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}, {"aws:tagkeys": ["team", "secret"]}, False),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}, {}, True),
    ({"StringEquals": {"aws:username": "analyst"}, "Bool": {"aws:SecureTransport": "true"}},
     {"aws:username": "analyst", "aws:securetransport": "true"}, True),
])
def test_condition_operators(block, keys, expected):
    assert holds(block, keys) is expected


def test_unknown_condition_operator_is_refused():
    with pytest.raises(UnknownConditionOperator):
        compile_conditions({"StringEqualz": {"k": "v"}})


def test_condition_limits_an_allow():
    listing = policy(allow(action="s3:ListBucket", resource="arn:aws:s3:::lake",
                           Condition={"StringLike": {"s3:prefix": "home/${aws:username}/*"}}))
    keys = {"aws:username": "analyst", "s3:prefix": "home/analyst/2026/"}
    assert decide([listing], action="s3:ListBucket", resource="arn:aws:s3:::lake", keys=keys).allowed
    keys["s3:prefix"] = "home/other/"
    assert not decide([listing], action="s3:ListBucket", resource="arn:aws:s3:::lake", keys=keys).allowed


def test_deny_unless_tls():
    tls_only = policy(allow(action="s3:*"), deny(action="s3:*", Condition={"Bool": {"aws:SecureTransport": "false"}}))
    assert decide([tls_only], keys={"aws:securetransport": "true"}).allowed
    assert not decide([tls_only], keys={"aws:securetransport": "false"}).allowed


def test_service_principal_in_a_resource_policy():
    lambda_invoke = policy({"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
                            "Action": "lambda:InvokeFunction", "Resource": "*"})
    s3 = Principal.aws_service("s3.amazonaws.com")
    assert evaluate(PolicySet(), s3, "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:1:function:f", {},
                    lambda_invoke).allowed


def test_same_text_compiles_once():
    text = json.dumps({"Version": "2012-10-17", "Statement": [allow()]})
    assert compile_policy(text) is compile_policy(text)


def test_malformed_document_is_refused():
    with pytest.raises(engine.MalformedPolicy):
        compile_policy("{not json")
