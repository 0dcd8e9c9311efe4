"""KMS's own API about a key is decided by the key policy, then IAM: as S3's use of the key is."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from kms_helpers import ACCOUNT, allow, keys  # noqa: F401


def test_a_role_uses_a_key_its_iam_policy_names_when_the_key_policy_delegates(keys):
    key = keys.key()
    keys.kms.create_alias(AliasName="alias/lake", TargetKeyId=key["KeyId"])
    user = keys.session(keys.role("crypto", allow(["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], key["Arn"])),
                        "kms")
    assert user.describe_key(KeyId="alias/lake")["KeyMetadata"]["Arn"] == key["Arn"]
    blob = user.encrypt(KeyId="alias/lake", Plaintext=b"secret")["CiphertextBlob"]
    assert user.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"  # the key is read from the ciphertext
    with pytest.raises(ClientError) as refused:
        user.get_key_rotation_status(KeyId=key["KeyId"])
    error = refused.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"] == (f"User: arn:aws:sts::{ACCOUNT}:assumed-role/crypto/persona is not authorized to "
                                f"perform: kms:GetKeyRotationStatus on resource: {key['Arn']} because no "
                                "identity-based policy allows the kms:GetKeyRotationStatus action")


def test_iam_alone_cannot_open_a_key_whose_policy_is_silent(keys):
    key = keys.key({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:Put*",
         "Resource": "*"}]})
    user = keys.session(keys.role("admin", allow("kms:*")), "kms")
    with pytest.raises(ClientError) as refused:
        user.describe_key(KeyId=key["KeyId"])
    assert refused.value.response["Error"]["Message"].endswith(
        "because no resource-based policy allows the kms:DescribeKey action")
    assert "Keys" in user.list_keys()  # names no key: IAM alone decides


def test_an_unknown_key_is_not_found_not_denied(keys):
    user = keys.session(keys.role("admin", allow("kms:*")), "kms")
    with pytest.raises(ClientError) as refused:
        user.describe_key(KeyId="alias/nothing")
    assert refused.value.response["Error"]["Code"] == "NotFoundException"
    assert json.dumps(refused.value.response["Error"])  # answered by KMS itself
