"""Record format conversion: JSON records to Parquet or ORC, with the schema of a Glue table.

Records are read as the OpenX JSON SerDe reads them (keys matched case-insensitively by default,
missing columns null, fields the table lacks ignored). A record that is not JSON, or whose value
does not fit its column's type, fails alone: it goes to the error output prefix with
``DataFormatConversion.MalformedData``; the rest of the flush is converted. Types: the Hive
primitives (string, char, varchar, boolean, tinyint, smallint, int, bigint, float, double,
decimal, date, timestamp, binary). A table with a complex column (array, map, struct) fails the
whole flush as ``DataFormatConversion.InvalidSchema``: the emulator does not convert those.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import io
import json
import re
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.firehose.settings import Conversion

MALFORMED, INVALID_SCHEMA = "DataFormatConversion.MalformedData", "DataFormatConversion.InvalidSchema"
_INTEGERS = {"tinyint": (8, "int8"), "smallint": (16, "int16"), "int": (32, "int32"), "integer": (32, "int32"),
             "bigint": (64, "int64")}


class ConversionFailed(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def table_columns(conversion: Conversion, account_id: str, region: str) -> list[tuple[str, str]]:
    """(name, hive type) of the table's columns; ConversionFailed(InvalidSchema) when it cannot be used."""
    try:
        table = seam.backend("glue", conversion.catalog_id or account_id, conversion.region or region).get_table(
            conversion.database, conversion.table)
        version = table.get_version(str(table._current_version) if conversion.version_id == "LATEST"
                                    else conversion.version_id)
    except Exception as error:  # moto's EntityNotFound for a database or table that is not there
        raise ConversionFailed(INVALID_SCHEMA, f"Glue table {conversion.database}.{conversion.table} "
                                               f"could not be read: {error}") from None
    columns = [(c["Name"].lower(), c["Type"].lower().replace(" ", ""))
               for c in (version.get("StorageDescriptor") or {}).get("Columns") or []]
    if not columns:
        raise ConversionFailed(INVALID_SCHEMA, f"Glue table {conversion.database}.{conversion.table} has no columns")
    for name, hive_type in columns:
        if re.match(r"(array|map|struct|uniontype)<", hive_type):
            raise ConversionFailed(INVALID_SCHEMA, f"column {name} is {hive_type}: the emulator converts "
                                                   "primitive columns only")
    return columns


def arrow_type(hive_type: str) -> Any:
    import pyarrow as pa

    if hive_type in _INTEGERS:
        return getattr(pa, _INTEGERS[hive_type][1])()
    decimal_type = re.fullmatch(r"decimal(?:\((\d+),(\d+)\))?", hive_type)
    if decimal_type:
        return pa.decimal128(int(decimal_type.group(1) or 10), int(decimal_type.group(2) or 0))
    simple = {"string": pa.string(), "boolean": pa.bool_(), "float": pa.float32(), "double": pa.float64(),
              "date": pa.date32(), "timestamp": pa.timestamp("ms"), "binary": pa.binary()}
    if hive_type in simple:
        return simple[hive_type]
    if re.fullmatch(r"(var)?char\(\d+\)", hive_type):
        return pa.string()
    raise ConversionFailed(INVALID_SCHEMA, f"Hive type {hive_type!r} is not one the emulator converts")


def row(data: bytes, columns: list[tuple[str, str]], case_insensitive: bool) -> dict[str, Any]:
    """One record as a row of the table; ConversionFailed(MalformedData) saying which value does not fit."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise ConversionFailed(MALFORMED, f"The record is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise ConversionFailed(MALFORMED, "The record is not a JSON object")
    if case_insensitive:
        document = {str(key).lower(): value for key, value in document.items()}
    return {name: _value(document.get(name), hive_type, name) for name, hive_type in columns}


def _value(value: Any, hive_type: str, column: str) -> Any:
    if value is None:
        return None
    try:
        return _coerce(value, hive_type)
    except (ValueError, TypeError, ArithmeticError) as error:
        raise ConversionFailed(MALFORMED, f"Value {value!r} of column {column} cannot be read as {hive_type}: "
                                          f"{error}") from None


def _coerce(value: Any, hive_type: str) -> Any:
    if hive_type in _INTEGERS:
        number = int(value) if not isinstance(value, float) or value.is_integer() else _not(value)
        bits = _INTEGERS[hive_type][0]
        if isinstance(value, bool) or not -(2 ** (bits - 1)) <= number < 2 ** (bits - 1):
            raise ValueError("out of range")
        return number
    if hive_type in ("float", "double"):
        if isinstance(value, bool):
            raise TypeError("a boolean is not a number")
        return float(value)
    if hive_type == "boolean":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false"):
            return str(value).lower() == "true"
        raise ValueError("not true or false")
    if hive_type.startswith("decimal"):
        return decimal.Decimal(str(value))
    if hive_type == "timestamp":
        return _timestamp(value)
    if hive_type == "date":
        return dt.date.fromisoformat(str(value)) if not isinstance(value, (int, float)) else _not(value)
    if hive_type == "binary":
        return base64.b64decode(value, validate=True)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))  # the OpenX SerDe keeps nested JSON as text
    return str(value).lower() if isinstance(value, bool) else str(value)


def _timestamp(value: Any) -> dt.datetime:
    if isinstance(value, bool):
        raise TypeError("a boolean is not a timestamp")
    if isinstance(value, (int, float)):  # epoch milliseconds, as the OpenX SerDe reads numbers
        return dt.datetime.fromtimestamp(value / 1000, dt.timezone.utc).replace(tzinfo=None)
    parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed.astimezone(dt.timezone.utc).replace(tzinfo=None) if parsed.tzinfo else parsed


def _not(value: Any) -> Any:
    raise ValueError(f"{value!r} is not whole")


def write(rows: list[dict[str, Any]], columns: list[tuple[str, str]], conversion: Conversion) -> bytes:
    """The rows as one Parquet or ORC file, with the serializer's compression."""
    import pyarrow as pa

    schema = pa.schema([(name, arrow_type(hive_type)) for name, hive_type in columns])
    table = pa.Table.from_pylist(rows, schema=schema)
    sink = io.BytesIO()
    codec = {"UNCOMPRESSED": "none", "SNAPPY": "snappy", "GZIP": "gzip", "ZLIB": "zlib", "NONE": "none"}
    if conversion.output_format == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, sink, compression=codec.get(conversion.compression, "snappy"))
    else:
        import pyarrow.orc as orc

        orc.write_table(table, sink, compression={"ZLIB": "zlib", "SNAPPY": "snappy", "NONE": "uncompressed"}.get(
            conversion.compression, "zlib"))
    return sink.getvalue()
