"""Shared set-up for the KMS tests: a lake bucket under SSE-KMS, and roles assumed as a notebook assumes them."""

from __future__ import annotations

import json
from dataclasses import dataclass

import boto3
import pytest

ACCOUNT = "123456789012"
LAKE = "lakelab-lake"
TRUST_ACCOUNT = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
S3_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


def allow(actions, resource: str = "*") -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]}


@dataclass
class Keys:
    endpoint: str
    kms: object
    s3: object
    iam: object

    def key(self, policy: dict | None = None) -> dict:
        """A customer managed key (the default key policy unless ``policy``)."""
        kwargs = {"Policy": json.dumps(policy)} if policy else {}
        return self.kms.create_key(Description="lake key", **kwargs)["KeyMetadata"]

    def encrypt_bucket(self, key_id: str | None, bucket_key: bool = True, bucket: str = LAKE) -> None:
        default = {"SSEAlgorithm": "aws:kms", **({"KMSMasterKeyID": key_id} if key_id else {})}
        self.s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": bucket_key}]})

    def role(self, name: str, *policies: dict) -> str:
        arn = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_ACCOUNT))["Role"]["Arn"]
        for number, policy in enumerate(policies or (S3_ONLY,)):
            self.iam.put_role_policy(RoleName=name, PolicyName=f"p{number}", PolicyDocument=json.dumps(policy))
        return arn

    def session(self, role_arn: str, service: str = "s3"):
        sts = boto3.client("sts", region_name="us-east-1", endpoint_url=self.endpoint)
        credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName="persona")["Credentials"]
        return boto3.client(service, region_name="us-east-1", endpoint_url=self.endpoint,
                            aws_access_key_id=credentials["AccessKeyId"],
                            aws_secret_access_key=credentials["SecretAccessKey"],
                            aws_session_token=credentials["SessionToken"])


@pytest.fixture
def keys(emulator, client) -> Keys:
    s3 = client("s3")
    s3.create_bucket(Bucket=LAKE)
    return Keys(emulator.endpoint, client("kms"), s3, client("iam"))
