"""Week 6 · Streaming: every check passes on the solution and on a correct alternative, and fails with its hint
on the untouched lab and on a plausible wrong answer; teardown after the solution leaves nothing of the week.

Each group of patches is one run of the solution (about a minute and a half, most of it Firehose's 30 s buffer,
the Lambda consumer and the latency probe), so the wrong answers are chosen to leave the rest of the lab running
and fail only their own exercise's check (6.6's check reports a hot key and a producer without retries together).
"""

from __future__ import annotations

from lab_runs import Patch, assert_alternatives_pass, assert_wrong_answers_fail, run_patched_then_check

WEEK = 6

from every_week import *  # noqa: E402,F401,F403  (the five tests every week passes)

WRONG_ANSWERS = [
    Patch("6.1", '    kinesis.start_stream_encryption(StreamName=STREAM, EncryptionType="KMS", KeyId="alias/aws/kinesis")\n',
          "    pass\n", says=("encryption with KMS", "EncryptionType NONE"), name="6.1: never encrypted"),
    Patch("6.2", '"DataFormatConversionConfiguration": {\n        "Enabled": True,',
          '"DataFormatConversionConfiguration": {\n        "Enabled": False,', says=("not Parquet", "ParquetSerDe"),
          name="6.2: conversion left disabled (JSON lands)"),
    Patch("6.3", 'PARTITION_KEY = "session_id"', 'PARTITION_KEY = "event_id"', says=("several shards", "session"),
          name="6.3: keyed by event (sessions scattered over shards)"),
    Patch("6.4", 'for shard in kinesis.list_shards(StreamName=STREAM)["Shards"]:\n    iterator = kinesis.get_shard_iterator('
                 'StreamName=STREAM, ShardId=shard["ShardId"],\n                                          '
                 'ShardIteratorType="TRIM_HORIZON")["ShardIterator"]\n    while iterator:\n        answer = '
                 'kinesis.get_records(ShardIterator=iterator, Limit=1000)',
          'for shard in kinesis.list_shards(StreamName=STREAM)["Shards"][:1]:\n    iterator = kinesis.get_shard_iterator('
          'StreamName=STREAM, ShardId=shard["ShardId"],\n                                          '
          'ShardIteratorType="TRIM_HORIZON")["ShardIterator"]\n    while iterator:\n        answer = '
          'kinesis.get_records(ShardIterator=iterator, Limit=1000)',
          says=("every shard", "fewer than the month's events"), name="6.4: only the first shard read"),
    Patch("6.5", '"BisectBatchOnFunctionError": True', '"BisectBatchOnFunctionError": False',
          says=("missing", "BisectBatchOnFunctionError"), name="6.5: no bisecting (good records given up with the bad)"),
    Patch("6.6", '    return event["session_id"]\n', '    return event["items"][0]["sku"]\n',
          says=("shares by shard", "one shard"), name="6.6: keyed by product (the hot key)"),
    Patch("6.6", "                time.sleep(pause)\n                pause = min(pause * 2, 1.0)\n            waiting = failed\n",
          "            waiting = []\n", says=("views missing", "retry"), name="6.3/6.6: put_all drops refused records"),
    Patch("6.7", ', "FilterPolicy": json.dumps({"severity": ["critical"]})})', "})",
          says=("routine", "FilterPolicy"), name="6.7: no filter policy (routine notices reach on-call)"),
]

ALTERNATIVES = [
    Patch("6.1", 'ShardCount=2, StreamModeDetails={"StreamMode": "PROVISIONED"},',
          'StreamModeDetails={"StreamMode": "ON_DEMAND"},', name="6.1: an on-demand stream"),
    Patch("6.2", '"OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}},',
          '"OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {"Compression": "GZIP"}}},',
          name="6.2: Parquet compressed with GZIP"),
    Patch("6.3", "for start in range(0, len(records), 500):", "for start in range(0, len(records), 250):",
          name="6.3: 250 records a call"),
    Patch("6.3", "records[start:start + 500]", "records[start:start + 250]", name="6.3: (the same, its slice)"),
    Patch("6.4", 'ShardIteratorType="TRIM_HORIZON")["ShardIterator"]\n    while iterator:\n        answer = '
                 'kinesis.get_records(ShardIterator=iterator, Limit=1000)',
          'ShardIteratorType="AT_TIMESTAMP", Timestamp=PRODUCED_AT - 3600)["ShardIterator"]\n    while iterator:\n'
          '        answer = kinesis.get_records(ShardIterator=iterator, Limit=1000)',
          name="6.4: AT_TIMESTAMP an hour before the replay"),
    Patch("6.5", '"BatchSize": 100', '"BatchSize": 25', name="6.5: batches of 25"),
    Patch("6.5", '"MaximumRetryAttempts": 2', '"MaximumRetryAttempts": 0', name="6.5: no retries (bisecting still isolates)"),
    Patch("6.6", '    return event["session_id"]\n', '    return event["event_id"]\n', name="6.6: keyed by event id"),
    Patch("6.7", 'Attributes={"RawMessageDelivery": "true", "FilterPolicy": json.dumps({"severity": ["critical"]})})',
          'Attributes={"RawMessageDelivery": "true", "FilterPolicyScope": "MessageBody",\n'
          '                          "FilterPolicy": json.dumps({"millis_behind": [{"numeric": [">", 0]}]})})',
          name="6.7: a filter policy on the message body"),
]


def test_plausible_wrong_answers_fail_naming_what_is_wrong(attached, solution_path):
    outcomes = run_patched_then_check(attached, solution_path, WEEK, WRONG_ANSWERS)
    assert_wrong_answers_fail(WEEK, outcomes, WRONG_ANSWERS)


def test_correct_alternatives_pass(solution_run):
    _, outcomes, _ = solution_run  # the solution ran with ALTERNATIVES applied: see every_week.py
    assert_alternatives_pass(WEEK, outcomes, ALTERNATIVES)
