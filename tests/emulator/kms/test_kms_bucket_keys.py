"""S3's calls to KMS are in CloudTrail, and an S3 Bucket Key makes far fewer of them."""

from __future__ import annotations

import json

from kms_helpers import LAKE, S3_ONLY, allow, keys  # noqa: F401


def _kms_events(emulator, client) -> list[tuple[str, str]]:
    emulator.drain()
    pages = client("cloudtrail").get_paginator("lookup_events").paginate(
        LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": "kms.amazonaws.com"}])
    return sorted((event["EventName"], event.get("Username", "")) for page in pages for event in page["Events"]
                  if event["EventName"] in ("Decrypt", "GenerateDataKey"))


def _write_and_read(keys, objects: int) -> None:
    for number in range(objects):
        keys.s3.put_object(Bucket=LAKE, Key=f"raw/{number}.csv", Body=b"x")
    for number in range(objects):
        keys.s3.get_object(Bucket=LAKE, Key=f"raw/{number}.csv")["Body"].read()


def test_without_a_bucket_key_every_object_costs_a_kms_call(keys, emulator, client):
    keys.encrypt_bucket(keys.key()["KeyId"], bucket_key=False)
    _write_and_read(keys, 10)
    events = _kms_events(emulator, client)
    assert events.count(("GenerateDataKey", "root")) == 10
    assert events.count(("Decrypt", "root")) == 10


def test_with_a_bucket_key_one_data_key_and_one_decrypt_per_reader(keys, emulator, client):
    key = keys.key()
    keys.encrypt_bucket(key["KeyId"], bucket_key=True)
    _write_and_read(keys, 10)
    reader = keys.session(keys.role("reader", S3_ONLY, allow("kms:Decrypt", key["Arn"])))
    for number in range(10):
        reader.get_object(Bucket=LAKE, Key=f"raw/{number}.csv")["Body"].read()
    assert _kms_events(emulator, client) == [("Decrypt", "persona"), ("Decrypt", "root"), ("GenerateDataKey", "root")]


def test_a_refused_decrypt_is_recorded_with_access_denied(keys, emulator, client):
    key = keys.key()
    keys.encrypt_bucket(key["KeyId"])
    keys.s3.put_object(Bucket=LAKE, Key="raw/a.csv", Body=b"x")
    reader = keys.session(keys.role("reader", S3_ONLY))
    try:
        reader.get_object(Bucket=LAKE, Key="raw/a.csv")
    except reader.exceptions.ClientError:
        pass
    emulator.drain()
    events = client("cloudtrail").lookup_events(LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "Decrypt"}])["Events"]
    record = json.loads(events[0]["CloudTrailEvent"])
    assert record["errorCode"] == "AccessDenied"
    assert record["userIdentity"]["invokedBy"] == "s3.amazonaws.com"
    assert record["requestParameters"]["encryptionContext"] == {"aws:s3:arn": f"arn:aws:s3:::{LAKE}"}
    assert record["resources"][0]["ARN"] == key["Arn"]
