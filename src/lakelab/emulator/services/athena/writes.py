"""Statements that write data: CREATE TABLE AS SELECT, INSERT INTO and UNLOAD.

As in Athena: the files go under the table location (CTAS requires it to be empty), partition
columns come last in the SELECT, each partition gets its ``key=value/`` folder and its Glue
partition, and a data manifest listing the written files is left at
``Statistics.DataManifestLocation`` (awswrangler's ``ctas_approach`` reads results through it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lakelab.emulator.common import s3_objects
from lakelab.emulator.services.athena import ddl, results
from lakelab.emulator.engine import errors, storage, types
from lakelab.emulator.engine.catalog import Column, Table
from lakelab.emulator.services.athena.context import Context
from lakelab.emulator.engine.quoting import ident, literal
from lakelab.emulator.engine.scans import HIVE_DEFAULT_PARTITION

MAX_PARTITIONS = 100  # Athena's limit of open partition writers per CTAS / INSERT INTO
_COMPRESSION = {"GZIP": "gzip", "SNAPPY": "snappy", "ZSTD": "zstd", "NONE": "uncompressed",
                "UNCOMPRESSED": "uncompressed", "LZ4": "lz4_raw"}


@dataclass
class Layout:
    """How files are written: format, compression, text delimiter."""

    format: str = "PARQUET"
    compression: str | None = None
    delimiter: str = "\x01"

    def copy_options(self) -> str:
        if self.format == "PARQUET":
            return f"FORMAT parquet, COMPRESSION {_COMPRESSION.get(self.compression or 'GZIP', 'gzip')}"
        compression = "gzip" if (self.compression or "").upper() == "GZIP" else "none"
        if self.format == "JSON":
            return f"FORMAT json, COMPRESSION {compression}"
        return (f"FORMAT csv, DELIMITER {literal(self.delimiter)}, QUOTE '', ESCAPE '', HEADER false, "
                f"NULLSTR '\\N', COMPRESSION {compression}")

    @property
    def suffix(self) -> str:
        return ".gz" if self.format != "PARQUET" and (self.compression or "").upper() == "GZIP" else ""


def materialize(context: Context, engine_sql: str, partition_columns: list[str]) -> tuple[int, list[tuple[Any, ...]]]:
    """Run the SELECT once into an engine table numbered by partition; (rows, partition values)."""
    order = ", ".join(ident(c) for c in partition_columns) or "1"
    context.connection.execute(
        f"CREATE OR REPLACE TEMP TABLE lakelab_written AS SELECT *, dense_rank() OVER (ORDER BY {order}) "
        f"AS lakelab_partition FROM ({engine_sql})"
    )
    rows = context.connection.execute("SELECT count(*) FROM lakelab_written").fetchone()[0]
    groups = context.connection.execute(
        f"SELECT DISTINCT lakelab_partition{''.join(', ' + _partition_text(c) for c in partition_columns)} "
        "FROM lakelab_written ORDER BY 1"
    ).fetchall()
    if len(groups) > MAX_PARTITIONS and partition_columns:
        raise errors.QueryFailed(f"HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of {MAX_PARTITIONS} open writers "
                                 "for partitions/buckets")
    return rows, groups


def _partition_text(column: str) -> str:
    # Hive folder names: the value as text, NULL as __HIVE_DEFAULT_PARTITION__
    return f"coalesce(CAST({ident(column)} AS VARCHAR), {literal(HIVE_DEFAULT_PARTITION)})"


def write_group(context: Context, group: int, data_columns: list[str], folder: str, layout: Layout) -> str:
    """Write one partition's rows (or all rows) as one file under ``folder``; returns its S3 path."""
    bucket, prefix = storage.folder(folder)
    key = f"{prefix}{context.execution_id}_{group - 1:05d}{layout.suffix}"
    select = ", ".join(ident(c) for c in data_columns)
    target = storage.engine_path(context.account_id, bucket, key)
    context.connection.execute(
        f"COPY (SELECT {select} FROM lakelab_written WHERE lakelab_partition = {group}) "
        f"TO {literal(target)} ({layout.copy_options()})"
    )
    return f"s3://{bucket}/{key}"


def write_manifest(context: Context, paths: list[str]) -> None:
    """``<results>/tables/<id>-manifest.csv``: one written file per line."""
    location = f"{context.output_folder}tables/{context.execution_id}-manifest.csv"
    bucket, key = s3_objects.split_uri(location)
    s3_objects.write_bytes(bucket, key, "".join(p + "\n" for p in paths).encode(), account_id=context.account_id)
    context.manifest = location


def result_columns(context: Context, engine_sql: str, unnamed: list[int]) -> list[Column]:
    """The query's columns as Glue columns; Athena refuses unnamed, duplicate and untyped ones."""
    relation = context.connection.sql(engine_sql)
    if unnamed:
        raise errors.QueryFailed(f"NOT_SUPPORTED: Column name not specified at position {unnamed[0] + 1}")
    seen: set[str] = set()
    columns = []
    for name, engine_type in zip(relation.columns, relation.types):
        if name.lower() in seen:
            raise errors.QueryFailed(f"NOT_SUPPORTED: Column name '{name}' specified more than once")
        seen.add(name.lower())
        if engine_type.id in ('"null"', "null"):
            raise errors.QueryFailed(f"NOT_SUPPORTED: Column type is unknown: {name}")
        columns.append(Column(name.lower(), types.parse(types.hive_from_duckdb(engine_type))))
    return columns


def register_partitions(context: Context, table: Table, groups: list[tuple[Any, ...]],
                        known: dict[tuple[str, ...], str]) -> dict[int, str]:
    """Folder of each written group; partitions Glue does not know yet are registered."""
    folders = {}
    for group, *values in groups:
        key = tuple(str(v) for v in values)
        if key not in known:
            folder = table.default_partition_location(list(key))
            context.catalog.glue.create_partition(table.database, table.name,
                                                  ddl.partition_input(table, list(key), folder))
            known[key] = folder
        folders[group] = known[key]
    return folders


def empty_location(context: Context, location: str, qualified: str) -> None:
    bucket, prefix = storage.folder(location)
    if next(iter(storage.list_files(context.account_id, bucket, prefix)), None) is not None:
        raise errors.QueryFailed(f"HIVE_PATH_ALREADY_EXISTS: Target directory for table '{qualified}' already "
                                 f"exists: {location}. You may need to manually clean the data at location "
                                 f"'{location}' before retrying. Athena will not delete data in your account.")


def done(rows: int) -> results.Result:
    return results.empty_result(update_count=rows)
