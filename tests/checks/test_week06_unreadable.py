"""Check 6.4 expects the unreadable records the stream holds: a producer run again puts the broken ones again."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from lakelab.checks.framework import CheckFailed, checks_for
from lakelab.course import datasets, naming


def test_the_unreadable_count_is_what_the_stream_holds_and_the_message_says_why(client, monkeypatch):
    monkeypatch.setenv("LAKELAB_LEARNER", "learner")
    names = naming.for_week(6)
    kinesis, s3 = client("kinesis"), client("s3")
    stream, bucket = names.resource("clickstream"), names.bucket("lake")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    s3.create_bucket(Bucket=bucket)
    events = datasets.clickstream(month="2024-06")
    records = [{"Data": json.dumps(event).encode(), "PartitionKey": event["session_id"]} for event in events]
    records += [{"Data": data, "PartitionKey": "old-app"} for data in datasets.broken_clicks()] * 2  # put twice
    for start in range(0, len(records), 500):
        kinesis.put_records(StreamName=stream, Records=records[start:start + 500])
    check = next(check for check in checks_for(6) if check.number == "6.4")
    by_type = dict(Counter(event["event_type"] for event in events))
    broken = len(datasets.broken_clicks())

    def counted(unreadable: int) -> None:
        s3.put_object(Bucket=bucket, Key="curated/clickstream_counts/2024-06.json",
                      Body=json.dumps({"by_type": by_type, "unreadable": unreadable}).encode())

    counted(broken)  # the dataset's own count: right after one producer run, wrong after two
    with pytest.raises(CheckFailed) as failed:
        check()
    assert f"expected: {2 * broken} unreadable records (the broken client's {broken}, put 2 times: what the stream " \
           f"holds)" in str(failed.value)
    counted(2 * broken)
    check()
