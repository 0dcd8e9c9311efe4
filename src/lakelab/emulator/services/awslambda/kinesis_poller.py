"""Kinesis → Lambda: read each shard in order, invoke per batch, advance only on success.

As on AWS: the position starts at ``TRIM_HORIZON`` (the oldest record), ``LATEST`` (records
written after the mapping was created) or ``AT_TIMESTAMP``; a failed batch is retried, blocking
its shard, until it succeeds or ``MaximumRetryAttempts`` is used up (unlimited by default); with
``ReportBatchItemFailures`` the shard resumes at the first reported sequence number. Shards
created by resharding are read from their start.
"""

from __future__ import annotations

from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.awslambda.event_sources import RETRY_SECONDS, Poller


class KinesisPoller(Poller):
    def __init__(self, esm: Any) -> None:
        super().__init__(esm)
        self.positions: dict[str, int] = {}  # shard id -> last delivered sequence number
        self.failures: dict[str, int] = {}
        for shard in self._stream().shards.values():
            self.positions[shard.shard_id] = self._starting_position(shard)

    def detach_from_moto(self) -> None:
        mappings = self._stream().lambda_event_source_mappings
        for arn, mapped in list(mappings.items()):
            if mapped is self.esm:
                del mappings[arn]

    def poll_once(self) -> bool:
        worked = False
        for shard in list(self._stream().shards.values()):
            position = self.positions.setdefault(shard.shard_id, 0)
            records, _, _ = shard.get_records(str(position), self.esm.batch_size)
            if records:
                self._deliver(shard.shard_id, records)
                worked = True
        return worked

    def _deliver(self, shard_id: str, records: list[Any]) -> None:
        source = (self._stream().arn, self._function_role())
        outcome = self.invoke({"Records": [self._record(shard_id, record, *source) for record in records]})
        failed = self.failed_items(outcome)
        if failed is None:
            self._retry_or_skip(shard_id, records)
            return
        self.failures.pop(shard_id, None)
        delivered = [r.sequence_number for r in records if str(r.sequence_number) not in failed]
        first_failed = min((int(f) for f in failed if f.isdigit()), default=None)
        if first_failed is not None:
            self.positions[shard_id] = first_failed - 1
        elif delivered:
            self.positions[shard_id] = max(delivered)

    def _retry_or_skip(self, shard_id: str, records: list[Any]) -> None:
        attempts = self.failures.get(shard_id, 0) + 1
        limit = self.esm.max_retry_attempts
        if limit is not None and limit >= 0 and attempts > limit:
            self.positions[shard_id] = records[-1].sequence_number  # given up: the batch is skipped
            self.failures.pop(shard_id, None)
            return
        self.failures[shard_id] = attempts
        self.stopped.wait(RETRY_SECONDS)

    def _record(self, shard_id: str, record: Any, stream_arn: str, function_role: str) -> dict[str, Any]:
        return {
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": record.partition_key,
                "sequenceNumber": str(record.sequence_number),
                "data": record.data,  # moto keeps the base64 text the producer sent, as Lambda delivers it
                "approximateArrivalTimestamp": round(record.created_at, 3),
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": f"{shard_id}:{record.sequence_number}",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": function_role,
            "awsRegion": self.region,
            "eventSourceARN": stream_arn,
        }

    def _starting_position(self, shard: Any) -> int:
        if self.esm.starting_position == "LATEST":
            return shard.get_max_sequence_number()
        if self.esm.starting_position == "AT_TIMESTAMP" and self.esm.starting_position_timestamp:
            return shard.get_sequence_number_at(float(self.esm.starting_position_timestamp))
        return 0

    def _function_role(self) -> str:
        return seam.backend("awslambda", self.account_id, self.region).get_function(self.esm.function_arn).role

    def _stream(self) -> Any:
        backend = seam.backend("kinesis", self.account_id, self.region)
        return backend.describe_stream(stream_arn=self.esm.event_source_arn, stream_name=None)
