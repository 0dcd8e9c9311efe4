"""The entry points against real IAM state: denial_for, authorize/require, trust policies, bad policies.

IAM is set up through boto3 as root; the requests checked are built by hand, so these tests hold
before the server wires ``denial_for`` in.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from lakelab.emulator import seam
from lakelab.emulator.context import ASSUMED_ROLE, IAM_USER, Principal, RequestContext, Settings
from lakelab.emulator.requests import RequestView
from lakelab.emulator.services.iam import enforcement

ACCOUNT = "123456789012"
TRUST_ACCOUNT = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
TRUST_LAMBDA = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def iam(emulator, client):
    seam.install(enforcement.PATCHES, "iam", "lakelab.emulator.services.iam")
    return client("iam")


def user(iam, name: str, *statements: dict) -> Principal:
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=document(*statements))
    return Principal(IAM_USER, ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/{name}", "AIDA" + name.upper(),
                     access_key_id="AKIA" + name.upper(), user_name=name)


def session(role: str, name: str = "s", policy: str | None = None) -> Principal:
    return Principal(ASSUMED_ROLE, ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{name}", f"AROA:{name}",
                     access_key_id=f"ASIA{role}{name}", role_arn=f"arn:aws:iam::{ACCOUNT}:role/{role}",
                     session_name=name, session_policy=policy)


def put_object(bucket: str = "lake", key: str = "raw/a.csv") -> RequestView:
    return RequestView("PUT", f"/{bucket}/{key}", {}, {}, b"x", signing_name="s3", service="s3",
                       operation="PutObject", params={"Bucket": bucket, "Key": key}, protocol="rest-xml")


def assume(role: str) -> RequestView:
    params = {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/{role}", "RoleSessionName": "s"}
    return RequestView("POST", "/", {}, {}, b"", signing_name="sts", service="sts", operation="AssumeRole",
                       params=params, protocol="query")


def test_a_user_without_policies_is_denied_in_s3s_words(iam):
    analyst = user(iam, "analyst")
    status, headers, body = enforcement.denial_for(put_object(), RequestContext(analyst))
    assert status == 403
    assert (b'User: arn:aws:iam::123456789012:user/analyst is not authorized to perform: s3:PutObject on resource: '
            b'"arn:aws:s3:::lake/raw/a.csv" because no identity-based policy allows the s3:PutObject action') in body


def test_allowed_then_denied_when_iam_changes(iam):
    analyst = user(iam, "analyst", {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::lake/*"})
    assert enforcement.denial_for(put_object(), RequestContext(analyst)) is None
    iam.put_user_policy(UserName="analyst", PolicyName="deny", PolicyDocument=document(
        {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::lake/raw/*"}))
    status, _, body = enforcement.denial_for(put_object(), RequestContext(analyst))
    assert b"with an explicit deny in an identity-based policy" in body


def test_group_and_managed_policies_count(iam):
    analyst = user(iam, "analyst")
    iam.create_group(GroupName="analysts")
    iam.add_user_to_group(GroupName="analysts", UserName="analyst")
    iam.attach_group_policy(GroupName="analysts", PolicyArn="arn:aws:iam::aws:policy/AmazonS3FullAccess")
    assert enforcement.denial_for(put_object(), RequestContext(analyst)) is None


def test_root_and_disabled_enforcement_pass(iam):
    assert enforcement.denial_for(put_object(), RequestContext(Principal.root())) is None
    analyst = user(iam, "analyst")
    assert enforcement.denial_for(put_object(), RequestContext(analyst, Settings(enforce_iam=False))) is None


def test_bucket_policy_naming_the_user_allows(iam, client):
    analyst = user(iam, "analyst")
    s3 = client("s3")
    s3.create_bucket(Bucket="lake")
    s3.put_bucket_policy(Bucket="lake", Policy=document(
        {"Effect": "Allow", "Principal": {"AWS": analyst.arn}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::lake/*"}))
    assert enforcement.denial_for(put_object(), RequestContext(analyst)) is None


def test_role_session_with_boundary_and_session_policy(iam):
    iam.create_role(RoleName="etl", AssumeRolePolicyDocument=json.dumps(TRUST_ACCOUNT))
    iam.attach_role_policy(RoleName="etl", PolicyArn="arn:aws:iam::aws:policy/AmazonS3FullAccess")
    assert enforcement.denial_for(put_object(), RequestContext(session("etl"))) is None
    limited = session("etl", "ro", policy=document({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}))
    _, _, body = enforcement.denial_for(put_object(), RequestContext(limited))
    assert b"because no session policy allows the s3:PutObject action" in body
    assert b"assumed-role/etl/ro" in body
    boundary = iam.create_policy(PolicyName="read-only", PolicyDocument=document(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}))["Policy"]["Arn"]
    iam.put_role_permissions_boundary(RoleName="etl", PermissionsBoundary=boundary)
    _, _, body = enforcement.denial_for(put_object(), RequestContext(session("etl")))
    assert b"because no permissions boundary allows the s3:PutObject action" in body


def test_pass_role_is_checked(iam):
    deployer = user(iam, "deployer", {"Effect": "Allow", "Action": "lambda:*", "Resource": "*"})
    create = RequestView("POST", "/2015-03-31/functions", {}, {}, b"", signing_name="lambda", service="lambda",
                         operation="CreateFunction", protocol="rest-json",
                         params={"FunctionName": "f", "Role": f"arn:aws:iam::{ACCOUNT}:role/fn"})
    status, headers, body = enforcement.denial_for(create, RequestContext(deployer))
    assert status == 403 and b"iam:PassRole" in body and ("x-amzn-ErrorType", "AccessDeniedException") in headers


def test_assume_role_follows_the_trust_policy(iam):
    iam.create_role(RoleName="etl", AssumeRolePolicyDocument=json.dumps(TRUST_ACCOUNT))
    iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))
    root = RequestContext(Principal.root())
    assert enforcement.denial_for(assume("etl"), root) is None
    assert b"because no resource-based policy allows the sts:AssumeRole action" in enforcement.denial_for(
        assume("fn"), root)[2]
    admin = user(iam, "admin", {"Effect": "Allow", "Action": "*", "Resource": "*"})
    assert enforcement.denial_for(assume("etl"), RequestContext(admin)) is None
    assert enforcement.denial_for(assume("fn"), RequestContext(admin)) is not None
    nobody = user(iam, "nobody")  # the trust policy names the account: identity policies must allow too
    assert b"no identity-based policy" in enforcement.denial_for(assume("etl"), RequestContext(nobody))[2]
    assert enforcement.denial_for(assume("missing"), root) is not None


def test_trust_policy_naming_the_user_is_enough(iam):
    named = user(iam, "named")
    iam.create_role(RoleName="mine", AssumeRolePolicyDocument=document(
        {"Effect": "Allow", "Principal": {"AWS": named.arn}, "Action": "sts:AssumeRole"}))
    assert enforcement.denial_for(assume("mine"), RequestContext(named)) is None


def test_require_raises_for_in_process_work(iam):
    analyst = user(iam, "analyst", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    assert enforcement.authorize(analyst, "s3:GetObject", "arn:aws:s3:::lake/k").allowed
    with pytest.raises(enforcement.AccessDeniedError, match="not authorized to perform: s3:PutObject"):
        enforcement.require(analyst, "s3:PutObject", "arn:aws:s3:::lake/k")
    enforcement.require(Principal.root(), "s3:PutObject", "arn:aws:s3:::lake/k")


@pytest.mark.parametrize("call", ["put_role_policy", "create_policy", "put_user_policy"])
def test_identity_policy_with_a_principal_is_malformed(iam, call):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))
    iam.create_user(UserName="u")
    bad = document({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"})
    arguments = {"put_role_policy": {"RoleName": "r", "PolicyName": "p"}, "create_policy": {"PolicyName": "p"},
                 "put_user_policy": {"UserName": "u", "PolicyName": "p"}}[call]
    with pytest.raises(ClientError) as raised:
        getattr(iam, call)(PolicyDocument=bad, **arguments)
    assert raised.value.response["Error"]["Code"] == "MalformedPolicyDocument"


@pytest.mark.parametrize("trust", [
    "{not json",
    json.dumps({"Version": "2012-10-17"}),
    json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}),
    json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "s3:GetObject"}]}),
    json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"}]}),
])
def test_create_role_refuses_a_malformed_trust_policy(iam, trust):
    with pytest.raises(ClientError) as raised:
        iam.create_role(RoleName="bad", AssumeRolePolicyDocument=trust)
    assert raised.value.response["Error"]["Code"] == "MalformedPolicyDocument"


def test_update_assume_role_policy_requires_a_principal(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))
    with pytest.raises(ClientError) as raised:
        iam.update_assume_role_policy(RoleName="r", PolicyDocument=document(
            {"Effect": "Allow", "Action": "sts:AssumeRole"}))
    assert raised.value.response["Error"]["Code"] == "MalformedPolicyDocument"


def test_delete_objects_denies_key_by_key_inside_a_successful_answer(emulator, client):
    """S3 authorizes each key of a batch: the allowed ones go, the others come back as AccessDenied."""
    import boto3

    iam, s3 = client("iam"), client("s3")
    s3.create_bucket(Bucket="lake")
    for key in ("curated/", "curated/orders/a.parquet", "curated/orders/b.parquet"):
        s3.put_object(Bucket="lake", Key=key, Body=b"x")
    iam.create_role(RoleName="writer", AssumeRolePolicyDocument=json.dumps(TRUST_ACCOUNT))
    iam.put_role_policy(RoleName="writer", PolicyName="orders", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:DeleteObject",
                                                "Resource": "arn:aws:s3:::lake/curated/orders*"}]}))
    credentials = client("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/writer",
                                            RoleSessionName="spark")["Credentials"]
    as_writer = boto3.client("s3", region_name="us-east-1", endpoint_url=emulator.endpoint,
                             aws_access_key_id=credentials["AccessKeyId"],
                             aws_secret_access_key=credentials["SecretAccessKey"],
                             aws_session_token=credentials["SessionToken"])
    answer = as_writer.delete_objects(Bucket="lake", Delete={"Objects": [
        {"Key": "curated/"}, {"Key": "curated/orders/a.parquet"}, {"Key": "curated/orders/b.parquet"}]})
    assert sorted(d["Key"] for d in answer["Deleted"]) == ["curated/orders/a.parquet", "curated/orders/b.parquet"]
    assert [(e["Key"], e["Code"]) for e in answer["Errors"]] == [("curated/", "AccessDenied")]
    left = [o["Key"] for o in s3.list_objects_v2(Bucket="lake")["Contents"]]
    assert left == ["curated/"]


def test_assume_role_answers_the_source_identity_it_was_given(client):
    client("iam").create_role(RoleName="etl", AssumeRolePolicyDocument=json.dumps(TRUST_ACCOUNT))
    answer = client("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/etl", RoleSessionName="etl-session",
                                       SourceIdentity="alice")
    assert answer["SourceIdentity"] == "alice"
