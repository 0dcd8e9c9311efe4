"""What knowing who is calling costs: identity, IAM evaluation and CloudTrail on every request.

Run as ``python bench/platform_cases.py request-cost``; prints one JSON line of figures. Three
servers share one process (and so one moto state): a Lake Labs emulator enforcing IAM and
recording CloudTrail, one with both switched off, and moto's own server without our request
layer. The same S3 PutObject/GetObject loop, signed by an assumed role's session credentials,
runs against each in alternating rounds; the figure is the median seconds per call.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

ACCOUNT = "123456789012"
BUCKET = "lakelab-bench-requests"
ROUNDS, CALLS_PER_ROUND = 7, 60
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}


def _policies() -> list[dict]:
    """Three attached policies, as a least-privilege role of the labs has."""
    return [
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                                                  "Resource": f"arn:aws:s3:::{BUCKET}/raw/*"}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket",
                                                  "Resource": f"arn:aws:s3:::{BUCKET}",
                                                  "Condition": {"StringLike": {"s3:prefix": ["raw/*"]}}}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]},
    ]


def _role_session(endpoint: str) -> dict:
    import boto3

    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
    iam.create_role(RoleName="bench-writer", AssumeRolePolicyDocument=json.dumps(TRUST))
    for number, document in enumerate(_policies()):
        arn = iam.create_policy(PolicyName=f"bench-{number}", PolicyDocument=json.dumps(document))["Policy"]["Arn"]
        iam.attach_role_policy(RoleName="bench-writer", PolicyArn=arn)
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=BUCKET)
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1")
    return sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/bench-writer", RoleSessionName="bench")["Credentials"]


def _s3_as(endpoint: str, credentials: dict):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretAccessKey"],
                        aws_session_token=credentials["SessionToken"])


def _round(s3, label: str) -> float:
    started = time.perf_counter()
    for number in range(CALLS_PER_ROUND // 2):
        key = f"raw/{label}/{number}.csv"
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"id,amount\n1,2.50\n")
        s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    return (time.perf_counter() - started) / CALLS_PER_ROUND


def request_cost() -> dict:
    import os

    from moto.server import ThreadedMotoServer

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):  # the course's keys: root on the emulator
        os.environ.setdefault(name, "testing")

    from lakelab.emulator import Emulator

    enforcing, lenient = Emulator(iam=True, trail=True).start(), Emulator(iam=False, trail=False).start()
    bare = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    bare.start()
    host, port = bare.get_host_and_port()
    credentials = _role_session(enforcing.endpoint)
    clients = {"on": _s3_as(enforcing.endpoint, credentials), "off": _s3_as(lenient.endpoint, credentials),
               "moto": _s3_as(f"http://{host}:{port}", credentials)}
    for label, s3 in clients.items():
        _round(s3, label)  # warm: models loaded, policies compiled, connections open
    samples: dict[str, list[float]] = {label: [] for label in clients}
    for _ in range(ROUNDS):
        for label, s3 in clients.items():
            samples[label].append(_round(s3, label))
    figures = {f"{label}_s_per_call": statistics.median(values) for label, values in samples.items()}
    _check_the_role_is_really_limited(clients["on"])
    bare.stop()
    enforcing.stop()
    lenient.stop()
    return figures


def _check_the_role_is_really_limited(s3) -> None:
    """The loop measured enforcement only if the same session is refused outside its policy."""
    from botocore.exceptions import ClientError

    try:
        s3.put_object(Bucket=BUCKET, Key="curated/not-allowed.csv", Body=b"x")
    except ClientError as error:
        if error.response["Error"]["Code"] == "AccessDenied":
            return
        raise
    raise AssertionError("the enforcing emulator let the bench role write outside raw/: IAM was not evaluated")


CASES = {"request-cost": request_cost}

if __name__ == "__main__":
    print(json.dumps(CASES[sys.argv[1]]()))
