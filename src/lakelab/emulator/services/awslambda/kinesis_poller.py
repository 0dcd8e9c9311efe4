"""Kinesis → Lambda: read each shard in order, invoke per batch, advance only on success.

As on AWS: the position starts at ``TRIM_HORIZON`` (the oldest record), ``LATEST`` (records
written after the mapping was created) or ``AT_TIMESTAMP``; a failed batch is retried, blocking
its shard, until it succeeds or ``MaximumRetryAttempts`` is used up (unlimited by default), then
skipped and described to the ``DestinationConfig.OnFailure`` queue or topic; with
``BisectBatchOnFunctionError`` a failed batch is split in two, each half delivered in turn (a
split uses no retry), until the bad record is alone; with ``ReportBatchItemFailures`` the shard
resumes at the first reported sequence number. Shards created by resharding are read from their
start, once their parents are read to their end. Each batch reports Lambda's ``IteratorAge``
metric (milliseconds) to CloudWatch.
"""

from __future__ import annotations

import time
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.awslambda import failure_destinations
from lakelab.emulator.services.awslambda.event_sources import RETRY_SECONDS, Poller


class KinesisPoller(Poller):
    def __init__(self, esm: Any) -> None:
        super().__init__(esm)
        self.positions: dict[str, int] = {}  # shard id -> last delivered sequence number
        self.failures: dict[str, int] = {}  # shard id -> failed attempts of its first batch
        self.invocations: dict[str, int] = {}  # shard id -> invocations of its first batch (bisected ones too)
        self.pending: dict[str, list[list[Any]]] = {}  # shard id -> batches to deliver first, in order
        for shard in self._stream().shards.values():
            self.positions[shard.shard_id] = self._starting_position(shard)

    def detach_from_moto(self) -> None:
        mappings = self._stream().lambda_event_source_mappings
        for arn, mapped in list(mappings.items()):
            if mapped is self.esm:
                del mappings[arn]

    def poll_once(self) -> bool:
        worked = False
        shards = self._stream().shards
        for shard in list(shards.values()):
            if not all(self._finished(shards.get(parent)) for parent in (shard.parent, shard.adjacent_parent)):
                continue  # a child shard waits until its parents are read to their end, as Lambda does
            batches = self.pending.setdefault(shard.shard_id, [])
            if not batches:
                position = self.positions.setdefault(shard.shard_id, 0)
                records, _, _ = shard.get_records(str(position), self.esm.batch_size)
                if records:
                    batches.append(records)
            if batches:
                self._deliver(shard.shard_id, batches)
                worked = True
        return worked

    def _finished(self, shard: Any) -> bool:
        """Whether ``shard`` (None: no parent) is closed and delivered to its last record."""
        if shard is None:
            return True
        return (not shard.is_open and not self.pending.get(shard.shard_id)
                and self.positions.get(shard.shard_id, 0) >= shard.get_max_sequence_number())

    def _deliver(self, shard_id: str, batches: list[list[Any]]) -> None:
        """Invoke with the first batch of the shard's queue; on success the shard moves past it."""
        records = batches[0]
        source = (self._stream().arn, self._function_role())
        self._report_iterator_age(records[-1])
        outcome = self.invoke({"Records": [self._record(shard_id, record, *source) for record in records]})
        self.invocations[shard_id] = self.invocations.get(shard_id, 0) + 1
        failed = self.failed_items(outcome)
        if failed is None:
            self._after_failure(shard_id, batches, outcome)
            return
        self._done(shard_id, batches)
        first_failed = min((int(f) for f in failed if f.isdigit()), default=None)
        if first_failed is not None:
            self.positions[shard_id] = first_failed - 1
            batches.clear()  # the shard resumes at the first reported record
        else:
            self.positions[shard_id] = records[-1].sequence_number

    def _report_iterator_age(self, last: Any) -> None:
        """Lambda's ``IteratorAge`` metric: how old the batch's last record is when the function gets it."""
        name = self.esm.function_arn.split(":")[6]
        seam.backend("cloudwatch", self.account_id, self.region).put_metric_data("AWS/Lambda", [{
            "MetricName": "IteratorAge", "Value": max(0.0, (time.time() - last.created_at) * 1000),
            "Unit": "Milliseconds", "Dimensions": [{"Name": "FunctionName", "Value": name}]}])

    def _after_failure(self, shard_id: str, batches: list[list[Any]], outcome: Any) -> None:
        """Bisect (which uses no retry), retry, or give the batch up to the on-failure destination."""
        records = batches[0]
        if self.esm.bisect_on_error and len(records) > 1:
            middle = len(records) // 2
            batches[0:1] = [records[:middle], records[middle:]]
            return
        attempts = self.failures.get(shard_id, 0) + 1
        limit = self.esm.max_retry_attempts
        if limit is not None and limit >= 0 and attempts > limit:
            failure_destinations.send_kinesis_batch(self.esm, self._stream().arn, shard_id, records, outcome,
                                                    self.invocations.get(shard_id, 1))
            self.positions[shard_id] = records[-1].sequence_number  # given up: the batch is skipped
            self._done(shard_id, batches)
            return
        self.failures[shard_id] = attempts
        self.stopped.wait(RETRY_SECONDS)

    def _done(self, shard_id: str, batches: list[list[Any]]) -> None:
        batches.pop(0)
        self.failures.pop(shard_id, None)
        self.invocations.pop(shard_id, None)

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
