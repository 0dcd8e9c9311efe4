"""The two stages of delivery: records prepared for a partition's buffer, then written to S3.

:func:`prepare`, in AWS's order: the Lambda processor (``Ok`` records go on, ``Dropped`` ones are
counted, failures go to ``processing-failed``), then metadata extraction for dynamic partitioning
(failures to ``partitioning-failed``). :func:`deliver_partition` writes one partition's buffer as
one object, its records converted to Parquet/ORC (failures to ``format-conversion-failed``) or
concatenated and compressed; :func:`write_failures` writes failed records under the error output
prefix. Every object is written as the delivery stream's role. A write that fails hands its
records back (:attr:`Report.retry`, :attr:`Report.retry_failures`), to be retried, as AWS retries
S3 delivery: nothing is dropped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator.services.firehose import conversion, keys, partitioning, records, settings, transform
from lakelab.emulator.services.firehose.records import Failure, Record

ACTIVE_PARTITIONS = 500
Partition = tuple[tuple[str, str], ...]  # sorted (key, value) pairs; () without dynamic partitioning


@dataclass
class Report:
    """What one round of delivery did: every record it took is in exactly one of these."""

    delivered: int = 0
    dropped: int = 0
    failed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    retry: dict[Partition, list[Record]] = field(default_factory=lambda: defaultdict(list))
    retry_failures: list[Failure] = field(default_factory=list)
    retry_incoming: list[Record] = field(default_factory=list)  # records a fault stopped before processing
    objects: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (errorCode, message), as Firehose logs them
    oldest_delivered: float | None = None
    failed_writes: int = 0  # S3 writes refused (AccessDenied, a missing bucket...): their records are held back

    def oldest_held_back(self) -> float | None:
        """When the oldest record this round had to keep for a later attempt arrived (None if none)."""
        held = [record.arrival for members in self.retry.values() for record in members]
        held += [failure.record.arrival for failure in self.retry_failures]
        held += [record.arrival for record in self.retry_incoming]
        return min(held) if held else None


@dataclass
class Stream:
    """What delivery needs to know of its delivery stream."""

    name: str
    arn: str
    version: str
    account_id: str
    region: str
    destination: settings.Destination
    source_arn: str = ""  # the Kinesis stream of a KinesisStreamAsSource delivery stream


@dataclass
class Prepared:
    groups: dict[Partition, list[Record]]
    failures: list[Failure]
    dropped: int = 0


def prepare(stream: Stream, batch: list[Record]) -> Prepared:
    """``batch`` through the Lambda processor and partition-key extraction, grouped by partition."""
    failures: list[Failure] = []
    dropped = 0
    destination = stream.destination
    if destination.lambda_arn:
        outcome = transform.run(batch, destination.lambda_arn, destination.lambda_retries,
                                destination.lambda_batch_bytes, stream.arn, stream.region, stream.source_arn)
        batch, dropped, failures = outcome.kept, outcome.dropped, outcome.failures
    groups, partition_failures = _partitions(batch, destination)
    return Prepared(groups, failures + partition_failures, dropped)


def over_the_partition_limit(records_of_partition: list[Record]) -> list[Failure]:
    """A new partition's records while the stream has AWS's 500 active partitions already."""
    return [Failure(record, "DynamicPartitioning.ActivePartitionsLimitExceeded",
                    f"activePartitionExceeded: over {ACTIVE_PARTITIONS} active partitions", kind=records.PARTITIONING)
            for record in records_of_partition]


def deliver_partition(stream: Stream, partition: Partition, members: list[Record], write: Any,
                      report: Report) -> None:
    """One partition's buffer as one object (its conversion failures under the error prefix)."""
    body, failures, delivered = _body(stream, members)
    if delivered:
        _write_object(stream, partition, delivered, body, write, report)
    write_failures(stream, failures, write, report)


def _partitions(batch: list[Record], destination: settings.Destination) -> tuple[dict, list[Failure]]:
    groups: dict[Partition, list[Record]] = defaultdict(list)
    if not destination.dynamic_partitioning:
        if batch:
            groups[()] = batch
        return groups, []
    failures = []
    for record in batch:
        try:
            found = partitioning.extract(destination.partition_query, record.data)
            groups[tuple(sorted(found.items()))].append(record)
        except partitioning.ExtractionFailed as error:
            failures.append(Failure(record, "DynamicPartitioning.MetadataExtractionFailed", str(error),
                                    kind=records.PARTITIONING))
    return groups, failures


def _body(stream: Stream, members: list[Record]) -> tuple[bytes, list[Failure], list[Record]]:
    """The object's bytes, the records that failed conversion, and the records the object holds."""
    destination = stream.destination
    if destination.conversion is None:
        delimiter = b"\n" if destination.append_delimiter else b""
        data = b"".join(record.data + delimiter for record in members)
        return settings_compress(data, destination), [], members
    target = destination.conversion
    catalog = {"catalogId": target.catalog_id or stream.account_id, "databaseName": target.database,
               "tableName": target.table, "region": target.region or stream.region, "versionId": target.version_id,
               "catalogArn": None}
    try:
        columns = conversion.table_columns(target, stream.account_id, stream.region)
    except conversion.ConversionFailed as error:
        return b"", [Failure(r, error.code, str(error), kind=records.CONVERSION, catalog=catalog) for r in members], []
    rows, kept, failures = [], [], []
    for record in members:
        try:
            rows.append(conversion.row(record.data, columns, target.case_insensitive))
            kept.append(record)
        except conversion.ConversionFailed as error:
            failures.append(Failure(record, error.code, str(error), kind=records.CONVERSION, catalog=catalog))
    return (conversion.write(rows, columns, target) if rows else b""), failures, kept


def settings_compress(data: bytes, destination: settings.Destination) -> bytes:
    from lakelab.emulator.services.firehose import encoding

    return encoding.compress(data, destination.compression)


def _extension(destination: settings.Destination) -> str:
    if destination.file_extension:
        return destination.file_extension
    return "" if destination.conversion else settings.EXTENSIONS.get(destination.compression, "")


def _write_object(stream: Stream, partition: Partition, members: list[Record], body: bytes, write: Any,
                  report: Report) -> None:
    destination = stream.destination
    oldest = min(record.arrival for record in members)
    zone = destination.time_zone
    key = keys.evaluate(destination.prefix, oldest, dict(partition), dynamic=destination.dynamic_partitioning,
                        time_zone=zone)
    key += keys.object_name(stream.name, stream.version, oldest, _extension(destination), zone)
    try:
        write(destination.bucket, key, body)
    except Exception as error:  # AccessDenied, a missing bucket: AWS keeps the data and retries
        report.retry[partition] += members
        report.failed_writes += 1
        report.errors.append(s3_error(error, destination.bucket))
        return
    report.delivered += len(members)
    report.objects += 1
    report.oldest_delivered = min(oldest, report.oldest_delivered or oldest)


def s3_error(error: Exception, bucket: str) -> tuple[str, str]:
    """A failed S3 write as Firehose's error log names it."""
    if isinstance(error, PermissionError):
        return "S3.AccessDenied", ("Access was denied. Ensure that the trust policy for the provided IAM role allows "
                                   f"Firehose to assume the role, and the access policy allows access to the S3 bucket. "
                                   f"({error})")
    if type(error).__name__ in ("MissingBucket", "NoSuchBucket"):
        return "S3.NoSuchBucket", f"The specified bucket does not exist: {bucket}"
    return "S3.InternalError", f"The S3 write failed: {error}"


def write_failures(stream: Stream, failures: list[Failure], write: Any, report: Report) -> None:
    """Failed records under the error output prefix, one object per error output type."""
    by_kind: dict[str, list[Failure]] = defaultdict(list)
    for failure in failures:
        by_kind[failure.kind].append(failure)
    for kind, members in by_kind.items():
        oldest = min(failure.record.arrival for failure in members)
        zone = stream.destination.time_zone
        key = keys.evaluate(keys.error_prefix(stream.destination), oldest, error_type=kind, time_zone=zone)
        key += keys.object_name(stream.name, stream.version, oldest, "", zone)
        try:
            write(stream.destination.bucket, key, records.error_lines(members))
        except Exception as error:
            report.retry_failures += members
            report.failed_writes += 1
            report.errors.append(s3_error(error, stream.destination.bucket))
            continue
        report.failed[kind] += len(members)
        report.objects += 1
