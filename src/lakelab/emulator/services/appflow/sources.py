"""What a run reads: objects under an S3 prefix, or a CRM object (the stand-in for Salesforce).

S3: every object under ``bucketPrefix`` (AppFlow reads a folder: the prefix ``orders`` reads
``orders/...``), CSV with a header row (every value text) or JSON Lines (``s3InputFileType``, CSV
by default; "each file must have a header row"); an object over 125 MB or one that does not parse
fails the run with the object's key (https://docs.aws.amazon.com/appflow/latest/userguide/s3.html). Salesforce: the
object's records; with an incremental pull only those whose datetime field (``LastModifiedDate``)
is after the previous successful run's pull ended (or ``firstExecutionFrom`` for the first run).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.appflow import crm
from lakelab.emulator.services.appflow.errors import AppflowError


# "Each source file should not exceed 125 MB in size" (https://docs.aws.amazon.com/appflow/latest/userguide/s3.html).
MAX_SOURCE_FILE_BYTES = 125 * 2**20


class RunFailed(Exception):
    """A run's error, reported in its execution record."""


def read_s3(account_id: str, properties: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The records under the source prefix and the bytes read."""
    try:
        bucket = seam.backend("s3", account_id).get_bucket(properties["bucketName"])
    except seam.MissingBucket:
        raise RunFailed(f"The source bucket {properties['bucketName']} does not exist.") from None
    prefix = (properties.get("bucketPrefix") or "").strip("/")
    file_type = ((properties.get("s3InputFormatConfig") or {}).get("s3InputFileType")) or "CSV"
    records, size = [], 0
    for key, found in sorted(bucket.keys.items()):
        if prefix and not (key == prefix or key.startswith(prefix + "/")) or key.endswith("/"):
            continue
        body = found.value
        if len(body) > MAX_SOURCE_FILE_BYTES:
            raise RunFailed(f"The source file {key} is {len(body) / 2**20:.0f} MB: each source file must not exceed "
                            "125 MB.")
        size += len(body)
        records += _parse(key, body, file_type)
    return records, size


def _parse(key: str, body: bytes, file_type: str) -> list[dict[str, Any]]:
    try:
        text = body.decode("utf-8-sig")
        if file_type == "JSON":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        return [dict(row) for row in csv.DictReader(io.StringIO(text))]
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as error:
        raise RunFailed(f"The source file {key} is not valid {file_type}: {error}.") from None


def read_crm(account_id: str, region: str, object_name: str, field: str | None,
             since: dt.datetime | None, until: dt.datetime) -> tuple[list[dict[str, Any]], int]:
    """The object's records (modified after ``since`` and by ``until``, when ``field`` is given)."""
    try:
        rows = crm.records(account_id, region, object_name)
    except AppflowError as error:
        raise RunFailed(error.message) from None
    if field:
        rows = [r for r in rows if r.get(field) and _within(crm.parse_datetime(r[field]), since, until)]
    return rows, sum(len(json.dumps(r)) for r in rows)


def _within(moment: dt.datetime, since: dt.datetime | None, until: dt.datetime) -> bool:
    return (since is None or moment > since) and moment <= until


def typed(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Salesforce's numbers as numbers (CRM records are kept as text)."""
    out = []
    for record in records:
        converted = dict(record)
        for field, kind in crm.FIELD_TYPES.items():
            value = converted.get(field)
            if isinstance(value, str):
                converted[field] = None if value == "" else int(float(value)) if kind == "int" else float(value)
        out.append(converted)
    return out
