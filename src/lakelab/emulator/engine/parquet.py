"""Parquet tables: columns matched by name as Athena matches them, and honest scan sizes.

A Parquet scan reads the footer and, in every row group, only the chunks of the columns the query
needs; ``DataScannedInBytes`` adds up exactly those (``total_compressed_size`` of each chunk).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lakelab.emulator.engine import storage
from lakelab.emulator.engine.catalog import Column
from lakelab.emulator.engine.quoting import ident, string_list


@dataclass
class Footer:
    arrow_schema: Any  # the file's schema, as pyarrow reads it
    column_bytes: dict[str, int]  # top-level column (lower case) -> compressed bytes in all row groups
    engine_types: dict[str, str]  # top-level column -> engine type the file stores
    footer_bytes: int
    rows: int


def footer(account_id: str, bucket: str, key: str) -> Footer:
    """The one Parquet footer reader: read once per object version (Athena scans, crawlers)."""
    return storage.cached(account_id, bucket, key, "parquet-footer", _read_footer)


def _read_footer(buffer: Any) -> Footer:
    import pyarrow as pa
    import pyarrow.parquet as pq

    metadata = pq.read_metadata(pa.BufferReader(pa.py_buffer(buffer)))
    sizes: dict[str, int] = {}
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for index in range(row_group.num_columns):
            chunk = row_group.column(index)
            name = chunk.path_in_schema.split(".")[0].lower()
            sizes[name] = sizes.get(name, 0) + chunk.total_compressed_size
    schema = metadata.schema.to_arrow_schema()
    engine_types = {f.name.lower(): _engine_type(f.type) for f in schema}
    return Footer(schema, sizes, engine_types, metadata.serialized_size + 8, metadata.num_rows)


def _engine_type(arrow_type: Any) -> str:
    import pyarrow as pa

    simple = {pa.int8(): "TINYINT", pa.int16(): "SMALLINT", pa.int32(): "INTEGER", pa.int64(): "BIGINT",
              pa.float32(): "FLOAT", pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN", pa.string(): "VARCHAR",
              pa.large_string(): "VARCHAR", pa.date32(): "DATE", pa.timestamp("us"): "TIMESTAMP"}
    if arrow_type in simple:
        return simple[arrow_type]
    if pa.types.is_decimal(arrow_type):
        return f"DECIMAL({arrow_type.precision},{arrow_type.scale})"
    return str(arrow_type)  # anything else is cast to the declared type


def select_list(account_id: str, columns: list[Column], files: list[tuple[str, str, int]],
                needed: set[str] | None) -> tuple[list[str], int, int]:
    """Engine expressions for the table's columns, bytes a query needing ``needed`` reads, rows."""
    footers = [footer(account_id, bucket, key) for bucket, key, _ in files]
    present: dict[str, set[str]] = {}
    for found in footers:
        for name, engine_type in found.engine_types.items():
            present.setdefault(name, set()).add(engine_type)
    select = []
    for column in columns:
        declared = column.type.duckdb()
        if column.name not in present:
            select.append(f"CAST(NULL AS {declared}) AS {ident(column.name)}")
        elif declared == "TIMESTAMP" and present[column.name] != {"timestamp[ms]"}:
            # Athena's timestamps have millisecond precision, whatever precision the file stores
            select.append(f"date_trunc('millisecond', CAST({ident(column.name)} AS TIMESTAMP)) AS {ident(column.name)}")
        elif present[column.name] == {declared}:
            select.append(ident(column.name))
        else:
            select.append(f"CAST({ident(column.name)} AS {declared}) AS {ident(column.name)}")
    wanted = {c.name for c in columns} if needed is None else needed
    scanned = sum(read_bytes(f, wanted) for f in footers)
    return select, scanned, sum(f.rows for f in footers)


def read_bytes(found: Footer, wanted: set[str]) -> int:
    """What reading one file costs: its footer and the chunks of the ``wanted`` columns."""
    return found.footer_bytes + sum(b for n, b in found.column_bytes.items() if n in wanted)


def source(paths: list[str], columns: list[Column]) -> str:
    # Files written without the UTF8 annotation hold strings as binary; Athena reads them as text.
    as_text = all(column.type.name != "binary" for column in columns)
    return f"read_parquet({string_list(paths)}, union_by_name = true, binary_as_string = {str(as_text).lower()})"
