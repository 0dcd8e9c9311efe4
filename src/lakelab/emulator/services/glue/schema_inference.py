"""Classify one S3 object and infer its schema as Glue's built-in classifiers do.

Glue tries its classifiers in order (Parquet, then JSON, ..., then CSV) and the first that
recognises the file gives its classification, SerDe and schema. Like Glue, only the beginning
of a text file is read (``SAMPLE_BYTES``, at most ``SAMPLE_ROWS`` records); record counts of
files larger than the sample are estimated from it, as Glue's ``recordCount`` is. Parquet is
read from its footer only, by the engine's footer reader, and typed by its type model.

Types are kept as small values so that schemas of many files can be merged: a Hive primitive
name (``"bigint"``), ``None`` for "only nulls seen", ``("array", element)``,
``("struct", ((name, type), ...))`` or ``("map", key, value)``.
"""

from __future__ import annotations

import bz2
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator.common import s3_objects
from lakelab.emulator.engine import parquet, types
from lakelab.emulator.services.glue.csv_classifier import classify_csv

SAMPLE_BYTES = 1 << 20
SAMPLE_ROWS = 1000

TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"


class Unclassifiable(Exception):
    """No built-in classifier recognises the file; the message says why, for the crawler log."""


@dataclass(frozen=True)
class Format:
    """What must be equal for files to share a table (Glue's "data compatibility")."""

    classification: str
    compression: str
    serde: str
    input_format: str
    output_format: str
    serde_parameters: tuple[tuple[str, str], ...] = ()
    table_parameters: tuple[tuple[str, str], ...] = ()


@dataclass
class FileSchema:
    key: str
    size: int
    format: Format
    columns: dict[str, Any]  # catalog column name -> type, in file order
    records: int
    source_names: set[str] = field(default_factory=set)  # JSON keys as written, for the SerDe's paths


def infer_file(bucket: str, key: str, size: int, account_id: str) -> FileSchema:
    """Classify ``s3://bucket/key``; raise ``Unclassifiable`` for empty, binary or malformed files."""
    if size == 0:
        raise Unclassifiable("the file is empty")
    head = s3_objects.read_range(bucket, key, 0, SAMPLE_BYTES, account_id)
    if head[:4] == b"PAR1":
        return _parquet(bucket, key, size, account_id)
    for magic, name in ((b"Obj\x01", "Avro"), (b"ORC", "ORC")):
        if head.startswith(magic):
            raise Unclassifiable(f"{name} files are not classified by the emulator's crawler")
    compression, data, complete, total_bytes = _decompress(head, size)
    text = _decode(data, complete)
    if text.lstrip().startswith(("{", "[")):
        return _json(key, size, text, complete, total_bytes, compression)
    csv = classify_csv(text, complete, SAMPLE_ROWS)
    fmt = Format("csv", compression, csv.serde, TEXT_INPUT, TEXT_OUTPUT, csv.serde_parameters, csv.table_parameters)
    records = _estimate(csv.records, csv.bytes_used, complete, total_bytes)
    return FileSchema(key, size, fmt, csv.columns, records)


def _decompress(head: bytes, size: int) -> tuple[str, bytes, bool, float]:
    """(compressionType, sample text, whether it is the whole file, estimated text size of the file)."""
    whole = len(head) >= size
    if head[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            data = inflater.decompress(head, SAMPLE_BYTES)
        except zlib.error:
            raise Unclassifiable("a damaged gzip file") from None
        used = len(head) - len(inflater.unconsumed_tail)
        return "gzip", data, whole and inflater.eof, len(data) * size / max(used, 1)
    if head[:3] == b"BZh":
        inflater = bz2.BZ2Decompressor()
        try:
            data = inflater.decompress(head, SAMPLE_BYTES)
        except OSError:
            raise Unclassifiable("a damaged bzip2 file") from None
        return "bzip2", data, whole and inflater.eof, len(data) * size / len(head)
    return "none", head, whole, float(size)


def _decode(data: bytes, complete: bool) -> str:
    """The sample as text; binary data raises. A few undecodable bytes (a Latin-1 "é") are kept
    as replacement characters, as a text file with a stray byte is still a text file."""
    text = data.decode("utf-8", errors="replace")
    if not complete:
        text = text.rstrip("\ufffd")  # the sample may end inside a multi-byte character
    window = text[:65536]
    junk = window.count("\ufffd") + sum(1 for char in window if char < " " and char not in "\t\n\r\x01")
    if junk > max(2, len(window) // 100):
        raise Unclassifiable("binary data that no built-in classifier recognises")
    return text.removeprefix("\ufeff")


def _estimate(records: int, bytes_used: int, complete: bool, total_bytes: float) -> int:
    """Glue counts the sample's records and extrapolates to the size of the file."""
    if complete or bytes_used == 0:
        return records
    return max(records, round(records * total_bytes / bytes_used))


# --- JSON ---------------------------------------------------------------------------------


def _json(key: str, size: int, text: str, complete: bool, total_bytes: float, compression: str) -> FileSchema:
    rows, consumed = _json_records(text, complete)
    columns: dict[str, Any] = {}
    source_names: set[str] = set()
    for row in rows:
        for name, value in row.items():
            source_names.add(name)
            column = name.lower()
            columns[column] = merge_types(columns.get(column), json_type(value))
    fmt = Format("json", compression, JSON_SERDE, TEXT_INPUT, TEXT_OUTPUT)
    records = _estimate(len(rows), len(text[:consumed].encode()), complete, total_bytes)
    return FileSchema(key, size, fmt, columns, records, source_names)


def _json_records(text: str, complete: bool) -> tuple[list[dict[str, Any]], int]:
    """Objects one after another (JSON Lines, or pretty-printed one after the other)."""
    decoder, rows, position = json.JSONDecoder(), [], 0
    while len(rows) < SAMPLE_ROWS:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            break
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            if not complete and rows:
                break  # the sample ends inside a record
            line = text.count("\n", 0, error.pos) + 1
            raise Unclassifiable(f"invalid JSON at line {line}: {error.msg}") from None
        if isinstance(value, list):
            raise Unclassifiable("a top-level JSON array (Glue needs a custom JSON classifier with path $[*])")
        if not isinstance(value, dict):
            raise Unclassifiable("JSON values that are not objects")
        rows.append(value)
    return rows, position


def json_type(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int" if -(2**31) <= value < 2**31 else "bigint"
    if isinstance(value, float):
        return "double"
    if isinstance(value, list):
        element = None
        for item in value:
            element = merge_types(element, json_type(item))
        return ("array", element)
    if isinstance(value, dict):
        return ("struct", tuple((name, json_type(item)) for name, item in value.items()))
    return "string"


# --- merging and rendering types ------------------------------------------------------------

_WIDER_NUMBER = {"tinyint": 0, "smallint": 1, "int": 2, "bigint": 3, "float": 4, "double": 5}


def merge_types(left: Any, right: Any) -> Any:
    """The type both values fit in, as Glue widens across records and files."""
    if left is None or left == right:
        return right if left is None else left
    if right is None:
        return left
    if left in _WIDER_NUMBER and right in _WIDER_NUMBER:
        return max(left, right, key=_WIDER_NUMBER.__getitem__)
    if isinstance(left, tuple) and isinstance(right, tuple) and left[0] == right[0]:
        if left[0] == "array":
            return ("array", merge_types(left[1], right[1]))
        if left[0] == "struct":
            fields = dict(left[1])
            for name, kind in right[1]:
                fields[name] = merge_types(fields.get(name), kind)
            return ("struct", tuple(fields.items()))
    return "string"


def hive_type(kind: Any) -> str:
    """``("struct", (("a", "int"),))`` -> ``struct<a:int>``; types seen only as null are strings."""
    if kind is None:
        return "string"
    if isinstance(kind, str):
        return kind
    if kind[0] == "array":
        return f"array<{hive_type(kind[1])}>"
    if kind[0] == "map":
        return f"map<{hive_type(kind[1])},{hive_type(kind[2])}>"
    return "struct<" + ",".join(f"{name}:{hive_type(item)}" for name, item in kind[1]) + ">"


# --- Parquet --------------------------------------------------------------------------------


def _parquet(bucket: str, key: str, size: int, account_id: str) -> FileSchema:
    try:
        footer = parquet.footer(account_id, bucket, key)
    except Exception as error:  # pyarrow raises several types for a damaged footer
        raise Unclassifiable(f"a corrupt Parquet file ({error})") from None
    columns = {field.name.lower(): types.hive_from_arrow(field.type) for field in footer.arrow_schema}
    fmt = Format(
        "parquet", "none", PARQUET_SERDE, PARQUET_INPUT, PARQUET_OUTPUT, (("serialization.format", "1"),)
    )
    return FileSchema(key, size, fmt, columns, footer.rows)
