"""A statement's result as the Data API answers it: typed fields, column metadata, pages, CSV.

GetStatementResult gives each value as one typed field -- ``longValue`` for integers,
``doubleValue`` for floating point, ``booleanValue``, ``stringValue`` for everything else (numeric,
dates and timestamps in Redshift's text form), ``isNull`` for NULL -- and ``ColumnMetadata`` with
Redshift's type names (``int4``, ``int8``, ``float8``, ``numeric``, ``varchar``, ``timestamp``...).
GetStatementResultV2 answers statements run with ``ResultFormat=CSV`` as ``CSVRecords`` text.
(https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_GetStatementResult.html)
Pages hold at most :data:`PAGE_ROWS` rows: AWS pages by size (unverified limit); the total is the same.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import re
from dataclasses import dataclass
from typing import Any

PAGE_ROWS = 10_000
_REDSHIFT_TYPES = {"BOOLEAN": "bool", "TINYINT": "int2", "SMALLINT": "int2", "INTEGER": "int4", "BIGINT": "int8",
                   "HUGEINT": "numeric", "UTINYINT": "int2", "USMALLINT": "int4", "UINTEGER": "int8",
                   "UBIGINT": "numeric", "FLOAT": "float4", "REAL": "float4", "DOUBLE": "float8", "VARCHAR": "varchar",
                   "DATE": "date", "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamptz",
                   "TIME": "time", "TIMESTAMP_S": "timestamp", "TIMESTAMP_MS": "timestamp", "TIMESTAMP_NS": "timestamp",
                   "INTERVAL": "interval", "BLOB": "varbyte", "UUID": "varchar"}
_LONG = ("int2", "int4", "int8")
_DOUBLE = ("float4", "float8")


@dataclass
class Result:
    columns: list[tuple[str, str]]  # (name, engine type)
    rows: list[tuple[Any, ...]]

    @property
    def size(self) -> int:
        return sum(len(str(v)) for row in self.rows for v in row)


def redshift_type(engine_type: str) -> str:
    base = engine_type.upper()
    if base.startswith("DECIMAL"):
        return "numeric"
    return _REDSHIFT_TYPES.get(base, "varchar" if not base.endswith("[]") else "super")


def declared_type(engine_type: str) -> str:
    """The type as PG_TABLE_DEF and DescribeTable spell it: ``integer``, ``character varying(256)``..."""
    base = engine_type.upper()
    found = re.match(r"DECIMAL\((\d+),\s*(\d+)\)", base)
    if found:
        return f"numeric({found.group(1)},{found.group(2)})"
    return {"BOOLEAN": "boolean", "SMALLINT": "smallint", "INTEGER": "integer", "BIGINT": "bigint",
            "REAL": "real", "FLOAT": "real", "DOUBLE": "double precision", "VARCHAR": "character varying(256)",
            "DATE": "date", "TIMESTAMP": "timestamp without time zone",
            "TIMESTAMP WITH TIME ZONE": "timestamp with time zone", "TIME": "time without time zone"}.get(
        base, base.lower())


def column_metadata(result: Result) -> list[dict[str, Any]]:
    found = []
    for name, engine_type in result.columns:
        type_name = redshift_type(engine_type)
        precision, scale = _precision(engine_type, type_name)
        found.append({"isCaseSensitive": type_name == "varchar", "isCurrency": False,
                      "isSigned": type_name in _LONG + _DOUBLE + ("numeric",), "label": name, "name": name,
                      "nullable": 1, "precision": precision, "scale": scale, "schemaName": "", "tableName": "",
                      "typeName": type_name, "length": 0})
    return found


def _precision(engine_type: str, type_name: str) -> tuple[int, int]:
    found = re.match(r"DECIMAL\((\d+),\s*(\d+)\)", engine_type.upper())
    if found:
        return int(found.group(1)), int(found.group(2))
    return {"int2": (5, 0), "int4": (10, 0), "int8": (19, 0), "float4": (8, 8), "float8": (17, 17),
            "bool": (1, 0), "date": (13, 0), "timestamp": (29, 6), "timestamptz": (35, 6)}.get(type_name,
                                                                                             (65535, 0))


def text(value: Any) -> str:
    """A value in Redshift's text form (what ``stringValue`` and CSV results hold)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        shown = value.strftime("%Y-%m-%d %H:%M:%S") + (f".{value.microsecond:06d}".rstrip("0")
                                                         if value.microsecond else "")
        return shown + ("+00" if value.tzinfo is not None else "")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, default=str)
    return str(value)


def field(value: Any, type_name: str) -> dict[str, Any]:
    if value is None:
        return {"isNull": True}
    if type_name in _LONG:
        return {"longValue": int(value)}
    if type_name in _DOUBLE:
        return {"doubleValue": float(value)}
    if type_name == "bool":
        return {"booleanValue": bool(value)}
    return {"stringValue": text(value)}


def page(result: Result, token: str | None) -> tuple[list[list[dict[str, Any]]], str | None]:
    """One page of typed records from ``token`` (the row to start at), and the next token."""
    start = _start(token, len(result.rows))
    types = [redshift_type(t) for _, t in result.columns]
    rows = result.rows[start : start + PAGE_ROWS]
    records = [[field(v, t) for v, t in zip(row, types)] for row in rows]
    following = start + PAGE_ROWS
    return records, (str(following) if following < len(result.rows) else None)


def csv_page(result: Result, token: str | None) -> tuple[list[dict[str, str]], str | None]:
    """One page of CSV records (the first page starts with the header line)."""
    start = _start(token, len(result.rows))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if start == 0:
        writer.writerow([name for name, _ in result.columns])
    for row in result.rows[start : start + PAGE_ROWS]:
        writer.writerow(["" if v is None else text(v) for v in row])
    following = start + PAGE_ROWS
    return [{"CSVRecords": buffer.getvalue()}], (str(following) if following < len(result.rows) else None)


def _start(token: str | None, total: int) -> int:
    if not token:
        return 0
    if not token.isdigit() or int(token) > total:
        raise ValueError("The NextToken is not valid.")  # worded here (unverified)
    return int(token)
