"""A Lambda handler reads S3 as its execution role, through the same S3 answer: SSE-KMS needs kms:Decrypt."""

from __future__ import annotations

import io
import json
import zipfile

from kms_helpers import LAKE, allow, keys  # noqa: F401

HANDLER = """
import boto3

def handler(event, context):
    try:
        return boto3.client("s3").get_object(Bucket=event["bucket"], Key=event["key"])["Body"].read().decode()
    except Exception as error:
        return str(error)
"""
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def test_a_handler_needs_kms_decrypt_on_the_objects_key(keys, client):
    key = keys.key()
    keys.encrypt_bucket(key["KeyId"])
    keys.s3.put_object(Bucket=LAKE, Key="raw/a.csv", Body=b"a,b")
    role = keys.iam.create_role(RoleName="reader-fn", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    keys.iam.put_role_policy(RoleName="reader-fn", PolicyName="s3", PolicyDocument=json.dumps(allow("s3:GetObject")))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr("app.py", HANDLER)
    functions = client("lambda")
    functions.create_function(FunctionName="reader", Runtime="python3.12", Role=role, Handler="app.handler",
                              Code={"ZipFile": archive.getvalue()})
    event = json.dumps({"bucket": LAKE, "key": "raw/a.csv"})
    refused = json.loads(functions.invoke(FunctionName="reader", Payload=event)["Payload"].read())
    assert "AccessDenied" in refused and f"kms:Decrypt on resource: {key['Arn']}" in refused
    keys.iam.put_role_policy(RoleName="reader-fn", PolicyName="key", PolicyDocument=json.dumps(
        allow("kms:Decrypt", key["Arn"])))
    assert json.loads(functions.invoke(FunctionName="reader", Payload=event)["Payload"].read()) == "a,b"
