"""A lake bucket and a Firehose role per test; helpers that wait for deliveries and read them back."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

BUCKET = "lakelab-firehose-test"


@pytest.fixture
def lake(client, service_role) -> dict[str, Any]:
    """The bucket and the delivery role (allowed S3 only), and the clients the tests use."""
    s3 = client("s3")
    s3.create_bucket(Bucket=BUCKET)
    role = service_role("firehose", "lakelab-firehose", actions=("s3:*",))
    return {"s3": s3, "firehose": client("firehose"), "role": role, "bucket": BUCKET, "client": client}


def s3_destination(lake: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {"BucketARN": f"arn:aws:s3:::{lake['bucket']}", "RoleARN": lake["role"],
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1}, **overrides}


def keys(lake: dict[str, Any], prefix: str = "") -> list[str]:
    listing = lake["s3"].list_objects_v2(Bucket=lake["bucket"], Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def wait_for_keys(lake: dict[str, Any], count: int = 1, prefix: str = "", timeout: float = 6.0) -> list[str]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = keys(lake, prefix)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"expected {count} objects under {prefix!r} within {timeout} s, found {keys(lake, prefix)}")


def body(lake: dict[str, Any], key: str) -> bytes:
    return lake["s3"].get_object(Bucket=lake["bucket"], Key=key)["Body"].read()


def json_lines(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode().splitlines() if line.strip()]
