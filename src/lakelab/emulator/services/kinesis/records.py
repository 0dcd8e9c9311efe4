"""PutRecord, PutRecords, GetShardIterator and GetRecords as Kinesis answers them.

- A record's data plus partition key may be 1 MiB; PutRecord refuses more with a
  ValidationException, PutRecords (500 records, 5 MiB) likewise names the record.
- A shard takes 1 MiB or 1,000 records a second: PutRecord over it fails whole with
  ``ProvisionedThroughputExceededException``; PutRecords fails record by record (``ErrorCode``,
  ``ErrorMessage``, ``FailedRecordCount``) and writes the rest, so a hot partition key shows.
- GetRecords: 5 calls and 2 MiB a second per shard, else ``ProvisionedThroughputExceededException``;
  iterators expire after 5 minutes (``ExpiredIteratorException``); a closed shard read to its end
  answers no ``NextShardIterator``. CloudWatch gets ``IncomingBytes``, ``IncomingRecords`` and
  ``GetRecords.IteratorAgeMilliseconds`` (what an alarm on a lagging consumer watches).
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.kinesis import scaling, shards, throughput

MAX_RECORD_BYTES = 1024 * 1024
MAX_REQUEST_BYTES = 5 * 1024 * 1024
MAX_RECORDS_PER_REQUEST = 500
ITERATOR_LIFETIME_MS = 300_000
ITERATOR_TYPES = ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")


def error(code: str, message: str) -> Exception:
    return seam.JsonRESTError(code, message)


def throttled(stream: Any, shard: Any) -> tuple[str, str]:
    return ("ProvisionedThroughputExceededException",
            f"Rate exceeded for shard {shard.shard_id} in stream {stream.stream_name} under account "
            f"{stream.account_id}.")


def _size(record: dict[str, Any]) -> int:
    return len(base64.b64decode(record.get("Data") or "")) + len((record.get("PartitionKey") or "").encode())


def put_record(backend: Any, stream_arn: str, stream_name: str, partition_key: str, explicit_hash_key: str,
               data: str) -> tuple[str, str]:
    """``KinesisBackend.put_record``."""
    stream = backend.describe_stream(stream_arn=stream_arn, stream_name=stream_name)
    if len(base64.b64decode(data or "")) > MAX_RECORD_BYTES:
        raise error("ValidationException", "1 validation error detected: Value at 'data' failed to satisfy "
                    f"constraint: Member must have length less than or equal to {MAX_RECORD_BYTES}")
    record = {"PartitionKey": partition_key, "ExplicitHashKey": explicit_hash_key, "Data": data}
    answers, failed = _write(stream, [record])
    if failed:
        raise error(answers[0]["ErrorCode"], answers[0]["ErrorMessage"])
    _metrics(backend, stream, [_size(record)])
    return answers[0]["SequenceNumber"], answers[0]["ShardId"]


def put_records(backend: Any, stream_arn: str, stream_name: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """``KinesisBackend.put_records``: each record written or failed on its own."""
    stream = backend.describe_stream(stream_arn=stream_arn, stream_name=stream_name)
    if len(records) > MAX_RECORDS_PER_REQUEST:
        raise error("ValidationException", "1 validation error detected: Value at 'records' failed to satisfy "
                    f"constraint: Member must have length less than or equal to {MAX_RECORDS_PER_REQUEST}")
    sizes = [_size(record) for record in records]
    for position, size in enumerate(sizes, start=1):
        if size > MAX_RECORD_BYTES:
            raise error("ValidationException", f"1 validation error detected: Value at 'records.{position}.member.data'"
                        " failed to satisfy constraint: Member must have length less than or equal to "
                        f"{MAX_RECORD_BYTES}")
    if sum(sizes) > MAX_REQUEST_BYTES:
        raise error("InvalidArgumentException", "Records size exceeds 5 MB limit")
    answers, failed = _write(stream, records, sizes)
    _metrics(backend, stream, [size for size, answer in zip(sizes, answers) if "SequenceNumber" in answer])
    result: dict[str, Any] = {"FailedRecordCount": failed, "Records": answers}
    if stream.encryption_type == "KMS":
        result["EncryptionType"] = "KMS"
    return result


def answers_in_json(original: Any) -> Any:
    """``KinesisResponse.put_records``: the answer written as JSON text at once.

    moto's generic serializer walks the answer's shape member by member, which took more time
    than writing the records; the answer's shape (``FailedRecordCount``, ``Records`` of
    ``SequenceNumber`` and ``ShardId`` or ``ErrorCode`` and ``ErrorMessage``, ``EncryptionType``)
    is flat enough to write directly.
    """

    def put_records(self: Any) -> str:
        answer = self.kinesis_backend.put_records(self._get_param("StreamARN"), self._get_param("StreamName"),
                                                  self._get_param("Records"))
        self.response_headers["Content-Type"] = "application/x-amz-json-1.1"
        return json.dumps(answer)

    return put_records


def _iterator_age(backend: Any, stream: Any, records: list[Any]) -> None:
    """``GetRecords.IteratorAgeMilliseconds``: how old the last record read is (0 when none was waiting)."""
    age = max(0.0, (time.time() - records[-1].created_at) * 1000) if records else 0.0
    seam.backend("cloudwatch", backend.account_id, backend.region_name).put_metric_data("AWS/Kinesis", [{
        "MetricName": "GetRecords.IteratorAgeMilliseconds", "Value": age, "Unit": "Milliseconds",
        "Dimensions": [{"Name": "StreamName", "Value": stream.stream_name}]}])


def _metrics(backend: Any, stream: Any, sizes: list[int]) -> None:
    """IncomingBytes and IncomingRecords in CloudWatch, as moto's own puts send them (written records only)."""
    if sizes:
        backend._send_stream_metrics(stream.stream_name, incoming_bytes=sum(sizes), incoming_records=len(sizes))


def _write(stream: Any, records: list[dict[str, Any]], sizes: list[int] | None = None) -> tuple[list[dict], int]:
    """Meter and write ``records`` in order; their answers and how many failed."""
    sizes = sizes or [_size(record) for record in records]
    second, answers, failed, hot = int(throughput.now()), [], 0, set()
    with throughput.lock():
        for record, size in zip(records, sizes):
            key, explicit = record.get("PartitionKey"), record.get("ExplicitHashKey")
            hash_key = shards.hash_key_of(shards.checked_partition_key(key), explicit)
            shard = shards.shard_for_hash(stream, hash_key)
            if not throughput.meter(shard).admit_write(second, size, hash_key):
                code, message = throttled(stream, shard)
                answers.append({"ErrorCode": code, "ErrorMessage": message})
                failed, hot = failed + 1, hot | {shard.shard_id}
                continue
            sequence_number = shard.put_record(key, record.get("Data"), explicit)
            answers.append({"SequenceNumber": sequence_number, "ShardId": shard.shard_id})
        if hot:
            scaling.after_throttling(stream, hot)
    return answers, failed


# --- reading ---------------------------------------------------------------------------------


def encode_iterator(stream_name: str, shard_id: str, position: int) -> str:
    text = f"{stream_name}:{shard_id}:{position}:{int(time.time() * 1000)}"
    return base64.b64encode(text.encode()).decode()


def decode_iterator(iterator: str) -> tuple[str, str, int, int]:
    try:
        stream_name, shard_id, position, issued = base64.b64decode(iterator.encode()).decode().rsplit(":", 3)
        return stream_name, shard_id, int(position), int(issued)
    except ValueError:
        raise error("InvalidArgumentException", f"Invalid ShardIterator: {iterator}") from None


def get_shard_iterator(backend: Any, stream_arn: str | None, stream_name: str | None, shard_id: str,
                       shard_iterator_type: str, starting_sequence_number: Any, at_timestamp: Any) -> str:
    """``KinesisBackend.get_shard_iterator``: an iterator of the five types, stamped with its issue time."""
    stream = backend.describe_stream(stream_arn=stream_arn, stream_name=stream_name)
    shard = stream.shards.get(shard_id)
    if shard is None:
        raise error("ResourceNotFoundException", f"Shard {shard_id} in stream {stream.stream_name} under account "
                    f"{backend.account_id} does not exist")
    return encode_iterator(stream.stream_name, shard_id,
                           _position(stream, shard, shard_iterator_type, starting_sequence_number, at_timestamp))


def _position(stream: Any, shard: Any, iterator_type: str, sequence_number: Any, at_timestamp: Any) -> int:
    """The last sequence number before the first record the iterator returns."""
    if iterator_type in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        if sequence_number is None or not str(sequence_number).isdigit():
            raise error("InvalidArgumentException",
                        f"StartingSequenceNumber must be given for ShardIteratorType {iterator_type}")
        number = int(sequence_number)
        owner = next((other for other in stream.shards.values() if number in other.records), shard)
        if owner is not shard:  # sequence numbers are stream-wide: this one names another shard's record
            raise error("InvalidArgumentException", f"Invalid StartingSequenceNumber. It encodes {owner.shard_id}, "
                        f"while it was used in a call to a shard with {shard.shard_id}")
        return number - 1 if iterator_type == "AT_SEQUENCE_NUMBER" else number
    if iterator_type == "TRIM_HORIZON":
        return 0
    if iterator_type == "LATEST":
        return shards.max_sequence_number(shard)
    if iterator_type == "AT_TIMESTAMP":
        if at_timestamp is None:
            raise error("InvalidArgumentException", "Timestamp must be given for ShardIteratorType AT_TIMESTAMP")
        return _before_time(shard, float(at_timestamp))
    raise error("ValidationException", f"1 validation error detected: Value '{iterator_type}' at 'shardIteratorType' "
                f"failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(ITERATOR_TYPES)}]")


def _before_time(shard: Any, at: float) -> int:
    before = 0
    for number, record in shard.records.items():
        if record.created_at >= at:
            break
        before = number
    return before


def get_records(backend: Any, stream_arn: str | None, shard_iterator: str, limit: int | None
                ) -> tuple[str | None, list[Any], int]:
    """``KinesisBackend.get_records``: metered, expiring, and ending at a closed shard's last record."""
    stream_name, shard_id, position, issued = decode_iterator(shard_iterator)
    age_ms = int(time.time() * 1000) - issued
    if age_ms > ITERATOR_LIFETIME_MS:
        raise error("ExpiredIteratorException", f"Iterator expired. The iterator was created at time {issued} while "
                    f"right now it is {issued + age_ms} which is further in the future than the tolerated delay of "
                    f"{ITERATOR_LIFETIME_MS} milliseconds.")
    if limit is not None and not 1 <= int(limit) <= 10000:
        raise error("ValidationException", "1 validation error detected: Value at 'limit' failed to satisfy "
                    "constraint: Member must have value between 1 and 10000")
    stream = backend.describe_stream(stream_arn=stream_arn, stream_name=stream_name)
    shard = stream.get_shard(shard_id)
    meter = throughput.meter(shard)
    if not meter.admit_read(throughput.now()):
        raise error(*throttled(stream, shard))
    records, position, behind = shard.get_records(str(position), limit)
    meter.charge_read(sum(shards.record_size(record) for record in records))
    _iterator_age(backend, stream, records)
    at_end = position >= shards.max_sequence_number(shard)
    next_iterator = None if (not shard.is_open and at_end) else encode_iterator(stream_name, shard_id, position)
    return next_iterator, records, behind
