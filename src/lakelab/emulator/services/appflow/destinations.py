"""Where a run's records land in S3, and in which format.

Layout (AppFlow's API reference names the parts, not their exact spelling: unverified beyond that):
``<bucketPrefix>/<flowName>/`` then, for ``prefixType`` ``PATH`` or ``PATH_AND_FILENAME``, the run's
UTC date down to ``prefixFormat`` (``2024/07/05`` for ``DAY``, ``.../14`` for ``HOUR``, ``.../14/30``
for ``MINUTE``), then the ``pathPrefixHierarchy`` folders (``<executionId>``,
``schemaVersion_<n>``; without a ``pathPrefixHierarchy`` the execution id, AppFlow's default).
``FILENAME`` and ``PATH_AND_FILENAME`` also start each file name with the date
(``2024-07-05T14:30-``, cut to ``prefixFormat``). Files are named ``part-<n>-<executionId>`` plus
``.csv``, ``.jsonl`` or ``.parquet``.
``FileType``: CSV with a header row; JSON as one object per line; PARQUET with every column a string
unless ``preserveSourceDataTyping`` (then Salesforce's numbers stay numbers). ``AggregationConfig``:
``SingleFile`` writes one file; ``None`` (the default) one file per ``targetFileSize`` MB of records
(128 MB when unset) -- a small run writes one file either way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from lakelab.emulator import seam

EXTENSIONS = {"CSV": ".csv", "JSON": ".jsonl", "PARQUET": ".parquet"}
_DATE_PARTS = ("YEAR", "MONTH", "DAY", "HOUR", "MINUTE")


def folder(flow_name: str, properties: dict[str, Any], execution_id: str, schema_version: int,
           moment: dt.datetime) -> tuple[str, str]:
    """The key prefix a run writes under, and the date prefix of its file names."""
    output = properties.get("s3OutputFormatConfig") or {}
    prefix_config = output.get("prefixConfig") or {}
    kind, granularity = prefix_config.get("prefixType"), prefix_config.get("prefixFormat")
    parts = [p for p in (properties.get("bucketPrefix") or "").strip("/").split("/") if p] + [flow_name]
    if kind in ("PATH", "PATH_AND_FILENAME") and granularity:
        parts += _date_parts(moment, granularity)
    hierarchy = prefix_config.get("pathPrefixHierarchy")
    for element in (["EXECUTION_ID"] if hierarchy is None else hierarchy):
        parts.append(execution_id if element == "EXECUTION_ID" else f"schemaVersion_{schema_version}")
    file_prefix = ""
    if kind in ("FILENAME", "PATH_AND_FILENAME") and granularity:
        stamp = moment.strftime("%Y-%m-%dT%H:%M")
        file_prefix = stamp[: {"YEAR": 4, "MONTH": 7, "DAY": 10, "HOUR": 13, "MINUTE": 16}[granularity]] + "-"
    return "/".join(parts) + "/", file_prefix


def _date_parts(moment: dt.datetime, granularity: str) -> list[str]:
    values = [f"{moment.year:04d}", f"{moment.month:02d}", f"{moment.day:02d}", f"{moment.hour:02d}",
              f"{moment.minute:02d}"]
    return values[: _DATE_PARTS.index(granularity) + 1]


def encode(records: list[dict[str, Any]], file_type: str, typed: bool) -> bytes:
    """``records`` as a file of ``file_type``; ``typed`` keeps numbers as numbers in Parquet."""
    fields = list(dict.fromkeys(field for record in records for field in record))
    if file_type == "CSV":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(fields)
        for record in records:
            writer.writerow(["" if record.get(f) is None else record.get(f) for f in fields])
        return out.getvalue().encode()
    if file_type == "JSON":
        return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records).encode()
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {f: [r.get(f) if typed or r.get(f) is None else str(r.get(f)) for r in records] for f in fields}
    sink = io.BytesIO()
    pq.write_table(pa.table(columns), sink)
    return sink.getvalue()


def chunks(records: list[dict[str, Any]], output: dict[str, Any]) -> list[list[dict[str, Any]]]:
    aggregation = output.get("aggregationConfig") or {}
    if aggregation.get("aggregationType") == "SingleFile" or not records:
        return [records]
    limit = int(aggregation.get("targetFileSize") or 128) * 1024 * 1024
    groups: list[list[dict[str, Any]]] = [[]]
    size = 0
    for record in records:
        length = len(json.dumps(record))
        if groups[-1] and size + length > limit:
            groups.append([])
            size = 0
        groups[-1].append(record)
        size += length
    return groups


def write(account_id: str, properties: dict[str, Any], flow_name: str, execution_id: str, schema_version: int,
          records: list[dict[str, Any]], typed: list[dict[str, Any]], moment: dt.datetime) -> tuple[int, list[str]]:
    """Write the run's records; returns the bytes written and the keys. ``typed``: the same records, typed."""
    output = properties.get("s3OutputFormatConfig") or {}
    file_type = output.get("fileType") or "JSON"
    keep_types = file_type == "JSON" or bool(output.get("preserveSourceDataTyping"))
    key_prefix, file_prefix = folder(flow_name, properties, execution_id, schema_version, moment)
    backend, written, keys = seam.backend("s3", account_id), 0, []
    if not records:
        return 0, []  # AppFlow writes no file for a run that transfers no record
    for number, group in enumerate(chunks(typed if keep_types else records, output)):
        body = encode(group, file_type, keep_types)
        key = f"{key_prefix}{file_prefix}part-{number:05d}-{execution_id}{EXTENSIONS[file_type]}"
        backend.put_object(properties["bucketName"], key, body)
        written += len(body)
        keys.append(key)
    return written, keys
