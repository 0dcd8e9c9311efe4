"""UNLOAD to S3 as the command's IAM role: text, CSV or Parquet, PARTITION BY, MANIFEST.

(https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html) Files are named as Redshift names
them for one slice: ``<prefix>0000_part_00`` (``.parquet`` for Parquet, ``.gz`` when gzipped), or
``<prefix>000`` with ``PARALLEL OFF``; partitions go under ``<prefix><col>=<value>/`` and leave their
columns out of the files unless ``INCLUDE``. ``MANIFEST`` writes ``<prefix>manifest`` (with sizes,
row counts and the schema under ``VERBOSE``). A destination that already holds objects is refused
unless ``ALLOWOVERWRITE`` (or ``CLEANPATH``, which first removes them; with ``PARTITION BY`` only from
the partition folders this UNLOAD writes to); the two options together are refused, as is a ``LIMIT``
on the outer SELECT (both documented; the messages are worded here). NULL is written as an empty
field unless ``NULL AS``. A real cluster writes a file per slice and splits files at ``MAXFILESIZE``
(6.2 GB by default): here one file per partition.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from typing import TYPE_CHECKING, Any

from lakelab.emulator.common import s3_objects
from lakelab.emulator.services.redshift import dialect, options, results

if TYPE_CHECKING:
    from lakelab.emulator.services.redshift.statements import Run

_UNLOAD = re.compile(r"(?is)^\s*UNLOAD\s*\(\s*'((?:[^']|'')*)'\s*\)\s*TO\s+'([^']*)'(.*)$")
_NOT_EMPTY = ("Specified unload destination on S3 is not empty. Consider using a different bucket / prefix, "
              "manually removing the target files in S3, or using the ALLOWOVERWRITE option.")


def is_unload(sql: str) -> bool:
    return dialect.first_words(sql, 1) == ["UNLOAD"]


def unload(run: Run, sql: str) -> int:
    """Run an UNLOAD; the number of rows written."""
    match = _UNLOAD.match(sql)
    if not match:
        raise dialect.syntax_error(sql, None)
    query, destination = match.group(1).replace("''", "'"), match.group(2)
    found = options.parse(match.group(3))
    role = options.role_of(run.target, found, run.user)
    try:
        bucket, prefix = s3_objects.split_uri(destination)
    except ValueError:
        raise dialect.error(f"Invalid S3 location: {destination}") from None
    if found.has("CLEANPATH") and found.has("ALLOWOVERWRITE"):
        # AWS: "You can't specify the CLEANPATH option if you specify the ALLOWOVERWRITE option" (r_UNLOAD).
        raise dialect.error("CLEANPATH and ALLOWOVERWRITE options are mutually exclusive")  # worded here
    table = run.query_arrow(query)
    for column in found.columns:
        if column not in table.column_names:
            raise dialect.error(f'column "{column}" does not exist')  # PARTITION BY a column not in the query
    account = run.target.account_id
    groups = _partitions(table, found)
    with options.as_role(role):
        try:
            _clear(bucket, prefix, found, account, [prefix + folder for folder in groups] if found.columns else [])
            written = _write_all(table, bucket, prefix, found, account, groups)
            if found.has("MANIFEST"):
                _manifest(bucket, prefix, written, table, found, account)
        except PermissionError as denied:
            raise options.s3_denied(destination, denied) from None
    return table.num_rows


def _clear(bucket: str, prefix: str, found: options.Options, account: str, folders: list[str]) -> None:
    """Refuse a destination holding objects, or empty it (CLEANPATH): the partition ``folders`` only, if any."""
    try:
        existing = [key for key, _ in s3_objects.iter_objects(bucket, prefix, account_id=account)]
    except PermissionError:
        raise
    except Exception:
        raise dialect.error(f"S3ServiceException:The specified bucket does not exist,Status 404,Error NoSuchBucket "
                            f"({bucket})") from None
    if not existing:
        return
    if found.has("CLEANPATH"):
        for key in existing:
            if not folders or key.startswith(tuple(folders)):
                s3_objects.delete(bucket, key, account_id=account)
    elif not found.has("ALLOWOVERWRITE"):
        raise dialect.error(_NOT_EMPTY)


def _partitions(table: Any, found: options.Options) -> dict[str, list[int]]:
    """The rows of each partition folder (``country=DE/``), in the folders' order; none without PARTITION BY."""
    if not found.columns:
        return {}
    groups: dict[tuple[Any, ...], list[int]] = {}
    for index, key in enumerate(table.select(found.columns).to_pylist()):
        groups.setdefault(tuple(key[c] for c in found.columns), []).append(index)
    folders = {}
    for values in sorted(groups, key=lambda v: tuple("" if x is None else str(x) for x in v)):
        folder = "".join(f"{c}={'__HIVE_DEFAULT_PARTITION__' if v is None else results.text(v)}/"
                         for c, v in zip(found.columns, values))
        folders[folder] = groups[values]
    return folders


def _write_all(table: Any, bucket: str, prefix: str, found: options.Options, account: str,
               groups: dict[str, list[int]]) -> list[tuple[str, int, int]]:
    """Write the files; (key, bytes, rows) of each."""
    if not found.columns:
        return [_write(table, bucket, prefix, found, account)]
    import pyarrow.compute as pc

    kept = table if found.has("INCLUDE") else table.drop_columns(found.columns)
    return [_write(kept.take(pc.cast(rows, "int64")), bucket, prefix + folder, found, account)
            for folder, rows in groups.items()]


def _write(table: Any, bucket: str, prefix: str, found: options.Options, account: str) -> tuple[str, int, int]:
    serial = found.get("PARALLEL", "ON").upper() in ("OFF", "FALSE")
    name = "000" if serial else "0000_part_00"
    if found.has("PARQUET"):
        import pyarrow.parquet as pq

        buffer = io.BytesIO()
        pq.write_table(table, buffer, compression="snappy")
        data, name = buffer.getvalue(), name + ".parquet"
    elif found.has("JSON"):
        data = "".join(json.dumps({k: _json_value(v) for k, v in row.items()}) + "\n"
                       for row in table.to_pylist()).encode()
    else:
        data = _delimited(table, found)
    if found.has("GZIP"):
        data, name = gzip.compress(data), name + ".gz"
    extension = found.get("EXTENSION")
    if extension:
        name += "." + extension.lstrip(".")
    s3_objects.write_bytes(bucket, prefix + name, data, account_id=account)
    return prefix + name, len(data), table.num_rows


def _json_value(value: Any) -> Any:
    return value if value is None or isinstance(value, (bool, int, float, str)) else results.text(value)


def _delimited(table: Any, found: options.Options) -> bytes:
    as_csv = found.has("CSV")
    delimiter = found.get("DELIMITER", "," if as_csv else "|") or "|"
    null = found.get("NULL", "")
    buffer = io.StringIO()
    quoting = csv.QUOTE_ALL if found.has("ADDQUOTES") else csv.QUOTE_MINIMAL if as_csv else csv.QUOTE_NONE
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator="\n",
                        escapechar=None if as_csv else "\\")
    if found.has("HEADER"):
        writer.writerow(table.column_names)
    for row in zip(*[column.to_pylist() for column in table.columns]):
        writer.writerow([null if v is None else results.text(v) for v in row])
    return buffer.getvalue().encode()


def _manifest(bucket: str, prefix: str, written: list[tuple[str, int, int]], table: Any, found: options.Options,
              account: str) -> None:
    verbose = found.get("MANIFEST").upper() == "VERBOSE"
    entries = []
    for key, size, rows in written:
        entry: dict[str, Any] = {"url": f"s3://{bucket}/{key}"}
        if verbose:
            entry["meta"] = {"content_length": size, "record_count": rows}
        entries.append(entry)
    manifest: dict[str, Any] = {"entries": entries}
    if verbose:
        manifest["schema"] = {"elements": [{"name": f.name, "type": {"base": _base_type(f.type)}}
                                           for f in table.schema]}
        manifest["meta"] = {"content_length": sum(s for _, s, _ in written),
                            "record_count": sum(r for _, _, r in written)}
        manifest["author"] = {"name": "Amazon Redshift", "version": "1.0.0"}
    s3_objects.write_bytes(bucket, prefix + "manifest", json.dumps(manifest, indent=1).encode(), account_id=account)


def _base_type(arrow_type: Any) -> str:
    import pyarrow as pa

    if pa.types.is_integer(arrow_type):
        return "bigint" if arrow_type.bit_width == 64 else "integer"
    if pa.types.is_floating(arrow_type):
        return "double precision"
    if pa.types.is_decimal(arrow_type):
        return "numeric"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp without time zone"
    return "character varying"
