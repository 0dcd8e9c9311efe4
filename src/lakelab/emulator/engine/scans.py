"""Reading one catalog table: the engine SQL for its files, and what reading them costs.

Athena reads each partition's files with the table's SerDe; ``DataScannedInBytes`` is what it
read: whole files for text and JSON, and for Parquet only the column chunks of the columns the
query needs (plus the footers). Partitions a query's WHERE clause rules out are never listed,
so they cost nothing, as in Athena.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lakelab.emulator.engine import catalog, parquet, storage, textformats
from lakelab.emulator.engine.catalog import Partition, Table
from lakelab.emulator.engine.quoting import ident, literal

HIVE_DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"


@dataclass
class Scan:
    sql: str
    columns: dict[str, str]  # name -> engine type, partition keys last
    scanned_bytes: int = 0
    input_rows: int | None = 0


def scan(connection: Any, account_id: str, table: Table, needed: set[str] | None, predicates: list[str],
         on_read: Callable[[int], None] | None = None, candidates: list[Partition] | None = None) -> Scan:
    """The SQL for ``table``'s rows; ``needed`` columns (None: all) drive the Parquet statistics.

    ``on_read(bytes)`` is told what each file costs, in reading order, as the files are read:
    a workgroup's scan limit cancels the query at the file that passes it. ``candidates`` replace
    the partitions registered in Glue (partition projection computes them instead).
    """
    kind = table.kind
    columns = table.columns
    keys = table.partition_keys
    found = Scan("", {c.name: c.type.duckdb() for c in columns + keys})
    parts: list[str] = []
    for partition in _partitions(connection, table, predicates, candidates):
        files = _files(account_id, partition.location)
        if not files:
            continue
        constants = [_partition_value(key, value) for key, value in zip(keys, partition.values)]
        select, scanned, rows = _read(kind, table, account_id, files, needed)
        for cost in _file_costs(kind, table, account_id, files, needed) if on_read else ():
            on_read(cost)
        parts.append(f"SELECT {', '.join(select + constants)} FROM {_source(kind, table, account_id, files)}")
        found.scanned_bytes += scanned
        found.input_rows = None if rows is None or found.input_rows is None else found.input_rows + rows
    if not parts:
        empty = ", ".join(f"CAST(NULL AS {t}) AS {ident(n)}" for n, t in found.columns.items())
        parts = [f"SELECT {empty} LIMIT 0"]
    found.sql = "\nUNION ALL BY NAME\n".join(parts) if len(parts) > 1 else parts[0]
    return found


def _partitions(connection: Any, table: Table, predicates: list[str],
                candidates: list[Partition] | None) -> list[Partition]:
    if not table.partition_keys:
        return [Partition([], table.location)]
    partitions = table.partitions() if candidates is None else candidates
    if not predicates or not partitions:
        return partitions
    return prune(connection, table, partitions, predicates)


def prune(connection: Any, table: Table, partitions: list[Partition], predicates: list[str]) -> list[Partition]:
    """Partitions whose values can satisfy the predicates (engine-evaluated, as Athena prunes)."""
    keys = table.partition_keys
    rows = ", ".join(
        "(" + ", ".join([str(i)] + [_partition_value(k, v, alias=False) for k, v in zip(keys, p.values)]) + ")"
        for i, p in enumerate(partitions)
    )
    names = ", ".join(["__partition"] + [ident(k.name) for k in keys])
    query = f"SELECT __partition FROM (VALUES {rows}) AS p({names}) WHERE {' AND '.join(predicates)}"
    try:
        kept = {row[0] for row in connection.execute(query).fetchall()}
    except Exception:  # a predicate the pruner cannot evaluate alone: read every partition
        return partitions
    return [p for i, p in enumerate(partitions) if i in kept]


def _partition_value(key: catalog.Column, value: str, alias: bool = True) -> str:
    expression = (
        f"CAST(NULL AS {key.type.duckdb()})" if value == HIVE_DEFAULT_PARTITION
        else f"TRY_CAST({literal(value)} AS {key.type.duckdb()})"
    )
    return f"{expression} AS {ident(key.name)}" if alias else expression


def _files(account_id: str, location: str) -> list[tuple[str, str, int]]:
    if not location:
        return []
    bucket, prefix = storage.folder(location)
    return [(bucket, key, size) for key, size in storage.list_files(account_id, bucket, prefix)]


def _read(kind: str, table: Table, account_id: str, files: list[tuple[str, str, int]],
          needed: set[str] | None) -> tuple[list[str], int, int | None]:
    if kind == catalog.PARQUET:
        return parquet.select_list(account_id, table.columns, files, needed)
    return textformats.select_list(kind, table), sum(size for _, _, size in files), None


def _file_costs(kind: str, table: Table, account_id: str, files: list[tuple[str, str, int]],
                needed: set[str] | None) -> list[int]:
    if kind != catalog.PARQUET:
        return [size for _, _, size in files]
    wanted = {c.name for c in table.columns} if needed is None else needed
    return [parquet.read_bytes(parquet.footer(account_id, bucket, key), wanted) for bucket, key, _ in files]


def _source(kind: str, table: Table, account_id: str, files: list[tuple[str, str, int]]) -> str:
    paths = [storage.engine_path(account_id, bucket, key) for bucket, key, _ in files]
    if kind == catalog.PARQUET:
        return parquet.source(paths, table.columns)
    return textformats.source(kind, table, paths)
