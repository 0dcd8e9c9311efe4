"""Firehose: records/s through a delivery stream to S3 as Parquet (goal ≥ 5,000/s), and flush punctuality.

Run as ``python bench/firehose_cases.py``; prints one JSON object on its last line, whose
``rows`` are the table lines ``bench/run.py`` prints. Throughput: 50,000 clickstream-like JSON
records put with PutRecordBatch (500 a call) through boto3 into a stream that converts them to
Parquet with a Glue table's schema (64 MiB / 1 s buffer), timed from the first put until every
row is readable in S3. Punctuality: three streams with a 5 s interval each take one record; the
figure is the latest delivery after its interval elapsed (goal ≤ 2 s).
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading
import time

RECORDS = 50_000
BATCH = 500
INTERVAL = 5
BUCKET = "lakelab-bench-firehose"
COLUMNS = [{"Name": "event_id", "Type": "bigint"}, {"Name": "user_id", "Type": "string"},
           {"Name": "event_type", "Type": "string"}, {"Name": "price", "Type": "double"},
           {"Name": "ts", "Type": "timestamp"}]


def _setup(iam, s3, glue) -> str:
    s3.create_bucket(Bucket=BUCKET)
    glue.create_database(DatabaseInput={"Name": "bench"})
    glue.create_table(DatabaseName="bench", TableInput={"Name": "clicks", "StorageDescriptor": {"Columns": COLUMNS}})
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "Service": "firehose.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="bench-firehose", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName="bench-firehose", PolicyName="s3", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    return role


def _rows(s3, prefix: str) -> int:
    import pyarrow.parquet as pq

    listing = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return sum(pq.read_metadata(io.BytesIO(s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read())).num_rows
               for item in listing)


def throughput(firehose, s3, role: str) -> float:
    firehose.create_delivery_stream(DeliveryStreamName="bench-parquet", ExtendedS3DestinationConfiguration={
        "BucketARN": f"arn:aws:s3:::{BUCKET}", "RoleARN": role, "Prefix": "parquet/",
        "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 1},
        "DataFormatConversionConfiguration": {
            "Enabled": True, "SchemaConfiguration": {"DatabaseName": "bench", "TableName": "clicks", "RoleARN": role},
            "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
            "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}}}})
    batches = [[{"Data": json.dumps({"event_id": n, "user_id": f"u{n % 977}", "event_type": "view",
                                     "price": n / 100, "ts": "2025-03-01T10:00:00Z"}).encode() + b"\n"}
                for n in range(start, start + BATCH)] for start in range(0, RECORDS, BATCH)]
    started = time.perf_counter()
    for records in batches:
        firehose.put_record_batch(DeliveryStreamName="bench-parquet", Records=records)
    while _rows(s3, "parquet/") < RECORDS:
        time.sleep(0.1)
    return time.perf_counter() - started


def punctuality(firehose, s3, role: str) -> float:
    lateness: list[float] = []

    def one(n: int) -> None:
        name = f"bench-interval-{n}"
        firehose.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration={
            "BucketARN": f"arn:aws:s3:::{BUCKET}", "RoleARN": role, "Prefix": f"{name}/",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": INTERVAL}})
        put = time.time()
        firehose.put_record(DeliveryStreamName=name, Record={"Data": b"x\n"})
        while not s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{name}/").get("KeyCount"):
            time.sleep(0.02)
        lateness.append(time.time() - put - INTERVAL)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return max(lateness)


def firehose_cases() -> dict:
    import boto3

    from lakelab.emulator import Emulator

    emulator = Emulator().start()
    os.environ.update(AWS_ENDPOINT_URL=emulator.endpoint, AWS_ACCESS_KEY_ID="testing",
                      AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    firehose, s3 = boto3.client("firehose"), boto3.client("s3")
    role = _setup(boto3.client("iam"), s3, boto3.client("glue"))
    seconds = throughput(firehose, s3, role)
    late = punctuality(firehose, s3, role)
    rate = RECORDS / seconds
    rows = [(f"Firehose: {RECORDS:,} JSON records to S3 as Parquet", seconds,
             f"{rate:,.0f} records/s put to readable; goal ≥ 5,000/s"),
            (f"Firehose: delivery after a {INTERVAL} s interval", late, "latest of 3 streams, after the interval; goal ≤ 2 s")]
    return {"records_per_second": rate, "seconds": seconds, "lateness_s": late, "rows": rows}


if __name__ == "__main__":
    print(json.dumps(firehose_cases()))
    sys.stdout.flush()
    os._exit(0)  # skip the slow interpreter teardown of the emulator's threads
