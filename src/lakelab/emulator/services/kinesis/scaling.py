"""Capacity: UpdateShardCount's limits, on-demand streams that split hot shards, encryption settings.

On-demand (``StreamModeDetails: ON_DEMAND``): a new stream has 4 shards (4 MiB/s, 4,000
records/s of writes), as on AWS. AWS adds shards within minutes when traffic grows (up to
double the previous peak without throttling); here, a shard that throttles a write splits at
once, after that call, at the middle of the hash keys it saw -- but only when it saw more than
one key: a single hot partition key stays limited to one shard's 1 MiB/s in either mode, as on
AWS. Streams never scale down, and stop splitting at 200 open shards.
"""

from __future__ import annotations

from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.kinesis import shards, throughput

ON_DEMAND_MAX_OPEN_SHARDS = 200
PROVISIONED_MAX_SHARDS = 500
MANAGED_KEY = "alias/aws/kinesis"


def is_on_demand(stream: Any) -> bool:
    return (stream.stream_mode or {}).get("StreamMode") == "ON_DEMAND"


def after_throttling(stream: Any, hot_shard_ids: set[str]) -> None:
    """Split the hot shards of an on-demand stream where a split spreads their keys."""
    if not is_on_demand(stream):
        return
    for shard_id in sorted(hot_shard_ids):
        shard = stream.shards[shard_id]
        keys = sorted(throughput.meter(shard).hash_keys)
        if len(keys) < 2 or len(shards.open_shards(stream)) >= ON_DEMAND_MAX_OPEN_SHARDS:
            continue
        stream.split_shard(shard_id, str(keys[len(keys) // 2]))
    stream.shard_count = len(shards.open_shards(stream))


def checked_update_shard_count(original: Any) -> Any:
    """``KinesisBackend.update_shard_count``: AWS's limits on one scaling step."""

    def update_shard_count(self: Any, stream_arn: str, stream_name: str, target_shard_count: int) -> int:
        stream = self.describe_stream(stream_arn=stream_arn, stream_name=stream_name)
        current = len(shards.open_shards(stream))
        target = int(target_shard_count)
        if not is_on_demand(stream):
            if target > 2 * current or target * 2 < current:
                raise seam.JsonRESTError("LimitExceededException", f"UpdateShardCount failed for {stream.stream_name}"
                                         f" under account {self.account_id}. The target shard count {target} must be"
                                         f" between half ({(current + 1) // 2}) and double ({2 * current}) of the"
                                         f" current open shard count ({current}).")
            if target > PROVISIONED_MAX_SHARDS:
                raise seam.JsonRESTError("LimitExceededException", f"UpdateShardCount cannot scale above "
                                         f"{PROVISIONED_MAX_SHARDS} shards in a stream.")
        return original(self, stream_arn=stream_arn, stream_name=stream_name, target_shard_count=target)

    return update_shard_count


def checked_encryption(original: Any) -> Any:
    """``KinesisBackend.start_stream_encryption``: KMS only, with a key KMS knows (or Kinesis's managed key)."""

    def start_stream_encryption(self: Any, stream_arn: str, stream_name: str, encryption_type: str,
                                key_id: str) -> None:
        self.describe_stream(stream_arn=stream_arn, stream_name=stream_name)
        if encryption_type != "KMS":
            raise seam.JsonRESTError("InvalidArgumentException",
                                     f"Encryption type {encryption_type} is not supported: use KMS")
        if key_id != MANAGED_KEY and not _kms_key_exists(self.account_id, self.region_name, key_id):
            raise seam.JsonRESTError("KMSNotFoundException", f"Key '{key_id}' does not exist")
        return original(self, stream_arn, stream_name, encryption_type, key_id)

    return start_stream_encryption


def _kms_key_exists(account_id: str, region: str, key_id: str) -> bool:
    try:
        seam.backend("kms", account_id, region).describe_key(key_id)
    except Exception:  # moto's KMS answers a missing key or alias with several exception types
        return False
    return True
