"""Kinesis Data Streams extensions: shards, limits and resharding as Kinesis behaves.

- ``shards``: partition keys MD5-hashed into the open shard whose range holds them (moto also
  matched closed shards), sequence numbers that grow across the stream, splits and merges that
  leave the parents' records where they were, reads that do not scan the whole shard.
- ``records``: PutRecord / PutRecords with the 1 MiB record and 5 MiB request limits, per-shard
  write limits answered with ``ProvisionedThroughputExceededException`` (per record in
  PutRecords, with ``FailedRecordCount``), GetRecords' read limits, iterator types, iterator
  expiry, ``MillisBehindLatest``, a closed shard's end.
- ``throughput``: the per-shard meters (1 MiB/s and 1,000 records/s of writes; 5 calls/s and
  2 MiB/s of reads).
- ``scaling``: UpdateShardCount's limits (between half and double the open shards, at most 500),
  on-demand streams (4 shards, hot shards split), StartStreamEncryption with a KMS key.
- ``streams``: CreateStream's shard count; DescribeStreamSummary's OpenShardCount.

Fidelity notes:

> Limits are counted in whole-second windows of this machine's clock; AWS meters over a
> rolling second, so a burst that straddles a second boundary may pass here and fail there. The
> Lambda event source mapping's reads do not count against a shard's read limit. Resharding and
> encryption changes take effect at once (AWS shows ``UPDATING`` for seconds to minutes), and
> UpdateShardCount is not limited to ten calls a day. Records are not trimmed when the retention
> period ends. On-demand streams split a throttled shard at once where AWS scales within
> minutes, and never scale down. Data is not really encrypted; ``EncryptionType: KMS`` is reported.
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

SERVICES = ("kinesis",)

PATCHES = (
    Patch("KinesisStream", "get_shard_for_key", value=".shards:get_shard_for_key",
          why="moto matches closed shards and misses each range's last hash key"),
    Patch("KinesisShard", "put_record", value=".shards:put_record",
          why="sequence numbers grow across the stream on AWS; moto restarts them per shard, in O(n) per write"),
    Patch("KinesisShard", "get_records", value=".shards:get_records",
          why="moto scans the whole shard per read; MillisBehindLatest is measured from now, as on AWS"),
    Patch("KinesisShard", "get_max_sequence_number", value=".shards:max_sequence_number",
          why="moto copies every key of the shard to find the last one"),
    Patch("KinesisShard", "get_min_sequence_number", value=".shards:min_sequence_number",
          why="moto copies every key of the shard to find the first one"),
    Patch("KinesisStream", "split_shard", value=".shards:split_shard",
          why="moto moves the parent's records into the children; on AWS the parent keeps them"),
    Patch("KinesisStream", "merge_shards", value=".shards:merge_shards",
          why="moto copies the parents' records into the child and checks adjacency wrongly"),
    Patch("KinesisStream", "to_json_summary", wrap=".streams:summary_counts_open_shards",
          why="moto's OpenShardCount stays the creation count after splits and merges"),
    Patch("KinesisResponse", "create_stream", wrap=".streams:create_keeps_tags",
          why="CreateStream's Tags are the new stream's; moto drops them"),
    Patch("KinesisBackend", "create_stream", wrap=".streams:checked_create",
          why="moto fails with a 500 when a provisioned stream has no ShardCount"),
    Patch("KinesisBackend", "put_record", value=".records:put_record",
          why="Kinesis refuses records over 1 MiB and throttles a shard over 1 MiB/s or 1,000 records/s"),
    Patch("KinesisBackend", "put_records", value=".records:put_records",
          why="Kinesis fails throttled records one by one (ErrorCode, FailedRecordCount) and writes the rest"),
    Patch("KinesisResponse", "put_records", wrap=".records:answers_in_json",
          why="moto's generic serializer of PutRecords' 500 answers costs more than writing the records"),
    Patch("KinesisBackend", "get_shard_iterator", value=".records:get_shard_iterator",
          why="iterators expire after 5 minutes and need their sequence number or timestamp"),
    Patch("KinesisBackend", "get_records", value=".records:get_records",
          why="Kinesis limits reads per shard and ends a closed shard's iterator"),
    Patch("KinesisBackend", "update_shard_count", wrap=".scaling:checked_update_shard_count",
          why="Kinesis scales between half and double the open shards in one call"),
    Patch("KinesisBackend", "start_stream_encryption", wrap=".scaling:checked_encryption",
          why="Kinesis encrypts with KMS only, with a key KMS knows"),
)
