"""Key rotation status as AWS KMS answers it: enabled, period, next date; AWS managed keys always rotate."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError


def test_rotation_period_and_next_date(client):
    kms = client("kms")
    key = kms.create_key()["KeyMetadata"]
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is False
    kms.enable_key_rotation(KeyId=key["KeyId"])
    status = kms.get_key_rotation_status(KeyId=key["Arn"])
    assert (status["KeyId"], status["KeyRotationEnabled"], status["RotationPeriodInDays"]) == (key["Arn"], True, 365)
    kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key["KeyId"])
    expected = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=90)
    assert status["RotationPeriodInDays"] == 90
    assert abs((status["NextRotationDate"] - expected).total_seconds()) < 60
    kms.disable_key_rotation(KeyId=key["KeyId"])
    assert "RotationPeriodInDays" not in kms.get_key_rotation_status(KeyId=key["KeyId"])


def test_a_period_out_of_range_and_an_asymmetric_key_are_refused(client):
    kms = client("kms")
    key = kms.create_key()["KeyMetadata"]
    with pytest.raises(ClientError) as refused:
        kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=3000)  # botocore itself refuses under 90
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    signing = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    with pytest.raises(ClientError) as refused:
        kms.enable_key_rotation(KeyId=signing["KeyId"])
    assert refused.value.response["Error"]["Code"] == "UnsupportedOperationException"


def test_the_aws_managed_key_always_rotates(client):
    kms = client("kms")
    managed = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    status = kms.get_key_rotation_status(KeyId=managed["KeyId"])
    assert (status["KeyRotationEnabled"], status["RotationPeriodInDays"]) == (True, 365)
