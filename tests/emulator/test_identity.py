"""Who is calling: root for the course's keys, IAM users by their keys, role sessions by STS's."""

from __future__ import annotations

import datetime as dt
import json

import boto3
import pytest
from botocore.exceptions import ClientError

from lakelab.emulator import context, identity, seam

ACCOUNT = "123456789012"
TRUST_ACCOUNT = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": ["sts:AssumeRole", "sts:TagSession",
                                                                                  "sts:SetSourceIdentity"]}]}


def _signed_as(emulator, service, credentials):
    return boto3.client(service, region_name="us-east-1", endpoint_url=emulator.endpoint,
                        aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials.get("SecretAccessKey", "x"),
                        aws_session_token=credentials.get("SessionToken"))


def _role_session(client, **extra):
    client("iam").create_role(RoleName="analyst", AssumeRolePolicyDocument=json.dumps(TRUST_ACCOUNT))
    return client("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/analyst", RoleSessionName="ana",
                                     **extra)["Credentials"]


@pytest.fixture
def principals(monkeypatch):
    """The principal the pipeline resolved for each request of the test."""
    found = []
    original = identity.resolve

    def spy(request):
        who = original(request)
        found.append(who)
        return who

    monkeypatch.setattr(identity, "resolve", spy)
    return found


def test_the_course_credentials_act_as_root(client, principals):
    client("s3").list_buckets()
    assert principals[-1].type == context.ROOT and principals[-1].arn == f"arn:aws:iam::{ACCOUNT}:root"
    answer = client("sts").get_caller_identity()
    assert (answer["Arn"], answer["UserId"], answer["Account"]) == (f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, ACCOUNT)


def test_an_iam_users_key_names_the_user(emulator, client, principals):
    client("iam").create_user(UserName="analyst")
    key = client("iam").create_access_key(UserName="analyst")["AccessKey"]
    answer = _signed_as(emulator, "sts", key).get_caller_identity()
    assert answer["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/analyst"
    assert principals[-1].type == context.IAM_USER and principals[-1].user_name == "analyst"
    assert principals[-1].access_key_id == key["AccessKeyId"]


def test_a_deleted_or_inactive_user_key_is_refused_never_root(emulator, client):
    iam = client("iam")
    iam.create_user(UserName="analyst")
    key = iam.create_access_key(UserName="analyst")["AccessKey"]
    sts = _signed_as(emulator, "sts", key)
    sts.get_caller_identity()
    iam.update_access_key(UserName="analyst", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    with pytest.raises(ClientError, match="InvalidClientTokenId"):
        sts.get_caller_identity()
    iam.delete_access_key(UserName="analyst", AccessKeyId=key["AccessKeyId"])
    with pytest.raises(ClientError, match="InvalidClientTokenId"):
        sts.get_caller_identity()


def test_a_role_session_carries_its_name_source_identity_and_tags(emulator, client, principals):
    credentials = _role_session(client, SourceIdentity="alice", Tags=[{"Key": "team", "Value": "data"}],
                                DurationSeconds=900)
    answer = _signed_as(emulator, "sts", credentials).get_caller_identity()
    assert answer["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/analyst/ana"
    who = principals[-1]
    assert (who.type, who.role_name, who.session_name) == (context.ASSUMED_ROLE, "analyst", "ana")
    assert who.source_identity == "alice" and who.session_tags == {"team": "data"}
    assert dt.timedelta(seconds=890) < who.session_expires - who.session_issued <= dt.timedelta(seconds=900)


def _expire(access_key_id):
    for account in seam.accounts("sts"):
        role = seam.backend("sts", account).get_assumed_role_from_access_key(access_key_id)
        if role is not None:
            role.expiration = dt.datetime.now() - dt.timedelta(seconds=1)
    identity.forget_all()


def test_an_expired_session_gets_each_protocols_expired_token_error(emulator, client):
    credentials = _role_session(client)
    _expire(credentials["AccessKeyId"])
    with pytest.raises(ClientError) as from_s3:
        _signed_as(emulator, "s3", credentials).list_buckets()
    assert from_s3.value.response["Error"]["Code"] == "ExpiredToken"
    with pytest.raises(ClientError) as from_glue:
        _signed_as(emulator, "glue", credentials).get_databases()
    assert from_glue.value.response["Error"]["Code"] == "ExpiredTokenException"
    with pytest.raises(ClientError) as from_sts:
        _signed_as(emulator, "sts", credentials).get_caller_identity()
    assert from_sts.value.response["Error"]["Code"] == "ExpiredToken"
    client("s3").list_buckets()  # the server keeps answering everyone else


def test_emulators_decide_enforcement_each_for_itself():
    from lakelab.emulator import Emulator

    with Emulator(iam=False) as lenient, Emulator() as strict:
        assert lenient.settings.enforce_iam is False and strict.settings.enforce_iam is True
