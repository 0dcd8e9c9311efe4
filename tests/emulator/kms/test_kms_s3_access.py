"""Reading an SSE-KMS object needs kms:Decrypt on its key, writing one kms:GenerateDataKey: key policy + IAM."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from kms_helpers import ACCOUNT, LAKE, S3_ONLY, allow, keys  # noqa: F401

ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def _denial(call) -> tuple[str, str]:
    with pytest.raises(ClientError) as refused:
        call()
    error = refused.value.response["Error"]
    return error["Code"], error["Message"]


def test_objects_record_the_key_arn_and_the_bucket_key(keys):
    key = keys.key()
    keys.kms.create_alias(AliasName="alias/lake", TargetKeyId=key["KeyId"])
    keys.encrypt_bucket("alias/lake")
    keys.s3.put_object(Bucket=LAKE, Key="raw/a.csv", Body=b"a")
    head = keys.s3.head_object(Bucket=LAKE, Key="raw/a.csv")
    encryption = (head["ServerSideEncryption"], head["SSEKMSKeyId"], head["BucketKeyEnabled"])
    assert encryption == ("aws:kms", key["Arn"], True)


def test_with_the_default_key_policy_iam_decides(keys):
    key = keys.key()
    keys.encrypt_bucket(key["KeyId"])
    keys.s3.put_object(Bucket=LAKE, Key="raw/a.csv", Body=b"a")
    keys.s3.put_object(Bucket=LAKE, Key="raw/100% sure.csv", Body=b"b")
    reader = keys.role("reader", S3_ONLY)
    code, _ = _denial(lambda: keys.session(reader).get_object(Bucket=LAKE, Key="raw/100% sure.csv"))
    assert code == "AccessDenied"
    code, message = _denial(lambda: keys.session(reader).get_object(Bucket=LAKE, Key="raw/a.csv"))
    assert code == "AccessDenied"
    assert message == (f"User: arn:aws:sts::{ACCOUNT}:assumed-role/reader/persona is not authorized to perform: "
                       f"kms:Decrypt on resource: {key['Arn']} because no identity-based policy allows the "
                       "kms:Decrypt action")
    keys.iam.put_role_policy(RoleName="reader", PolicyName="key", PolicyDocument=json.dumps(
        allow("kms:Decrypt", key["Arn"])))
    assert keys.session(reader).get_object(Bucket=LAKE, Key="raw/a.csv")["Body"].read() == b"a"


def test_a_key_policy_without_the_account_ignores_iam(keys):
    named = keys.role("named", S3_ONLY)
    other = keys.role("other", S3_ONLY, allow("kms:*"))
    key = keys.key({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": ["kms:Describe*", "kms:Put*", "kms:Get*"],
         "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": named}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Resource": "*"}]})
    keys.encrypt_bucket(key["Arn"])
    keys.s3.put_object(Bucket=LAKE, Key="raw/a.csv", Body=b"a")
    assert keys.session(named).get_object(Bucket=LAKE, Key="raw/a.csv")["Body"].read() == b"a"  # no IAM needed
    code, message = _denial(lambda: keys.session(other).get_object(Bucket=LAKE, Key="raw/a.csv"))
    assert code == "AccessDenied"
    assert message.endswith("because no resource-based policy allows the kms:Decrypt action")


def test_an_explicit_deny_in_the_key_policy_wins(keys):
    reader = keys.role("reader", S3_ONLY, allow("kms:*"))
    key = keys.key({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": reader}, "Action": "kms:Decrypt", "Resource": "*"}]})
    keys.encrypt_bucket(key["KeyId"])
    keys.s3.put_object(Bucket=LAKE, Key="raw/a.csv", Body=b"a")
    _, message = _denial(lambda: keys.session(reader).get_object(Bucket=LAKE, Key="raw/a.csv"))
    assert message.endswith(f"kms:Decrypt on resource: {key['Arn']} with an explicit deny in a resource-based policy")


def test_writing_needs_generate_data_key_and_a_refused_write_stores_nothing(keys):
    key = keys.key()
    keys.encrypt_bucket(key["KeyId"])
    writer = keys.role("writer", S3_ONLY, allow("kms:Decrypt", key["Arn"]))
    _, message = _denial(lambda: keys.session(writer).put_object(Bucket=LAKE, Key="raw/b.csv", Body=b"b"))
    assert "kms:GenerateDataKey on resource: " + key["Arn"] in message
    assert "Contents" not in keys.s3.list_objects_v2(Bucket=LAKE)
    _, message = _denial(lambda: keys.session(writer).create_multipart_upload(Bucket=LAKE, Key="raw/c.csv"))
    assert "kms:GenerateDataKey" in message
    keys.iam.put_role_policy(RoleName="writer", PolicyName="more", PolicyDocument=json.dumps(
        allow("kms:GenerateDataKey", key["Arn"])))
    keys.session(writer).put_object(Bucket=LAKE, Key="raw/b.csv", Body=b"b")
    assert keys.s3.head_object(Bucket=LAKE, Key="raw/b.csv")["SSEKMSKeyId"] == key["Arn"]


def test_a_kms_grant_allows_its_grantee(keys):
    key = keys.key()
    keys.encrypt_bucket(key["KeyId"])
    keys.s3.put_object(Bucket=LAKE, Key="raw/a.csv", Body=b"a")
    reader = keys.role("reader", S3_ONLY)
    keys.kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=reader, Operations=["Decrypt"])
    assert keys.session(reader).get_object(Bucket=LAKE, Key="raw/a.csv")["Body"].read() == b"a"


def test_root_is_never_refused_and_the_aws_managed_key_needs_no_kms_permission(keys):
    keys.encrypt_bucket(None, bucket_key=False)  # SSE-KMS naming no key: aws/s3
    keys.s3.put_object(Bucket=LAKE, Key="raw/a.csv", Body=b"a")
    managed = keys.kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"]
    assert keys.s3.head_object(Bucket=LAKE, Key="raw/a.csv")["SSEKMSKeyId"] == managed
    reader = keys.role("reader", S3_ONLY)
    assert keys.session(reader).get_object(Bucket=LAKE, Key="raw/a.csv")["Body"].read() == b"a"


def test_a_disabled_key_refuses_reads(keys):
    key = keys.key()
    keys.encrypt_bucket(key["KeyId"])
    keys.s3.put_object(Bucket=LAKE, Key="raw/a.csv", Body=b"a")
    keys.kms.disable_key(KeyId=key["KeyId"])
    code, _ = _denial(lambda: keys.s3.get_object(Bucket=LAKE, Key="raw/a.csv"))
    assert code == "KMS.DisabledException"


def test_a_missing_object_is_no_such_key_before_any_key_check(keys):
    keys.encrypt_bucket(keys.key()["KeyId"])
    code, _ = _denial(lambda: keys.session(keys.role("reader", S3_ONLY)).get_object(Bucket=LAKE, Key="nothing"))
    assert code == "NoSuchKey"


def test_head_object_keeps_the_key_id_from_the_java_sdk_1_that_cannot_send_it_back_over_http(client):
    from botocore.config import Config

    s3 = client("s3")
    s3.create_bucket(Bucket="hadoop-lake")
    s3.put_bucket_encryption(Bucket="hadoop-lake", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]})
    s3.put_object(Bucket="hadoop-lake", Key="part-0.json", Body=b"{}")
    assert s3.head_object(Bucket="hadoop-lake", Key="part-0.json")["SSEKMSKeyId"].startswith("arn:aws:kms:")
    hadoop = client("s3", config=Config(user_agent="Hadoop 3.3.4, aws-sdk-java/1.12.367 Linux/6 OpenJDK_64-Bit"))
    head = hadoop.head_object(Bucket="hadoop-lake", Key="part-0.json")
    assert head["ServerSideEncryption"] == "aws:kms" and "SSEKMSKeyId" not in head
