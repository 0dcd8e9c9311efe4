"""Shards as Kinesis keeps them: keys hashed into open shards, stream-wide sequence numbers, resharding.

moto 5.2.5 differs from AWS here:

- ``get_shard_for_key`` looks through closed shards too (after a split every key still lands in
  the closed parent) and misses the last hash key of each range (``<`` instead of ``<=``).
- Sequence numbers restart at 1 in every shard; on AWS they grow across the stream, so a number
  names one record.
- A split moves the parent's records into the children, renumbered; a merge copies them into the
  child and leaves them in the parents too. On AWS the parents keep their records (readable
  until retention ends) and the children start empty; merging checks adjacency the wrong way
  round for the second shard.
- Reading scans every record of the shard on each call (and each write looks up the last
  sequence number the same way), so a shard of 100,000 records slows every call.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import threading
import time
import weakref
from typing import Any

from lakelab.emulator import seam

READ_BYTES_PER_CALL = 10 * 1024 * 1024
MAX_HASH_KEY = 2**128 - 1

_sequence = itertools.count(int(time.time()) * 10**12)  # grows across the emulator, never reused
_sequence_lock = threading.Lock()
_positions: weakref.WeakKeyDictionary[Any, list[int]] = weakref.WeakKeyDictionary()


def invalid_argument(message: str) -> Exception:
    return seam.JsonRESTError("InvalidArgumentException", message)


def hash_key_of(partition_key: str, explicit_hash_key: str | None) -> int:
    """Where a record lands in the 128-bit key space: the explicit key, else the MD5 of the partition key."""
    if explicit_hash_key:
        if not explicit_hash_key.isdigit() or int(explicit_hash_key) > MAX_HASH_KEY:
            raise invalid_argument("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: "
                                   f"[0, {MAX_HASH_KEY}]. "
                                   f"Specified value was {explicit_hash_key}")
        return int(explicit_hash_key)
    return int(hashlib.md5(partition_key.encode("utf-8")).hexdigest(), 16)


def get_shard_for_key(stream: Any, partition_key: str, explicit_hash_key: str | None) -> Any:
    """``Stream.get_shard_for_key``: the open shard whose range holds the key, ends included."""
    return shard_for_hash(stream, hash_key_of(checked_partition_key(partition_key), explicit_hash_key))


def checked_partition_key(partition_key: Any) -> str:
    if not isinstance(partition_key, str) or not 1 <= len(partition_key) <= 256:
        raise seam.JsonRESTError("ValidationException", "1 validation error detected: Value at 'partitionKey' failed "
                                 "to satisfy constraint: Member must have length between 1 and 256")
    return partition_key


def shard_for_hash(stream: Any, key: int) -> Any:
    for shard in stream.shards.values():
        if shard.is_open and shard.starting_hash <= key <= shard.ending_hash:
            return shard
    raise invalid_argument(f"No open shard of stream {stream.stream_name} holds hash key {key}")


def put_record(shard: Any, partition_key: str, data: str, explicit_hash_key: str) -> str:
    """``Shard.put_record``: the next stream-wide sequence number."""
    with _sequence_lock:
        numbers = _sequence_numbers(shard)  # before the record is in: a first listing must not hold it twice
        sequence_number = next(_sequence)
        shard.records[sequence_number] = seam.KinesisRecord(partition_key, data, sequence_number, explicit_hash_key)
        numbers.append(sequence_number)
    return str(sequence_number)


def max_sequence_number(shard: Any) -> int:
    return next(reversed(shard.records), 0) if shard.records else 0


def min_sequence_number(shard: Any) -> int:
    return next(iter(shard.records), 0) if shard.records else 0


def get_records(shard: Any, last_sequence_id: str, limit: int | None) -> tuple[list[Any], int, int]:
    """``Shard.get_records``: records after ``last_sequence_id`` (at most ``limit`` and 10 MiB) and MillisBehindLatest.

    MillisBehindLatest is how far the last record returned is behind now when more records wait
    after it, and 0 when the answer reaches the tip of the shard, as on AWS.
    """
    numbers = _sequence_numbers(shard)
    start = bisect.bisect_right(numbers, int(last_sequence_id))
    records, size, position = [], 0, int(last_sequence_id)
    for number in numbers[start:start + (limit or 10000)]:
        record = shard.records[number]
        size += record_size(record)
        if records and size > READ_BYTES_PER_CALL:
            break
        records.append(record)
        position = number
    behind = 0
    if records and start + len(records) < len(numbers):
        behind = max(0, int((time.time() - records[-1].created_at) * 1000))
    return records, position, behind


def record_size(record: Any) -> int:
    """Data bytes (not base64 text) plus the partition key: what the shard limits count."""
    return len(record.data) * 3 // 4 - record.data[-2:].count("=") + len(record.partition_key.encode())


def split_shard(stream: Any, shard_to_split: str, new_starting_hash_key: str) -> None:
    """``Stream.split_shard``: two empty children; the closed parent keeps its records."""
    shard = stream.shards[shard_to_split]
    new_start = int(new_starting_hash_key)
    if not shard.is_open:
        raise _not_eligible(stream, shard)
    if not shard.starting_hash < new_start <= shard.ending_hash:
        raise invalid_argument(
            f"NewStartingHashKey {new_start} used in SplitShard() on shard {shard_to_split} in stream "
            f"{stream.stream_name} under account {stream.account_id} is not both greater than one plus the shard's "
            f"StartingHashKey {shard.starting_hash} and less than the shard's EndingHashKey {shard.ending_hash}.")
    first_id = _next_shard_number(stream)
    for offset, (start, end) in enumerate(((shard.starting_hash, new_start - 1), (new_start, shard.ending_hash))):
        child = seam.KinesisShard(first_id + offset, start, end, parent=shard.shard_id)
        stream.shards[child.shard_id] = child
    shard.is_open = False


def merge_shards(stream: Any, shard_to_merge: str, adjacent_shard_to_merge: str) -> None:
    """``Stream.merge_shards``: one empty child over both ranges; the closed parents keep their records."""
    first, second = stream.shards[shard_to_merge], stream.shards[adjacent_shard_to_merge]
    for shard in (first, second):
        if not shard.is_open:
            raise _not_eligible(stream, shard)
    if first.ending_hash + 1 != second.starting_hash and second.ending_hash + 1 != first.starting_hash:
        raise invalid_argument(f"Shards {shard_to_merge} and {adjacent_shard_to_merge} in stream "
                               f"{stream.stream_name} under account {stream.account_id} are not an adjacent pair of "
                               "shards eligible for merging")
    child = seam.KinesisShard(_next_shard_number(stream), min(first.starting_hash, second.starting_hash),
                              max(first.ending_hash, second.ending_hash), parent=first.shard_id,
                              adjacent_parent=second.shard_id)
    stream.shards[child.shard_id] = child
    first.is_open = second.is_open = False


def open_shards(stream: Any) -> list[Any]:
    return [shard for shard in stream.shards.values() if shard.is_open]


def _not_eligible(stream: Any, shard: Any) -> Exception:
    return invalid_argument(f"Shard {shard.shard_id} in stream {stream.stream_name} under account "
                            f"{stream.account_id} has already been merged or split, and thus is not eligible for "
                            "merging or splitting.")


def _next_shard_number(stream: Any) -> int:
    return max(shard._shard_id for shard in stream.shards.values()) + 1


def _sequence_numbers(shard: Any) -> list[int]:
    numbers = _positions.get(shard)
    if numbers is None:
        numbers = _positions[shard] = list(shard.records)
    return numbers
