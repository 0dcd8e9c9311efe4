"""Kinesis: PutRecords throughput into one emulated stream (records/s; the issue's goal ≥ 5,000).

Run as ``python bench/kinesis_cases.py``; prints one JSON object on its last line, whose
``rows`` are the table lines ``bench/run.py`` prints. A producer, as a lab's replay would,
sends 100,000 JSON click records (about 120 bytes each) through boto3 in PutRecords calls of
500, with a partition key per user, into a provisioned stream of 50 shards -- enough that the
per-shard limits (1,000 records/s each) are not what is measured; records a shard throttles
are sent again, and the figure counts only records written.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time

RECORDS = 100_000
BATCH = 500
SHARDS = 50


def _clicks(count: int) -> list[dict]:
    chooser = random.Random(6)
    return [{"PartitionKey": f"user-{chooser.randrange(10_000)}",
             "Data": json.dumps({"user": n % 10_000, "page": f"/p/{chooser.randrange(500)}", "ts": 1700000000 + n,
                                 "event": chooser.choice(["view", "click", "cart"])}).encode()}
            for n in range(count)]


def _send(kinesis, records: list[dict]) -> int:
    """PutRecords until every record is written; the number of throttled records sent again."""
    retried = 0
    while records:
        answer = kinesis.put_records(StreamName="bench-clicks", Records=records)
        records = [record for record, result in zip(records, answer["Records"]) if "ErrorCode" in result]
        retried += len(records)
    return retried


def put_records_throughput() -> dict:
    import boto3

    from lakelab.emulator import Emulator

    emulator = Emulator().start()
    os.environ.update(AWS_ENDPOINT_URL=emulator.endpoint, AWS_ACCESS_KEY_ID="testing",
                      AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    kinesis = boto3.client("kinesis")
    kinesis.create_stream(StreamName="bench-clicks", ShardCount=SHARDS)
    clicks = _clicks(RECORDS)
    _send(kinesis, clicks[:BATCH])  # the first call installs the extensions: not timed
    started = time.perf_counter()
    retried = sum(_send(kinesis, clicks[start:start + BATCH]) for start in range(BATCH, RECORDS, BATCH))
    seconds = time.perf_counter() - started
    rate = (RECORDS - BATCH) / seconds
    rows = [(f"Kinesis: PutRecords of {RECORDS - BATCH:,} records, {SHARDS} shards", seconds,
             f"{rate:,.0f} records/s ({retried} throttled and resent); goal ≥ 5,000")]
    return {"seconds": seconds, "records_per_second": rate, "retried": retried, "rows": rows}


if __name__ == "__main__":
    print(json.dumps(put_records_throughput()))
    sys.stdout.flush()
    os._exit(0)  # skip the slow interpreter teardown of the emulator's threads
