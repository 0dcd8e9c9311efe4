"""Stream-level answers that moto gives differently from AWS."""

from __future__ import annotations

from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.kinesis import shards


def checked_create(original: Any) -> Any:
    """``KinesisBackend.create_stream``: a provisioned stream needs a shard count (moto fails with a 500)."""

    def create_stream(self: Any, stream_name: str, shard_count: int | None, stream_mode: dict | None = None,
                      retention_period_hours: int | None = None) -> Any:
        on_demand = (stream_mode or {}).get("StreamMode") == "ON_DEMAND"
        if not on_demand and not shard_count:
            raise seam.JsonRESTError("ValidationException", "ShardCount is required for streams in PROVISIONED mode")
        return original(self, stream_name, shard_count or 4, stream_mode=stream_mode,
                        retention_period_hours=retention_period_hours)

    return create_stream


def summary_counts_open_shards(original: Any) -> Any:
    """``Stream.to_json_summary``: OpenShardCount counts the open shards (moto keeps the count it was created with)."""

    def to_json_summary(self: Any) -> dict[str, Any]:
        answer = original(self)
        answer["StreamDescriptionSummary"]["OpenShardCount"] = len(shards.open_shards(self))
        if self.encryption_type == "NONE":
            answer["StreamDescriptionSummary"].pop("KeyId", None)
        return answer

    return to_json_summary


def create_keeps_tags(original: Any) -> Any:
    """``KinesisResponse.create_stream``: the ``Tags`` of CreateStream are the stream's (moto drops them)."""

    def create_stream(self: Any) -> Any:
        tags = self._get_param("Tags") or {}
        if len(tags) > 50:
            raise seam.JsonRESTError("ValidationException", "1 validation error detected: Value at 'tags' failed to "
                                     "satisfy constraint: Member must have length less than or equal to 50")
        answer = original(self)
        if tags:
            self.kinesis_backend.add_tags_to_stream(None, self._get_param("StreamName"), tags)
        return answer

    return create_stream
