"""A hose's records between the put and S3: the incoming buffer, and one buffer per partition.

Without dynamic partitioning, the incoming buffer is the stream's buffer: it is processed when it
holds ``SizeInMBs`` or when ``IntervalInSeconds`` have passed since its oldest record arrived,
and its one partition is written at once. With dynamic partitioning, records are processed as
they arrive and wait in their partition's buffer, which is written when *it* holds the size or
its own oldest record is as old as the interval (AWS buffers each active partition apart, up to
500 of them). Records whose write failed wait in their buffer until ``retry_after``.
"""

from __future__ import annotations

from collections import defaultdict

from lakelab.emulator.services.firehose import delivery, settings
from lakelab.emulator.services.firehose.delivery import Partition
from lakelab.emulator.services.firehose.records import Failure, Record


class Buffers:
    def __init__(self, destination: settings.Destination) -> None:
        self.destination = destination
        self.incoming: list[Record] = []
        self.incoming_bytes = 0
        self.partitions: dict[Partition, list[Record]] = {}
        self.partition_bytes: dict[Partition, int] = defaultdict(int)
        self.failures: list[Failure] = []  # failed records whose error object could not be written yet
        self.retry_after = 0.0

    def add(self, records: list[Record]) -> None:
        self.incoming += records
        self.incoming_bytes += sum(len(record.data) for record in records)

    def count(self) -> int:
        return len(self.incoming) + sum(map(len, self.partitions.values())) + len(self.failures)

    # --- what is due ---

    def _incoming_due_at(self, now: float) -> float | None:
        if not self.incoming:
            return None
        if self.destination.dynamic_partitioning or self.incoming_bytes >= self.destination.size_bytes:
            return max(now, self.retry_after)
        return max(self.incoming[0].arrival + self.destination.interval_seconds, self.retry_after)

    def _partition_due_at(self, partition: Partition, now: float) -> float:
        hints = self.destination
        if not hints.dynamic_partitioning or self.partition_bytes[partition] >= hints.size_bytes:
            return max(now, self.retry_after)
        return max(self.partitions[partition][0].arrival + hints.interval_seconds, self.retry_after)

    def _due_times(self, now: float) -> list[float]:
        times = [self._partition_due_at(partition, now) for partition in self.partitions]
        incoming = self._incoming_due_at(now)
        times += [incoming] if incoming is not None else []
        return times + ([self.retry_after] if self.failures else [])

    def due(self, now: float) -> bool:
        return any(when <= now for when in self._due_times(now))

    def seconds_to_wait(self, now: float) -> float | None:
        times = self._due_times(now)
        return max(0.0, min(times) - now) if times else None

    # --- taking and giving back ---

    def take_incoming(self, now: float) -> list[Record]:
        due_at = self._incoming_due_at(now)
        if due_at is None or due_at > now:
            return []
        batch, self.incoming, self.incoming_bytes = self.incoming, [], 0
        return batch

    def place(self, groups: dict[Partition, list[Record]]) -> list[Failure]:
        """Processed records into their partitions' buffers; the failures of partitions over the limit."""
        overflow: list[Failure] = []
        for partition, members in groups.items():
            if partition not in self.partitions and len(self.partitions) >= delivery.ACTIVE_PARTITIONS:
                overflow += delivery.over_the_partition_limit(members)
                continue
            self.partitions.setdefault(partition, []).extend(members)
            self.partition_bytes[partition] += sum(len(record.data) for record in members)
        return overflow

    def take_due(self, now: float) -> tuple[dict[Partition, list[Record]], list[Failure]]:
        due = {p: self.partitions.pop(p) for p in list(self.partitions) if self._partition_due_at(p, now) <= now}
        for partition in due:
            self.partition_bytes.pop(partition, None)
        failures = []
        if self.failures and self.retry_after <= now:
            failures, self.failures = self.failures, []
        return due, failures

    def give_back(self, report: delivery.Report, retry_at: float) -> bool:
        """Records a round could not write, back in their buffers until ``retry_at``; True if any."""
        for partition, members in report.retry.items():
            merged = sorted(members + self.partitions.get(partition, []), key=lambda record: record.arrival)
            self.partitions[partition] = merged
            self.partition_bytes[partition] = sum(len(record.data) for record in merged)
        self.failures += report.retry_failures
        if report.retry_incoming:
            self.incoming = sorted(report.retry_incoming + self.incoming, key=lambda record: record.arrival)
            self.incoming_bytes = sum(len(record.data) for record in self.incoming)
        held_back = bool(report.retry or report.retry_failures or report.retry_incoming)
        if held_back:
            self.retry_after = retry_at
        return held_back
