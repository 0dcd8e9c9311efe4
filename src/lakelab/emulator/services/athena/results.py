"""Query results as Athena delivers them: a CSV file, its metadata, and GetQueryResults pages.

Values are rendered as Athena renders them (doubles in Java notation such as ``1.0E7``,
timestamps with milliseconds, arrays ``[a, b]``, maps and rows ``{k=v}``); the CSV quotes every
value and leaves NULL empty and unquoted. DDL and utility statements (SHOW, DESCRIBE) write a
tab-separated ``.txt`` without header, and their GetQueryResults pages have no header row.
"""

from __future__ import annotations

import base64
import io
import json
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.common import s3_objects
from lakelab.emulator.engine import types
from lakelab.emulator.engine.errors import QueryFailed
from lakelab.emulator.engine.quoting import ident

MAX_PAGE = 1000


@dataclass
class Result:
    table: Any  # pyarrow Table of strings
    column_info: list[dict[str, Any]]
    header: bool = True  # SELECT results start with a header row; DDL/utility results do not
    update_count: int | None = None

    @property
    def rows(self) -> int:
        return self.table.num_rows


# --- rendering ------------------------------------------------------------------------------------

def fetch(connection: Any, engine_sql: str) -> Result:
    """Run a query and render its rows as Athena's text."""
    import pyarrow as pa

    relation = connection.sql(engine_sql)
    names, engine_types = relation.columns, relation.types
    projection = ", ".join(f"{_text(ident(n), t, 0)} AS {ident(n)}" for n, t in zip(names, engine_types))
    table = relation.project(projection).to_arrow_table() if names else relation.to_arrow_table()
    columns = []
    for index, engine_type in enumerate(engine_types):
        column = table.column(index)
        if engine_type.id in ("double", "float"):
            column = pa.array([None if v is None else java_number(v, engine_type.id) for v in column.to_pylist()],
                              pa.string())
        columns.append(column)
    table = pa.Table.from_arrays(columns, names=list(names))
    return Result(table, [types.athena_column_info(n, t) for n, t in zip(names, engine_types)])


def _text(expression: str, engine_type: Any, depth: int) -> str:
    kind = engine_type.id
    if kind in ("double", "float") and depth == 0:
        return expression  # rendered in Python: Java's notation needs the shortest digits
    if kind == "hugeint":
        return f"CAST(CAST({expression} AS BIGINT) AS VARCHAR)"
    if kind.startswith("timestamp"):
        suffix = " || ' UTC'" if kind == "timestamp with time zone" else ""
        return f"(strftime({expression}, '%Y-%m-%d %H:%M:%S.%g'){suffix})"
    if kind == "blob":
        return f"trim(regexp_replace(lower(hex({expression})), '(..)', '\\1 ', 'g'))"
    if kind in ("list", "array"):
        item = f"item{depth}"
        inner = _text(item, engine_type.children[0][1], depth + 1)
        return (f"CASE WHEN {expression} IS NULL THEN NULL ELSE '[' || array_to_string("
                f"list_transform({expression}, lambda {item}: coalesce({inner}, 'null')), ', ') || ']' END")
    if kind == "map":
        entry = f"entry{depth}"
        key, value = (child for _, child in engine_type.children)
        pair = f"{_text(f'{entry}.key', key, depth + 1)} || '=' || coalesce({_text(f'{entry}.value', value, depth + 1)}, 'null')"
        return (f"CASE WHEN {expression} IS NULL THEN NULL ELSE '{{' || array_to_string("
                f"list_transform(map_entries({expression}), lambda {entry}: {pair}), ', ') || '}}' END")
    if kind == "struct":
        parts = " || ', ' || ".join(
            f"'{n}=' || coalesce({_text(f'{expression}.{ident(n)}', t, depth + 1)}, 'null')"
            for n, t in engine_type.children
        )
        return f"CASE WHEN {expression} IS NULL THEN NULL ELSE '{{' || {parts or chr(39) * 2} || '}}' END"
    return f"CAST({expression} AS VARCHAR)"


def java_number(value: float, kind: str = "double") -> str:
    """A double as Java (and so Athena) prints it: ``3.5``, ``100.0``, ``1.0E7``, ``1.5E-7``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    shortest = repr(value) if kind == "double" else _shortest_float32(value)
    sign, digits, exponent = Decimal(shortest).normalize().as_tuple()
    scientific = len(digits) + int(exponent) - 1
    prefix = "-" if sign else ""
    if -3 <= scientific < 7:
        text = format(Decimal(shortest).copy_abs().normalize(), "f")
        return prefix + (text if "." in text else text + ".0")
    mantissa = "".join(map(str, digits))
    return f"{prefix}{mantissa[0]}.{mantissa[1:] or '0'}E{scientific}"


def _shortest_float32(value: float) -> str:
    import numpy

    return str(numpy.float32(value))


def text_result(column_names: list[str], rows: list[list[str]]) -> Result:
    """A DDL/utility result (SHOW, DESCRIBE): string columns, no header row."""
    import pyarrow as pa

    columns = [pa.array([row[i] if i < len(row) else "" for row in rows], pa.string())
               for i in range(len(column_names))]
    table = pa.Table.from_arrays(columns, names=column_names)
    info = [{**types.athena_column_info(n, _VARCHAR), "Type": "string"} for n in column_names]
    return Result(table, info, header=False)


class _Varchar:
    id = "varchar"
    children: list[Any] = []


_VARCHAR = _Varchar()


def empty_result(update_count: int | None = None) -> Result:
    import pyarrow as pa

    return Result(pa.table({}), [], header=False, update_count=update_count)


# --- files ----------------------------------------------------------------------------------------

def write(account_id: str, output_file: str, result: Result) -> int:
    """Write the result file Athena writes (CSV for queries, .txt for utility); returns its size."""
    import pyarrow.csv as csv

    bucket, key = s3_objects.split_uri(output_file)
    if result.header:
        buffer = io.BytesIO()
        csv.write_csv(result.table, buffer, csv.WriteOptions(quoting_style="all_valid"))
        data = buffer.getvalue()
    else:
        lines = ["\t".join(v or "" for v in row.values()) for row in result.table.to_pylist()]
        data = "".join(line + "\n" for line in lines).encode()
    _put(account_id, bucket, key, data)
    metadata = {"ColumnInfo": result.column_info, "RowCount": result.rows}
    _put(account_id, bucket, key + ".metadata", json.dumps(metadata).encode())
    return len(data)


def write_metadata(account_id: str, output_file: str, result: Result) -> None:
    """CTAS, INSERT INTO and UNLOAD leave only ``<id>.metadata`` next to their manifest."""
    bucket, key = s3_objects.split_uri(output_file)
    metadata = {"ColumnInfo": result.column_info, "UpdateCount": result.update_count}
    _put(account_id, bucket, key + ".metadata", json.dumps(metadata).encode())


def _put(account_id: str, bucket: str, key: str, data: bytes) -> None:
    try:
        s3_objects.write_bytes(bucket, key, data, account_id=account_id)
    except seam.MissingBucket:
        raise QueryFailed(
            f"Unable to verify/create output bucket {bucket}. Error: The specified bucket does not exist"
        ) from None


# --- GetQueryResults ------------------------------------------------------------------------------

_kept: OrderedDict[str, Result] = OrderedDict()
_kept_lock = threading.Lock()
_KEEP = 64


_KEEP_ROWS = 200_000  # larger results are paged from their CSV in S3, as Athena pages them


def keep(execution_id: str, result: Result) -> None:
    if result.rows > _KEEP_ROWS:
        return
    with _kept_lock:
        _kept[execution_id] = result
        _kept.move_to_end(execution_id)
        while len(_kept) > _KEEP:
            _kept.popitem(last=False)


def kept(execution_id: str) -> Result | None:
    with _kept_lock:
        return _kept.get(execution_id)


def forget_all() -> None:
    with _kept_lock:
        _kept.clear()


def read_back(account_id: str, output_file: str, column_info: list[dict[str, Any]], header: bool) -> Result:
    """Re-read a result file that is no longer kept in memory."""
    import pyarrow as pa
    import pyarrow.csv as csv

    bucket, key = s3_objects.split_uri(output_file)
    data = s3_objects.read_bytes(bucket, key, account_id=account_id)
    names = [c["Name"] for c in column_info]
    if not header:
        rows = [line.split("\t") for line in data.decode().splitlines()]
        return text_result(names, rows)
    table = csv.read_csv(
        io.BytesIO(data),
        read_options=csv.ReadOptions(column_names=names, skip_rows=1),
        parse_options=csv.ParseOptions(newlines_in_values=True),
        convert_options=csv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=True,
                                           quoted_strings_can_be_null=False),
    )
    return Result(table, column_info)


def page(result: Result, max_results: int | None, next_token: str | None) -> dict[str, Any]:
    """One GetQueryResults page; the header row counts as the first row, as in Athena."""
    limit = max_results or MAX_PAGE
    if not 0 < limit <= MAX_PAGE:
        raise ValueError(f"MaxResults must be between 1 and {MAX_PAGE}")
    start = _offset(next_token)
    header_rows = 1 if result.header else 0
    total = result.rows + header_rows
    stop = min(total, start + limit)
    rows = []
    if start == 0 and header_rows:
        rows.append({"Data": [{"VarCharValue": c["Name"]} for c in result.column_info]})
    data_start, data_stop = max(start - header_rows, 0), stop - header_rows
    for row in result.table.slice(data_start, max(data_stop - data_start, 0)).to_pylist():
        rows.append({"Data": [{} if v is None else {"VarCharValue": v} for v in row.values()]})
    answer: dict[str, Any] = {"ResultSet": {"Rows": rows, "ResultSetMetadata": {"ColumnInfo": result.column_info}}}
    if result.update_count is not None:
        answer["UpdateCount"] = result.update_count
    if stop < total:
        answer["NextToken"] = base64.urlsafe_b64encode(json.dumps({"offset": stop}).encode()).decode()
    return answer


def _offset(next_token: str | None) -> int:
    if not next_token:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(next_token.encode()))["offset"])
    except (ValueError, KeyError, TypeError):
        raise ValueError("The NextToken is not valid") from None
