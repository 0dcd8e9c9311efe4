"""An S3 target endpoint: where DMS's files go, what they hold, and writing them as the endpoint's role.

Layout and names as the DMS user guide's S3 target page gives them
(https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.S3.html): full-load files
``<BucketFolder>/<schema>/<table>/LOAD00000001.csv`` (a hexadecimal counter), CDC files named after
the moment they are written, ``20240701-120000123.csv`` (``yyyyMMdd-HHmmssSSS``, UTC), and with
``DatePartitionEnabled`` under ``YYYY/MM/DD/`` (``DatePartitionSequence`` and
``DatePartitionDelimiter`` honoured) of the commit date. CSV rows carry ``Op`` first (always for
CDC; for the full load with ``IncludeOpForFullLoad``), then the ``TimestampColumnName`` column,
then the table's columns, with no header row unless ``AddColumnName``; quoting is RFC 4180, NULL
is empty. ``CdcPath`` (without ``PreserveTransactions``) puts the CDC files under
``<BucketFolder>/<CdcPath>/<schema>/<table>/`` (unverified: DMS documents CdcPath for
transaction-ordered files). Parquet files type the columns from PostgreSQL's types.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from lakelab.emulator import context, identity

SESSION_NAME = "dms-s3-target"
_SEQUENCES = {"YYYYMMDD": "%Y|%m|%d", "YYYYMMDDHH": "%Y|%m|%d|%H", "YYYYMM": "%Y|%m", "MMYYYYDD": "%m|%Y|%d",
              "DDMMYYYY": "%d|%m|%Y"}
_DELIMITERS = {"SLASH": "/", "UNDERSCORE": "_", "DASH": "-", "NONE": ""}
REFUSED = ("PreserveTransactions", "CdcInsertsOnly", "CdcInsertsAndUpdates", "CompressionType", "EncryptionMode",
           "AddTrailingPaddingCharacter", "GlueCatalogGeneration", "UseTaskStartTimeForFullLoadTimestamp")


class TargetError(RuntimeError):
    """The target refused a write; the message is what DMS reports."""


def _flag(value: Any) -> bool:
    return str(value).lower() in ("true", "y", "1") if value is not None else False


@dataclass(frozen=True)
class Settings:
    bucket: str
    folder: str
    role_arn: str
    data_format: str  # csv or parquet
    include_op_for_full_load: bool
    timestamp_column: str
    cdc_path: str
    date_partitions: bool
    date_sequence: str
    date_delimiter: str
    delimiter: str
    row_delimiter: str
    add_column_name: bool
    batch_interval: float  # CdcMaxBatchInterval, seconds

    @property
    def extension(self) -> str:
        return "parquet" if self.data_format == "parquet" else "csv"


def settings_of(endpoint: Any) -> Settings:
    given = endpoint.s3_settings or {}
    return Settings(
        bucket=given.get("BucketName", ""), folder=(given.get("BucketFolder") or "").strip("/"),
        role_arn=given.get("ServiceAccessRoleArn") or endpoint.service_access_role_arn or "",
        data_format=(given.get("DataFormat") or "csv").lower(),
        include_op_for_full_load=_flag(given.get("IncludeOpForFullLoad")),
        timestamp_column=given.get("TimestampColumnName") or "", cdc_path=(given.get("CdcPath") or "").strip("/"),
        date_partitions=_flag(given.get("DatePartitionEnabled")),
        date_sequence=(given.get("DatePartitionSequence") or "YYYYMMDD").upper(),
        date_delimiter=(given.get("DatePartitionDelimiter") or "SLASH").upper(),
        delimiter=given.get("CsvDelimiter") or ",", row_delimiter=(given.get("CsvRowDelimiter") or "\\n"),
        add_column_name=_flag(given.get("AddColumnName")),
        batch_interval=float(given.get("CdcMaxBatchInterval") or 60))


def check(given: dict[str, Any], role_arn: str | None) -> str | None:
    """Why DMS (or the emulator, by name) refuses these S3 settings at create; None when they are fine."""
    if not given.get("BucketName"):
        return "S3Settings.BucketName is required for an s3 endpoint"
    if not (given.get("ServiceAccessRoleArn") or role_arn):
        return "S3Settings.ServiceAccessRoleArn is required for an s3 endpoint"
    if (given.get("DataFormat") or "csv").lower() not in ("csv", "parquet"):
        return f"Invalid value for DataFormat: {given.get('DataFormat')} (csv or parquet)"
    if (given.get("DatePartitionSequence") or "YYYYMMDD").upper() not in _SEQUENCES:
        return f"Invalid value for DatePartitionSequence: {given.get('DatePartitionSequence')}"
    if (given.get("DatePartitionDelimiter") or "SLASH").upper() not in _DELIMITERS:
        return f"Invalid value for DatePartitionDelimiter: {given.get('DatePartitionDelimiter')}"
    for name in REFUSED:
        if given.get(name) not in (None, False, "false", "NONE", "none", "", "SSE_S3"):
            return f"S3Settings.{name} is not supported by the local emulator's DMS"
    return None


# --- keys --------------------------------------------------------------------------------------


def load_key(settings: Settings, schema: str, table: str, number: int) -> str:
    return _join(settings.folder, schema, table, f"LOAD{number:08X}.{settings.extension}")


def cdc_key(settings: Settings, schema: str, table: str, written: dt.datetime, committed: str) -> str:
    name = written.strftime("%Y%m%d-%H%M%S") + f"{written.microsecond // 1000:03d}.{settings.extension}"
    parts = [settings.folder, settings.cdc_path, schema, table]
    if settings.date_partitions:
        moment = dt.datetime.strptime(committed[:19], "%Y-%m-%d %H:%M:%S") if committed else written
        parts.append(moment.strftime(_SEQUENCES[settings.date_sequence]).replace(
            "|", _DELIMITERS[settings.date_delimiter]))
    return _join(*parts, name)


def _join(*parts: str) -> str:
    return "/".join(part for part in parts if part)


# --- bodies ------------------------------------------------------------------------------------


def body(settings: Settings, header: list[str], types: list[str], records: list[list[str | None]]) -> bytes:
    """One file's bytes: ``records`` are whole rows (Op and timestamp included when present)."""
    if settings.data_format == "parquet":
        return _parquet(header, types, records)
    text = io.StringIO()
    writer = csv.writer(text, delimiter=settings.delimiter,
                        lineterminator=settings.row_delimiter.replace("\\n", "\n").replace("\\r", "\r"))
    if settings.add_column_name:
        writer.writerow(header)
    for record in records:
        writer.writerow(["" if value is None else value for value in record])
    return text.getvalue().encode("utf-8")


def _parquet(header: list[str], types: list[str], records: list[list[str | None]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = []
    for index, kind in enumerate(types):
        strings = pa.array([record[index] for record in records], type=pa.string())
        arrays.append(_typed(strings, kind))
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=header), sink)
    return sink.getvalue()


def _typed(strings: Any, kind: str) -> Any:
    import pyarrow as pa

    base = kind.split("(")[0].strip()
    target = {"smallint": pa.int16(), "integer": pa.int32(), "bigint": pa.int64(), "real": pa.float32(),
              "double precision": pa.float64(), "boolean": pa.bool_(), "date": pa.date32(),
              "timestamp without time zone": pa.timestamp("us"), "dms timestamp": pa.timestamp("us")}.get(base)
    if base == "numeric" and "(" in kind:
        precision, _, scale = kind[kind.index("(") + 1:-1].partition(",")
        target = pa.decimal128(int(precision), int(scale or 0))
    if base.startswith("timestamp") and kind.startswith("timestamp") and "without" in kind:
        target = pa.timestamp("us")
    if target is None:
        return strings
    if target == pa.bool_():
        strings = pa.array([None if value is None else value in ("true", "t") for value in strings.to_pylist()])
        return strings
    try:
        return strings.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return strings


# --- writing as the role -------------------------------------------------------------------------


def write(settings: Settings, key: str, data: bytes, account_id: str) -> None:
    """Put one object as the endpoint's ServiceAccessRoleArn (IAM evaluated, as Firehose writes as its role)."""
    from lakelab.emulator.common import s3_objects

    session = identity.role_session(settings.role_arn, SESSION_NAME, invoked_by="dms.amazonaws.com")
    with context.acting_as(session, invoked_by="dms.amazonaws.com"):
        try:
            s3_objects.write_bytes(settings.bucket, key, data, account_id)
        except PermissionError as error:
            raise TargetError(f"Failed to upload file to S3 bucket '{settings.bucket}': Access Denied ({error})") from None
        except Exception as error:
            if type(error).__name__ in ("MissingBucket", "NoSuchBucket"):
                raise TargetError(f"Failed to upload file to S3 bucket '{settings.bucket}': "
                                  "The specified bucket does not exist") from None
            raise
