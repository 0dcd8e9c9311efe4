"""The whole streaming path: PutRecords -> Kinesis stream -> Firehose -> Parquet in S3 (goal ≥ 5,000 records/s).

Run as ``python bench/stream_to_lake_cases.py``; prints one JSON object on its last line, whose
``rows`` are the table lines ``bench/run.py`` prints. A producer replays 20,000 records of the
course's clickstream (about 380 bytes of nested JSON each, ``event_id`` made unique) in
PutRecords calls of 500, partition key ``session_id``, resending what a shard throttles. A
delivery stream reads the stream (``KinesisStreamAsSource``), converts to Parquet with a Glue
table's schema and partitions by ``event_type`` (JQ), with a 1 s buffer interval (64 MiB, the
least conversion allows). The figure runs from the first put until every row is readable in S3.

The stream has 20 shards, so that Kinesis's own limit (1,000 records/s a shard) is not what is
measured: the lab's 2-shard stream is capped at 2,000 records/s by that limit, on AWS as here.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time

RECORDS = 20_000
BATCH = 500
SHARDS = 20
INTERVAL = 1
BUCKET = "lakelab-bench-stream"
PREFIX = "clickstream/"
COLUMNS = [{"Name": "event_id", "Type": "string"}, {"Name": "event_ts", "Type": "timestamp"},
           {"Name": "event_type", "Type": "string"}, {"Name": "session_id", "Type": "string"}]


def _clicks(count: int) -> list[dict]:
    from lakelab.course import datasets

    events = [json.loads(line) for line in datasets.path("clickstream").read_text().splitlines()]
    records = []
    for n in range(count):
        event = {**events[n % len(events)], "event_id": f"bench-{n:07d}"}
        records.append({"PartitionKey": event["session_id"],
                        "Data": json.dumps(event, separators=(",", ":")).encode() + b"\n"})
    return records


def _setup(iam, s3, glue, kinesis) -> tuple[str, str]:
    s3.create_bucket(Bucket=BUCKET)
    glue.create_database(DatabaseInput={"Name": "bench"})
    glue.create_table(DatabaseName="bench", TableInput={"Name": "clicks", "StorageDescriptor": {"Columns": COLUMNS}})
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "Service": "firehose.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="bench-stream-firehose", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName="bench-stream-firehose", PolicyName="work", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "kinesis:*", "glue:*"],
                                                 "Resource": "*"}]}))
    kinesis.create_stream(StreamName="bench-clickstream", ShardCount=SHARDS)
    stream = kinesis.describe_stream_summary(StreamName="bench-clickstream")["StreamDescriptionSummary"]["StreamARN"]
    return role, stream


def _delivery_stream(firehose, role: str, stream: str) -> None:
    firehose.create_delivery_stream(
        DeliveryStreamName="bench-stream-to-lake", DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": stream, "RoleARN": role},
        ExtendedS3DestinationConfiguration={
            "BucketARN": f"arn:aws:s3:::{BUCKET}", "RoleARN": role, "ErrorOutputPrefix": "errors/",
            "Prefix": PREFIX + "event_type=!{partitionKeyFromQuery:event_type}/",
            "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": INTERVAL},
            "DynamicPartitioningConfiguration": {"Enabled": True},
            "ProcessingConfiguration": {"Enabled": True, "Processors": [{"Type": "MetadataExtraction", "Parameters": [
                {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{event_type: .event_type}"},
                {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]}]},
            "DataFormatConversionConfiguration": {
                "Enabled": True,
                "SchemaConfiguration": {"DatabaseName": "bench", "TableName": "clicks", "RoleARN": role},
                "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
                "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}}}})
    while firehose.describe_delivery_stream(DeliveryStreamName="bench-stream-to-lake")[
            "DeliveryStreamDescription"]["DeliveryStreamStatus"] != "ACTIVE":
        time.sleep(0.1)


def _send(kinesis, records: list[dict]) -> int:
    """PutRecords until every record is written; the number of throttled records sent again."""
    retried = 0
    while records:
        answer = kinesis.put_records(StreamName="bench-clickstream", Records=records)
        records = [record for record, result in zip(records, answer["Records"]) if "ErrorCode" in result]
        retried += len(records)
        if records:
            time.sleep(0.05)  # as a producer backs off
    return retried


class _Rows:
    """Rows readable under a prefix; each object is read once (Firehose never rewrites one)."""

    def __init__(self, s3) -> None:
        self.s3, self.counted = s3, {}

    def __call__(self, prefix: str) -> int:
        import pyarrow.parquet as pq

        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
            for item in page.get("Contents", []):
                if item["Key"] not in self.counted:
                    data = self.s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
                    self.counted[item["Key"]] = pq.read_metadata(io.BytesIO(data)).num_rows
        return sum(self.counted.values())


def stream_to_lake() -> dict:
    import boto3

    from lakelab.emulator import Emulator

    emulator = Emulator().start()
    os.environ.update(AWS_ENDPOINT_URL=emulator.endpoint, AWS_ACCESS_KEY_ID="testing",
                      AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    kinesis, firehose, s3 = boto3.client("kinesis"), boto3.client("firehose"), boto3.client("s3")
    role, stream = _setup(boto3.client("iam"), s3, boto3.client("glue"), kinesis)
    _delivery_stream(firehose, role, stream)
    clicks, rows = _clicks(RECORDS), _Rows(s3)
    started = time.perf_counter()
    retried = sum(_send(kinesis, clicks[start:start + BATCH]) for start in range(0, RECORDS, BATCH))
    put_seconds = time.perf_counter() - started
    while rows(PREFIX) < RECORDS:
        if time.perf_counter() - started > 600:
            raise RuntimeError(f"only {rows(PREFIX)} of {RECORDS} rows readable after 600 s")
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    errors = s3.list_objects_v2(Bucket=BUCKET, Prefix="errors/").get("KeyCount", 0)
    rate = RECORDS / seconds
    rows_table = [
        (f"PutRecords -> Kinesis ({SHARDS} shards) -> Firehose -> Parquet, {RECORDS:,} records", seconds,
         f"{rate:,.0f} records/s first put to last row readable ({INTERVAL} s buffer); goal ≥ 5,000/s"),
        ("  of which the producer's PutRecords", put_seconds,
         f"{RECORDS / put_seconds:,.0f} records/s ({retried} throttled and resent)")]
    return {"seconds": seconds, "records_per_second": rate, "put_seconds": put_seconds, "retried": retried,
            "objects": len(rows.counted), "error_objects": errors, "rows": rows_table}


if __name__ == "__main__":
    print(json.dumps(stream_to_lake()))
    sys.stdout.flush()
    os._exit(0)  # skip the slow interpreter teardown of the emulator's threads
