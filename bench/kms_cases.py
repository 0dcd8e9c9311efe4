"""What SSE-KMS costs a GetObject: the KMS check (key policy + IAM) and S3's KMS call recorded in CloudTrail.

Run as ``python bench/kms_cases.py``; prints one JSON line whose ``rows`` ``bench/run.py`` prints.
One emulator, IAM enforced and CloudTrail recording; an assumed role (S3 and kms:Decrypt allowed)
reads a 1 KB object from three buckets in alternating rounds: SSE-S3 (no KMS), SSE-KMS with a
customer managed key, and SSE-KMS with an S3 Bucket Key. The figure is the median seconds per call.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

ACCOUNT = "123456789012"
ROUNDS, CALLS_PER_ROUND = 7, 100
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
BUCKETS = {"lakelab-bench-sse-s3": None, "lakelab-bench-sse-kms": False, "lakelab-bench-bucket-key": True}


def _set_up(endpoint: str):
    import boto3

    kms, s3, iam = (boto3.client(name, endpoint_url=endpoint) for name in ("kms", "s3", "iam"))
    key = kms.create_key(Description="bench")["KeyMetadata"]
    for bucket, bucket_key in BUCKETS.items():
        s3.create_bucket(Bucket=bucket)
        if bucket_key is not None:
            s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]},
                 "BucketKeyEnabled": bucket_key}]})
        s3.put_object(Bucket=bucket, Key="raw/a.json", Body=b"x" * 1024)
    iam.create_role(RoleName="bench-reader", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_role_policy(RoleName="bench-reader", PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lakelab-bench-*/raw/*"},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key["Arn"]}]}))
    credentials = boto3.client("sts", endpoint_url=endpoint).assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/bench-reader", RoleSessionName="bench")["Credentials"]
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretAccessKey"],
                        aws_session_token=credentials["SessionToken"])


def _seconds_per_call(s3, bucket: str) -> float:
    started = time.perf_counter()
    for _ in range(CALLS_PER_ROUND):
        s3.get_object(Bucket=bucket, Key="raw/a.json")["Body"].read()
    return (time.perf_counter() - started) / CALLS_PER_ROUND


def kms_cases() -> dict:
    from lakelab.emulator import Emulator

    emulator = Emulator().start()
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    reader = _set_up(emulator.endpoint)
    for bucket in BUCKETS:
        _seconds_per_call(reader, bucket)  # warm: connections, compiled policies
    timings: dict[str, list[float]] = {bucket: [] for bucket in BUCKETS}
    for _ in range(ROUNDS):
        for bucket in BUCKETS:
            timings[bucket].append(_seconds_per_call(reader, bucket))
    plain, kms, bucket_key = (statistics.median(timings[bucket]) for bucket in BUCKETS)
    rows = [("S3 GetObject as a role, SSE-S3 (no KMS)", plain, "baseline, per call"),
            ("the same object under SSE-KMS (key policy + IAM)", kms,
             f"{kms / plain:.2f}× SSE-S3; a Decrypt event recorded per call"),
            ("the same under SSE-KMS with an S3 Bucket Key", bucket_key,
             f"{bucket_key / plain:.2f}× SSE-S3; one Decrypt event per reader")]
    return {"sse_s3_s": plain, "sse_kms_s": kms, "bucket_key_s": bucket_key, "rows": rows}


if __name__ == "__main__":
    print(json.dumps(kms_cases()))
    sys.stdout.flush()
    os._exit(0)  # skip the slow interpreter teardown of the emulator's threads
