"""A delivery stream's S3 destination, read and checked once: what the hose does at each flush.

CreateDeliveryStream is refused, as AWS refuses it, for buffering hints outside AWS's ranges,
a dynamic-partitioning or format-conversion stream whose buffer is under 64 MiB or that has no
error output prefix, and format conversion with S3 compression. Features the emulator cannot
run (destinations other than S3, processors it does not know, JQ beyond the documented subset)
are refused by name at create, never delivered wrongly later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.firehose import partitioning

MIB = 1024 * 1024
COMPRESSIONS = ("UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY")
EXTENSIONS = {"GZIP": ".gz", "ZIP": ".zip", "Snappy": ".snappy", "HADOOP_SNAPPY": ".hsnappy"}
KNOWN_PROCESSORS = ("Lambda", "MetadataExtraction", "AppendDelimiterToRecord", "RecordDeAggregation")


def refuse(message: str) -> Exception:
    return seam.FirehoseInvalidArgumentException(message)


@dataclass(frozen=True)
class Conversion:
    output_format: str  # "parquet" or "orc"
    database: str
    table: str
    region: str
    catalog_id: str
    version_id: str
    compression: str  # the serializer's codec: SNAPPY (default), GZIP, UNCOMPRESSED ...
    case_insensitive: bool = True


@dataclass(frozen=True)
class Destination:
    bucket: str
    prefix: str
    error_prefix: str
    role_arn: str
    size_bytes: int
    interval_seconds: int
    compression: str
    file_extension: str
    lambda_arn: str = ""
    lambda_retries: int = 3
    lambda_batch_bytes: int = MIB
    partition_query: dict[str, list[str]] = field(default_factory=dict)
    dynamic_partitioning: bool = False
    append_delimiter: bool = False
    conversion: Conversion | None = None
    time_zone: str = "UTC"  # CustomTimeZone: prefixes' and object names' times
    log_group: str = ""  # CloudWatchLoggingOptions, when enabled: where delivery errors are logged
    log_stream: str = ""


def read(config: dict[str, Any], extended: bool) -> Destination:
    """The destination a CreateDeliveryStream or UpdateDestination describes; refused when AWS refuses it."""
    hints = config.get("BufferingHints") or {}
    size_mb, interval = int(hints.get("SizeInMBs", 5)), int(hints.get("IntervalInSeconds", 300))
    if not 1 <= size_mb <= 128:
        raise refuse(f"BufferingHints.SizeInMBs must be between 1 and 128, got {size_mb}")
    if not 0 <= interval <= 900:
        raise refuse(f"BufferingHints.IntervalInSeconds must be between 0 and 900, got {interval}")
    processors = _processors(config) if extended else {}
    conversion = _conversion(config) if extended else None
    partitioned = bool(((config.get("DynamicPartitioningConfiguration") or {}).get("Enabled")))
    destination = Destination(
        bucket=config["BucketARN"].split(":::")[-1], prefix=config.get("Prefix") or "",
        error_prefix=config.get("ErrorOutputPrefix") or "", role_arn=config.get("RoleARN", ""),
        size_bytes=size_mb * MIB, interval_seconds=interval,
        compression=config.get("CompressionFormat") or "UNCOMPRESSED",
        file_extension=config.get("FileExtension") or "", dynamic_partitioning=partitioned,
        conversion=conversion, time_zone=config.get("CustomTimeZone") or "UTC", **_logging(config), **processors)
    _check(destination, size_mb, config)
    return destination


def _check(destination: Destination, size_mb: int, config: dict[str, Any]) -> None:
    if destination.compression not in COMPRESSIONS:
        raise refuse(f"CompressionFormat {destination.compression!r} is not one of {', '.join(COMPRESSIONS)}")
    if destination.conversion and destination.compression != "UNCOMPRESSED":
        raise refuse("CompressionFormat must be UNCOMPRESSED when data format conversion is enabled: "
                     "compress with the serializer's Compression instead")
    if (destination.conversion or destination.dynamic_partitioning) and size_mb < 64:
        raise refuse("BufferingHints.SizeInMBs must be at least 64 when data format conversion or dynamic "
                     f"partitioning is enabled, got {size_mb}")
    if destination.dynamic_partitioning and destination.interval_seconds == 0:
        raise refuse("BufferingHints.IntervalInSeconds cannot be 0: zero buffering is not available for "
                     "dynamic partitioning")
    _check_time_zone(destination.time_zone)
    if destination.dynamic_partitioning and not destination.error_prefix:
        raise refuse("ErrorOutputPrefix is required when dynamic partitioning is enabled")
    if destination.partition_query and not destination.dynamic_partitioning:
        raise refuse("MetadataExtraction processing needs DynamicPartitioningConfiguration.Enabled")
    if destination.dynamic_partitioning and "!{partitionKeyFrom" not in destination.prefix:
        raise refuse("Prefix must use !{partitionKeyFromQuery:...} when dynamic partitioning is enabled")
    if "!{partitionKeyFromLambda:" in destination.prefix:
        raise refuse("the emulator does not run partitionKeyFromLambda: use partitionKeyFromQuery")
    for key in partitioning.keys_in(destination.prefix):
        if key not in destination.partition_query:
            raise refuse(f"Prefix uses !{{partitionKeyFromQuery:{key}}} but MetadataExtractionQuery defines no {key!r}")
    if config.get("S3BackupMode", "Disabled") != "Disabled":
        raise refuse("the emulator does not run S3 backup (S3BackupMode Enabled)")


def _logging(config: dict[str, Any]) -> dict[str, str]:
    options = config.get("CloudWatchLoggingOptions") or {}
    if not options.get("Enabled"):
        return {}
    return {"log_group": options.get("LogGroupName", ""), "log_stream": options.get("LogStreamName", "")}


def _check_time_zone(name: str) -> None:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise refuse(f"CustomTimeZone {name!r} is not a time zone Firehose supports") from None


def _processors(config: dict[str, Any]) -> dict[str, Any]:
    processing = config.get("ProcessingConfiguration") or {}
    if not processing.get("Enabled"):
        return {}
    found: dict[str, Any] = {}
    for processor in processing.get("Processors") or []:
        kind = processor.get("Type")
        parameters = {p["ParameterName"]: p["ParameterValue"] for p in processor.get("Parameters") or []}
        if kind not in KNOWN_PROCESSORS:
            raise refuse(f"processor type {kind!r} is not one of {', '.join(KNOWN_PROCESSORS)}")
        if kind == "RecordDeAggregation":
            raise refuse("the emulator does not de-aggregate KPL records (RecordDeAggregation)")
        if kind == "Lambda":
            found.update(lambda_arn=parameters["LambdaArn"], lambda_retries=int(parameters.get("NumberOfRetries", 3)),
                         lambda_batch_bytes=int(float(parameters.get("BufferSizeInMBs", 1)) * MIB))
        elif kind == "MetadataExtraction":
            engine = parameters.get("JsonParsingEngine", "JQ-1.6")
            if engine != "JQ-1.6":
                raise refuse(f"JsonParsingEngine must be JQ-1.6, got {engine!r}")
            found["partition_query"] = partitioning.parse(parameters.get("MetadataExtractionQuery", ""))
        elif kind == "AppendDelimiterToRecord":
            found["append_delimiter"] = True
    return found


def _conversion(config: dict[str, Any]) -> Conversion | None:
    conversion = config.get("DataFormatConversionConfiguration") or {}
    if not conversion or conversion.get("Enabled") is False:
        return None
    input_serde = (conversion.get("InputFormatConfiguration") or {}).get("Deserializer") or {}
    output_serde = (conversion.get("OutputFormatConfiguration") or {}).get("Serializer") or {}
    if "HiveJsonSerDe" in input_serde:
        raise refuse("the emulator reads JSON with the OpenX JSON SerDe only (HiveJsonSerDe is not run)")
    output = "parquet" if "ParquetSerDe" in output_serde else "orc" if "OrcSerDe" in output_serde else ""
    if not output:
        raise refuse("OutputFormatConfiguration.Serializer needs ParquetSerDe or OrcSerDe")
    schema = conversion.get("SchemaConfiguration") or {}
    if not schema.get("DatabaseName") or not schema.get("TableName"):
        raise refuse("SchemaConfiguration needs DatabaseName and TableName")
    openx = input_serde.get("OpenXJsonSerDe") or {}
    serde = output_serde.get("ParquetSerDe" if output == "parquet" else "OrcSerDe") or {}
    return Conversion(output, schema["DatabaseName"], schema["TableName"], schema.get("Region", ""),
                      schema.get("CatalogId", ""), schema.get("VersionId", "LATEST"),
                      (serde.get("Compression") or "SNAPPY").upper(), openx.get("CaseInsensitive", True))
