"""Week 6 · Streaming: Kinesis, Firehose and SNS — one check per exercise.

The checks read what the streams hold, what Firehose wrote to S3, what the consumers wrote and what
reached the queues, and judge it against the answer key: June 2024's clickstream events
(``datasets.clickstream``), the broken records an old app sends (``datasets.broken_clicks``) and the
flash sale (``datasets.flash_sale``). Nothing here writes to the target: queues are read with a
visibility timeout of 0, so their messages stay.
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections import Counter, defaultdict
from typing import Any

import boto3

from lakelab.checks import user_code
from lakelab.checks.framework import exercise, expect
from lakelab.course import datasets, naming

WEEK = 6
MONTH = "2024-06"
LAG_LIMIT_MS = 30_000
COLUMNS = ("event_id", "event_ts", "session_id", "user", "page", "items", "properties")
_PARTITION = re.compile(r"^raw/clickstream/event_date=([^/]+)/event_type=([^/]+)/[^/]+$")


def _names() -> naming.Names:
    return naming.for_week(WEEK)


def _events() -> dict[str, dict]:
    return {event["event_id"]: event for event in datasets.clickstream(month=MONTH)}


def _listing(items: list[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _keys(bucket: str, prefix: str) -> list[dict]:
    s3 = boto3.client("s3")
    return [item for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for item in page.get("Contents", [])]


def stream_records(stream: str) -> dict[str, list[dict]] | None:
    """Every record each shard of ``stream`` holds, oldest first (None: no such stream)."""
    kinesis = boto3.client("kinesis")
    try:
        shards = [shard["ShardId"] for page in kinesis.get_paginator("list_shards").paginate(StreamName=stream)
                  for shard in page["Shards"]]
    except kinesis.exceptions.ResourceNotFoundException:
        return None
    held: dict[str, list[dict]] = {}
    for shard in shards:
        iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        held[shard] = []
        while iterator:
            answer = _read(kinesis, iterator)
            held[shard] += answer["Records"]
            if not answer["Records"] and answer.get("MillisBehindLatest", 0) == 0:
                break
            iterator = answer.get("NextShardIterator")
    return held


def _read(kinesis: Any, iterator: str) -> dict:
    """One GetRecords, waiting out the shard's 5 reads a second (the learner's consumers share them)."""
    import time

    for attempt in range(20):
        try:
            return kinesis.get_records(ShardIterator=iterator, Limit=10000)
        except kinesis.exceptions.ProvisionedThroughputExceededException:
            time.sleep(0.3 * (attempt + 1))
    return kinesis.get_records(ShardIterator=iterator, Limit=10000)


# --- 6.1 ---------------------------------------------------------------------------------------------


@exercise(WEEK, "6.1", "the clickstream's stream is active, sized, encrypted and tagged",
          hint="kinesis.create_stream(StreamName=STREAM, ShardCount=2, StreamModeDetails={'StreamMode': "
               "'PROVISIONED'}, Tags=names.tags), then start_stream_encryption(EncryptionType='KMS', "
               "KeyId='alias/aws/kinesis') and wait for ACTIVE (Kinesis developer guide: 'Data protection in "
               "Amazon Kinesis Data Streams')")
def stream_ready() -> None:
    names, kinesis = _names(), boto3.client("kinesis")
    stream = names.resource("clickstream")
    try:
        summary = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
    except kinesis.exceptions.ResourceNotFoundException:
        expect(False, expected=f"a stream named {stream}", found="no such stream")
    expect(summary["StreamStatus"] == "ACTIVE", expected="the stream ACTIVE", found=summary["StreamStatus"],
           hint="wait with kinesis.get_waiter('stream_exists') after creating it and after starting encryption")
    mode = summary.get("StreamModeDetails", {}).get("StreamMode", "PROVISIONED")
    shards = summary["OpenShardCount"]
    expect(mode == "ON_DEMAND" or shards >= 2,
           expected="room for the replay's peak: 2 provisioned shards (2,000 records/s) or on-demand",
           found=f"{mode} with {shards} shard{'s' * (shards != 1)} ({shards * 1000:,} records/s)",
           hint="each shard takes 1,000 records/s or 1 MB/s of writes: ShardCount=2")
    expect(summary.get("EncryptionType") == "KMS", expected="server-side encryption with KMS",
           found=f"EncryptionType {summary.get('EncryptionType', 'NONE')}",
           hint="kinesis.start_stream_encryption(StreamName=STREAM, EncryptionType='KMS', KeyId='alias/aws/kinesis'): "
                "records are then encrypted at rest with the AWS managed key")
    tags = {tag["Key"]: tag["Value"] for tag in kinesis.list_tags_for_stream(StreamName=stream)["Tags"]}
    expect(naming.is_course_resource(tags, WEEK), expected=f"tagged {names.tags}", found=tags or "no tags",
           hint="create_stream(..., Tags=names.tags), or add_tags_to_stream(StreamName=STREAM, Tags=names.tags) "
                "on a stream that exists: teardown finds what to remove by its tags")


# --- 6.2 ---------------------------------------------------------------------------------------------


def _parquet_rows(bucket: str, key: str) -> tuple[list[str], dict[str, str]] | None:
    """The event ids in a Parquet object and its columns' types (None: not a Parquet file)."""
    import pyarrow.parquet as pq

    body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    try:
        table = pq.read_table(io.BytesIO(body))
    except Exception:  # JSON, compressed JSON, or half a file: not what the exercise asks for
        return None
    types = {field.name: str(field.type) for field in table.schema}
    ids = table.column("event_id").to_pylist() if "event_id" in types else []
    return ids, types


def _error_records(bucket: str) -> list[tuple[str, dict]]:
    """(error output type folder, record) for every error record Firehose wrote under errors/clickstream/."""
    found = []
    s3 = boto3.client("s3")
    for item in _keys(bucket, "errors/clickstream/"):
        kind = item["Key"].split("/")[2] if item["Key"].count("/") >= 3 else "?"
        for line in s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read().decode(errors="replace").splitlines():
            try:
                found.append((kind, json.loads(line)))
            except ValueError:
                continue
    return found


@exercise(WEEK, "6.2", "Firehose lands the clickstream as Parquet, by event date and type, bad records aside",
          hint="a KinesisStreamAsSource delivery stream with an extended S3 destination: prefix raw/clickstream/"
               "event_date=!{partitionKeyFromQuery:event_date}/event_type=!{partitionKeyFromQuery:event_type}/, "
               "dynamic partitioning with a MetadataExtraction query {event_date: .event_ts[0:10], event_type: "
               ".event_type}, DataFormatConversionConfiguration from OpenXJsonSerDe to ParquetSerDe with the Glue "
               "table, and an ErrorOutputPrefix (Firehose developer guide: 'Dynamic partitioning', 'Converting "
               "input data format')")
def delivery_landed_as_parquet() -> None:
    names, firehose = _names(), boto3.client("firehose")
    bucket, delivery = names.bucket("lake"), names.resource("clickstream-to-lake")
    try:
        described = firehose.describe_delivery_stream(DeliveryStreamName=delivery)["DeliveryStreamDescription"]
    except firehose.exceptions.ResourceNotFoundException:
        expect(False, expected=f"a delivery stream named {delivery}", found="no such delivery stream")
    source = (described.get("Source") or {}).get("KinesisStreamSourceDescription", {}).get("KinesisStreamARN", "")
    expect(source.endswith(f"/{names.resource('clickstream')}"), expected=f"the stream {names.resource('clickstream')} "
           "as its source", found=source or f"{described['DeliveryStreamType']} (no stream as source)",
           hint="DeliveryStreamType='KinesisStreamAsSource' with KinesisStreamSourceConfiguration={'KinesisStreamARN': "
                "STREAM_ARN, 'RoleARN': firehose_role}")
    hints = (described["Destinations"][0].get("ExtendedS3DestinationDescription") or {}).get("BufferingHints", {})
    interval = int(hints.get("IntervalInSeconds", 300))
    expect(interval * 1.5 <= 60, expected="events queryable within the one-minute SLA: with dynamic partitioning a "
           "batch can take 1.5 × the buffer interval, so an interval of at most 40 s",
           found=f"IntervalInSeconds {interval} (up to {interval * 1.5:.0f} s)",
           hint="BufferingHints={'SizeInMBs': 64, 'IntervalInSeconds': 30} (Firehose developer guide: 'Buffer data "
                "for dynamic partitioning')")
    objects = [item["Key"] for item in _keys(bucket, "raw/clickstream/") if not item["Key"].endswith("clickstream.jsonl")]
    expect(objects, expected="objects under raw/clickstream/ once the buffer's 60 s passed",
           found="nothing delivered yet" + (f" (errors/clickstream/ holds {len(_error_records(bucket))} error records)"
                                            if _keys(bucket, "errors/clickstream/") else ""),
           hint="the delivery stream reads from LATEST: create it before running the producer (6.3), then wait "
                "for its buffer interval")
    outside = [key for key in objects if not _PARTITION.match(key)]
    expect(not outside, expected="every object in an event_date=<day>/event_type=<type>/ folder",
           found=f"{len(outside)} objects outside them, e.g. {_listing(outside, 2)}",
           hint="the prefix needs both keys: raw/clickstream/event_date=!{partitionKeyFromQuery:event_date}/"
                "event_type=!{partitionKeyFromQuery:event_type}/, and the MetadataExtraction query must define both")
    events, placed, not_parquet, schemas = _events(), defaultdict(set), [], {}
    for key in objects:
        read = _parquet_rows(bucket, key)
        if read is None:
            not_parquet.append(key)
            continue
        ids, schemas[key] = read
        day, kind = _PARTITION.match(key).groups()
        for event_id in ids:
            placed[event_id].add((day, kind))
    expect(not not_parquet, expected="Parquet objects", found=f"{len(not_parquet)} that are not Parquet, e.g. "
           f"{_listing(not_parquet, 2)}", hint="DataFormatConversionConfiguration: Enabled, InputFormatConfiguration "
           "OpenXJsonSerDe, OutputFormatConfiguration ParquetSerDe, SchemaConfiguration naming the Glue table")
    key, types = next(iter(schemas.items()))
    missing_columns = [column for column in COLUMNS if column not in types]
    expect(not missing_columns, expected=f"the table's columns {', '.join(COLUMNS)}",
           found=f"{key.rsplit('/', 1)[-1]} lacks {', '.join(missing_columns)}",
           hint="SchemaConfiguration must name the streaming database's clickstream table, VersionId LATEST")
    expect(types["event_ts"].startswith("timestamp"), expected="event_ts as a Parquet timestamp",
           found=f"event_ts {types['event_ts']}", hint="the table declares event_ts timestamp: convert with its schema")
    missing = [event_id for event_id in events if event_id not in placed]
    failure = user_code.firehose_failure(delivery) if missing else None
    expect(not missing, expected=f"all {len(events)} June events delivered",
           found=f"{len(missing)} missing, e.g. {_listing(missing, 2)}"
                 + (f"; Firehose's last error: {failure.text()}" if failure else ""),
           hint="create the delivery stream before the producer runs (it starts at LATEST), then wait a buffer "
                "interval; a record that failed is under errors/clickstream/ with its reason")
    misplaced = [f"{event_id} in {sorted(folders)[0]}" for event_id, folders in placed.items() if event_id in events
                 and folders != {(events[event_id]["event_ts"][:10], events[event_id]["event_type"])}]
    expect(not misplaced, expected="each event in the folder of its own date (event_ts[0:10]) and type",
           found=f"{len(misplaced)} elsewhere: {_listing(misplaced, 2)}",
           hint="the query {event_date: .event_ts[0:10], event_type: .event_type} reads both from the record")
    errors = _error_records(bucket)
    broken = {base64.b64encode(data).decode() for data in datasets.broken_clicks()}
    reported = {record.get("rawData") for _, record in errors} & broken
    expect(len(reported) == len(broken), expected=f"the {len(broken)} broken records under errors/clickstream/, "
           "each with its error", found=f"{len(reported)} of them there ({len(errors)} error records in all)",
           hint="ErrorOutputPrefix='errors/clickstream/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/': a record "
                "Firehose cannot partition or convert is written there, never dropped")
    unexplained = [record for _, record in errors if not (record.get("errorCode") or record.get("ErrorCode"))]
    delivered = len([event_id for event_id in placed if event_id in events])
    expect(not unexplained and delivered + len(reported) == len(events) + len(broken),
           expected=f"counts that add up: {len(events)} events + {len(broken)} broken records = "
                    f"{len(events) + len(broken)} records",
           found=f"{delivered} delivered + {len(reported)} under errors/, {len(unexplained)} error records without a reason")


# --- 6.3 ---------------------------------------------------------------------------------------------


def _read_events(held: dict[str, list[dict]]) -> dict[str, list[tuple[str, int, dict]]]:
    """session -> [(shard, sequence number, event)] of every readable record (duplicates too)."""
    sessions: dict[str, list[tuple[str, int, dict]]] = defaultdict(list)
    for shard, records in held.items():
        for record in records:
            event = datasets.readable_click(record["Data"])
            if event is not None:
                sessions[event.get("session_id", "?")].append((shard, int(record["SequenceNumber"]), event))
    return sessions


@exercise(WEEK, "6.3", "the stream holds every event once at least, each session in order on one shard",
          hint="put_all retries only the records whose answer has an ErrorCode, until none is left; "
               "PARTITION_KEY = 'session_id', so a session's events share a shard, which keeps their order "
               "(Kinesis developer guide: 'Adding data to a stream', 'Partition key')")
def producer_put_every_event() -> None:
    names = _names()
    stream = names.resource("clickstream")
    held = stream_records(stream)
    expect(held is not None, expected=f"the stream {stream}", found="no such stream", hint="create it in 6.1")
    sessions, events = _read_events(held), _events()
    present = {event["event_id"] for entries in sessions.values() for _, _, event in entries}
    missing = [event_id for event_id in events if event_id not in present]
    expect(not missing, expected=f"all {len(events)} June events in the stream",
           found=f"{len(missing)} missing, e.g. {_listing(missing, 2)}" if present else "an empty stream",
           hint="PutRecords answers per record: retry the ones with an ErrorCode (only those), 500 at most per call")
    raw = {record["Data"] for records in held.values() for record in records}
    absent = [data[:30].decode(errors="replace") for data in datasets.broken_clicks() if data not in raw]
    expect(not absent, expected="the broken client's records sent too (the stream takes what the app sends)",
           found=f"{len(absent)} of them not in the stream", hint="records += [(data, 'old-app') for data in BROKEN]")
    split = sorted(session for session, entries in sessions.items() if len({shard for shard, _, _ in entries}) > 1)
    expect(not split, expected="each session's events on one shard",
           found=f"{len(split)} of {len(sessions)} sessions on several shards, e.g. {_listing(split, 2)}",
           hint="Kinesis keeps order only within a shard, and one partition key always maps to one shard: key by "
                "the session (PARTITION_KEY = 'session_id'), not by something unique to each event")
    disordered = []
    for session, entries in sessions.items():
        first_seen: dict[str, int] = {}
        for _, sequence, event in sorted(entries, key=lambda entry: entry[1]):
            first_seen.setdefault(event["event_id"], sequence)
        by_sequence = sorted(first_seen, key=first_seen.get)
        if [events[e]["event_ts"] for e in by_sequence if e in events] != sorted(
                events[e]["event_ts"] for e in by_sequence if e in events):
            disordered.append(session)
    expect(not disordered, expected="each session's events in the order they happened",
           found=f"{len(disordered)} sessions out of order, e.g. {_listing(sorted(disordered), 2)}",
           hint="send EVENTS in their order (they are sorted by event_ts) and retry refused records before the next "
                "batch")
    counts = Counter(shard for records in [held] for shard, recs in records.items() for _ in recs)
    busiest, total = max(counts.values()), sum(counts.values())
    expect(busiest <= 0.65 * total, expected="the events spread over both shards",
           found=f"one shard holds {busiest / total:.0%} of {total} records",
           hint="a key with few values (a device type, a country) puts most events on one shard: key by session")


# --- 6.4 ---------------------------------------------------------------------------------------------


@exercise(WEEK, "6.4", "the shard-iterator consumer counted every June event by type, once",
          hint="read every shard (list_shards) from TRIM_HORIZON, follow NextShardIterator until MillisBehindLatest "
               "is 0 and no records come, skip what datasets.readable_click rejects (counting it), and count each "
               "event_id once (Kinesis developer guide: 'Develop consumers using the Kinesis Data Streams API')")
def consumer_counted_by_type() -> None:
    names = _names()
    s3, bucket, key = boto3.client("s3"), names.bucket("lake"), "curated/clickstream_counts/2024-06.json"
    try:
        summary = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except s3.exceptions.NoSuchKey:
        expect(False, expected=f"s3://{bucket}/{key}", found="no such object",
               hint="run the exercise's cell to its end: it writes the counts there")
    answer = dict(Counter(event["event_type"] for event in _events().values()))
    found = {kind: int(count) for kind, count in (summary.get("by_type") or {}).items()}
    wrong = [f"{kind} {found.get(kind, 0)} (expected {count})" for kind, count in sorted(answer.items())
             if found.get(kind, 0) != count] + [f"{kind} {count} (not a June type)" for kind, count in found.items()
                                                if kind not in answer]
    total, expected_total = sum(found.values()), sum(answer.values())
    hint = None
    if 0 < total < expected_total:
        hint = ("fewer than the month's events: read every shard (kinesis.list_shards), each from TRIM_HORIZON, and "
                "stop on MillisBehindLatest == 0 with no records, not on the first empty page")
    elif total > expected_total:
        hint = "more than the month's events: Kinesis delivers at least once, so count each event_id once"
    expect(not wrong, expected=f"{expected_total} events by type: {answer}", found="; ".join(wrong), hint=hint)
    # The unreadable records are counted per record, as a consumer meets them: a producer run again puts the
    # broken client's records again, and they have no event id to tell a repeat. So the answer is what the
    # stream holds now (the broken client's 3 after one producer run), read as the learner's consumer reads it.
    client_broken = len(datasets.broken_clicks())
    held = stream_records(names.resource("clickstream")) or {}
    broken = sum(datasets.readable_click(record["Data"]) is None for records in held.values() for record in records)
    puts = f", put {broken // client_broken} times" if client_broken and broken > client_broken else ""
    expect(summary.get("unreadable") == broken,
           expected=f"{broken} unreadable records (the broken client's {client_broken}{puts}: what the stream holds)",
           found=summary.get("unreadable"), hint="count each record datasets.readable_click returns None for")


# --- 6.5 ---------------------------------------------------------------------------------------------


def _function_error(function: str) -> str:
    """The last error the function logged that is not the contract's own ValueError, with the last lines of its
    traceback and the log group and stream to open ("" if none)."""
    failure = user_code.lambda_failure(function, ignore=("breaks the clickstream contract",))
    return failure.text() if failure else ""


def _failures(queue_url: str) -> list[dict]:
    """The on-failure records in the queue, read without removing them."""
    sqs, seen = boto3.client("sqs"), {}
    for _ in range(10):
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                       WaitTimeSeconds=0).get("Messages", [])
        fresh = [message for message in messages if message["MessageId"] not in seen]
        if not fresh:
            break
        for message in fresh:
            seen[message["MessageId"]] = message
    found = []
    for message in seen.values():
        try:
            found.append(json.loads(message["Body"]))
        except ValueError:
            continue
    return found


@exercise(WEEK, "6.5", "the Lambda consumer wrote every good event, and only the poison records were given up",
          hint="create_event_source_mapping(EventSourceArn=STREAM_ARN, FunctionName=CONSUMER, StartingPosition="
               "'TRIM_HORIZON', BatchSize=100, BisectBatchOnFunctionError=True, MaximumRetryAttempts=2, "
               "DestinationConfig={'OnFailure': {'Destination': failures_arn}}) (Lambda developer guide: 'Using Lambda "
               "with Kinesis Data Streams', error handling)", needs=("lambda-code",))
def lambda_consumer_isolated_poison() -> None:
    names, aws_lambda, sqs = _names(), boto3.client("lambda"), boto3.client("sqs")
    function, stream = names.resource("stream-consumer"), names.resource("clickstream")
    mappings = [mapping for mapping in aws_lambda.list_event_source_mappings(FunctionName=function)["EventSourceMappings"]
                if mapping.get("EventSourceArn", "").endswith(f"/{stream}")]
    expect(mappings, expected=f"an event source mapping from {stream} to {function}", found="none")
    bucket, events = names.bucket("lake"), _events()
    s3, written = boto3.client("s3"), Counter()
    for item in _keys(bucket, "curated/clickstream_batches/"):
        try:
            written.update(json.loads(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())["event_ids"])
        except (ValueError, KeyError):
            continue
    missing = [event_id for event_id in events if event_id not in written]
    failure_url = sqs.get_queue_url(QueueName=names.resource("stream-consumer-failures"))["QueueUrl"]
    failures = _failures(failure_url)
    given_up = sum(int(record.get("KinesisBatchInfo", {}).get("batchSize", 0)) for record in failures)
    if missing:
        error = _function_error(function)
        if error:
            expect(False, expected=f"all {len(events)} June events written by the function",
                   found=f"{len(missing)} missing; the function's last error: {error}",
                   hint="that error is the function's own (the log stream named above): fix what it names — its "
                        "code, a permission of its role, a setting — redeploy with update_function_code and the "
                        "function_updated_v2 waiter, then run the cells again")
        expect(False, expected=f"all {len(events)} June events written by the function",
               found=f"{len(missing)} missing" + (f"; the failures queue describes {len(failures)} batches of "
                                                  f"{given_up} records given up" if failures else ""),
               hint="without BisectBatchOnFunctionError a batch with one poison record is retried whole, then given "
                    "up whole, good records with it: bisect, so the bad record ends alone")
    held = stream_records(stream) or {}
    poison = [(shard, int(record["SequenceNumber"])) for shard, records in held.items() for record in records
              if datasets.readable_click(record["Data"]) is None]
    described = [(record.get("KinesisBatchInfo") or {}) for record in failures]
    unreported = [f"{shard} #{sequence}" for shard, sequence in poison if not any(
        info.get("shardId") == shard and int(info.get("startSequenceNumber", -1)) <= sequence
        <= int(info.get("endSequenceNumber", -1)) for info in described)]
    expect(not unreported, expected=f"each of the {len(poison)} poison records described in the failures queue",
           found=f"{len(unreported)} not described ({len(failures)} records in the queue)",
           hint="DestinationConfig={'OnFailure': {'Destination': failures_arn}}, and MaximumRetryAttempts so Lambda "
                "gives up (the default retries until the record expires, blocking its shard)")
    expect(given_up <= 2 * len(poison), expected="only the poison records given up (bisected down to them)",
           found=f"{given_up} records in the batches given up, for {len(poison)} poison records",
           hint="BisectBatchOnFunctionError=True splits a failing batch until the bad record is alone")


# --- 6.6 ---------------------------------------------------------------------------------------------


@exercise(WEEK, "6.6", "the flash sale reached the 4-shard stream whole, spread over its shards",
          hint="a partition key with many values that no group of viewers shares — the session or the event id, "
               "not the product: flash_key = lambda event: event['session_id'] (Kinesis developer guide: "
               "'Resharding a stream', hot shards)")
def flash_sale_spread() -> None:
    stream = _names().resource("flash-sale")
    held = stream_records(stream)
    expect(held is not None, expected=f"the stream {stream}", found="no such stream",
           hint="create_stream(FLASH_STREAM, 4) (the demo deleted its stream)")
    expect(len(held) >= 4, expected="4 shards", found=f"{len(held)} shards", hint="create_stream(FLASH_STREAM, 4)")
    sale = {event["event_id"] for event in datasets.flash_sale()}
    per_shard, present = Counter(), set()
    for shard, records in held.items():
        for record in records:
            event = datasets.readable_click(record["Data"])
            if event and event["event_id"] in sale:
                per_shard[shard] += 1
                present.add(event["event_id"])
    expect(present, expected=f"the {len(sale):,} views in the stream", found="no views",
           hint="send FLASH_SALE with put_all(FLASH_STREAM, ...) after creating the stream")
    found, hints = [], []
    missing = len(sale) - len(present)
    if missing:  # both problems at once: a hot key and a producer without retries often come together
        found.append(f"{missing:,} views missing")
        hints.append("the shard refused what was over its 1,000 records/s (ProvisionedThroughputExceededException): "
                     "put_all (6.3) must retry the refused records until none is left")
    total, busiest = sum(per_shard.values()), max(per_shard.values())
    shares = ", ".join(f"{shard[-1]}: {count / total:.0%}" for shard, count in sorted(per_shard.items()))
    if busiest > 0.35 * total:
        found.append(f"shares by shard {shares}")
        hints.append("every view of the sale shares the product, so keyed by it they all hash to one shard: key by "
                     "something with many values, such as the session")
    expect(not found, expected=f"all {len(sale):,} views, no shard with much more than its quarter (at most 35%)",
           found="; ".join(found), hint=" · ".join(hints))


# --- 6.7 ---------------------------------------------------------------------------------------------


@exercise(WEEK, "6.7", "the on-call inbox got one lag alert per shard, and nothing routine",
          hint="subscribe the inbox to the topic with Attributes={'RawMessageDelivery': 'true', 'FilterPolicy': "
               "json.dumps({'severity': ['critical']})}, and publish once per shard with MessageAttributes={'severity': "
               "{'DataType': 'String', 'StringValue': 'critical'}} when MillisBehindLatest > LAG_LIMIT_MS (SNS "
               "developer guide: 'Amazon SNS message filtering')")
def lag_alerted() -> None:
    names, sqs = _names(), boto3.client("sqs")
    stream = names.resource("clickstream")
    try:
        inbox = sqs.get_queue_url(QueueName=names.resource("stream-alerts-inbox"))["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        expect(False, expected=f"a queue named {names.resource('stream-alerts-inbox')}", found="no such queue")
    bodies = []
    seen: set[str] = set()
    for _ in range(20):
        messages = sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                       MessageAttributeNames=["All"]).get("Messages", [])
        fresh = [message for message in messages if message["MessageId"] not in seen]
        if not fresh:
            break
        for message in fresh:
            seen.add(message["MessageId"])
            bodies.append(message["Body"])
    expect(bodies, expected="alerts in the inbox", found="an empty inbox",
           hint="the queue's policy must let the topic send (sqs:SendMessage, Principal service sns.amazonaws.com, "
                "aws:SourceArn the topic), and the subscription must exist before the slow consumer runs")
    parsed: list[dict[str, Any]] = []
    for body in bodies:
        try:
            parsed.append(json.loads(body))
        except ValueError:
            parsed.append({"text": body})
    enveloped = [p for p in parsed if p.get("Type") == "Notification"]
    expect(not enveloped, expected="raw messages (the alert's own JSON)", found=f"{len(enveloped)} in SNS's envelope",
           hint="subscribe with Attributes={'RawMessageDelivery': 'true'}")
    routine = [p for p in parsed if p.get("caught_up") or "millis_behind" not in p]
    expect(not routine, expected="only critical alerts (routine notices filtered out)",
           found=f"{len(routine)} other messages, e.g. {json.dumps(routine[0])[:120]}" if routine else "",
           hint="a FilterPolicy on the message attribute severity: {'severity': ['critical']}")
    held = stream_records(stream) or {}
    by_shard = Counter(p.get("shard") for p in parsed)
    unalerted = [shard for shard in held if by_shard.get(shard, 0) == 0]
    expect(not unalerted, expected=f"an alert for each of {len(held)} shards", found=f"none for {', '.join(unalerted)}",
           hint="the consumer is behind on every shard while it reads from TRIM_HORIZON: alert when "
                "answer['MillisBehindLatest'] > LAG_LIMIT_MS")
    storms = [f"{shard}: {count}" for shard, count in by_shard.items() if count > 3]
    expect(not storms, expected="one alert per shard (at most a few if you ran the cells again)",
           found=f"alerts per shard {', '.join(storms)}",
           hint="remember the shards alerted (the set alerted) and publish once per shard, not on every call")
    low = [p for p in parsed if int(p.get("millis_behind", 0)) <= LAG_LIMIT_MS or p.get("stream") != stream]
    expect(not low, expected=f"alerts only above {LAG_LIMIT_MS:,} ms behind, naming the stream",
           found=json.dumps(low[0])[:160] if low else "", hint="publish only when MillisBehindLatest > LAG_LIMIT_MS")
