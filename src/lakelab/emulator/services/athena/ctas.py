"""CREATE TABLE AS SELECT, CREATE VIEW and UNLOAD."""

from __future__ import annotations

import base64
import json
from typing import Any

from lakelab.emulator.services.athena import ddl, results
from lakelab.emulator.engine import errors, types
from lakelab.emulator.engine.catalog import Column
from lakelab.emulator.services.athena.context import Context
from lakelab.emulator.services.athena.grammar import Statement
from lakelab.emulator.services.athena.query import Planner
from lakelab.emulator.services.athena.writes import (Layout, done, empty_location, materialize, register_partitions,
                                            result_columns, write_group, write_manifest)

_PROPERTIES = {"format", "external_location", "partitioned_by", "bucketed_by", "bucket_count", "write_compression",
               "parquet_compression", "orc_compression", "field_delimiter", "table_type", "is_external",
               "compression"}
_FORMATS = ("PARQUET", "TEXTFILE", "JSON")


def layout(properties: dict[str, Any], default_format: str = "PARQUET") -> Layout:
    unknown = sorted(set(properties) - _PROPERTIES)
    if unknown:
        raise errors.QueryFailed(f"INVALID_TABLE_PROPERTY: Catalog 'awsdatacatalog' table property "
                                 f"'{unknown[0]}' does not exist")
    if str(properties.get("table_type", "HIVE")).upper() != "HIVE":
        raise errors.not_supported(f"table_type '{properties['table_type']}'")
    file_format = str(properties.get("format", default_format)).upper()
    if file_format not in _FORMATS:
        raise errors.not_supported(f"Writing format '{file_format}' (use PARQUET, TEXTFILE or JSON)")
    compression = (properties.get("write_compression") or properties.get("parquet_compression")
                   or properties.get("compression"))
    return Layout(file_format, str(compression).upper() if compression else None,
                  properties.get("field_delimiter", "\x01"))


def ctas(context: Context, statement: Statement) -> results.Result:
    database = context.require_database(statement.database)
    name = statement.name or ""
    if context.catalog.find_table(database, name) is not None:
        if statement.options["if_not_exists"]:
            return done(0)
        raise errors.QueryFailed(f"TABLE_ALREADY_EXISTS: line 1:1: Table 'awsdatacatalog.{database}.{name}' already exists")
    properties = statement.options["properties"]
    file_layout = layout(properties)
    location = properties.get("external_location") or f"{context.output_folder}tables/{context.execution_id}/"
    location = location if location.endswith("/") else location + "/"
    empty_location(context, location, f"{database}.{name}")
    plan = Planner(context).plan(statement.options["query"], statement.options["at"])
    columns = result_columns(context, plan.engine_sql, plan.unnamed)
    keys = _partition_keys(columns, [str(c).lower() for c in properties.get("partitioned_by", [])])
    data_columns = columns[: len(columns) - len(keys)]
    rows, groups = (0, [])
    if statement.options["with_data"]:
        rows, groups = materialize(context, plan.engine_sql, [k.name for k in keys])
    context.catalog.glue.create_table(database, name, _table_input(name, data_columns, keys, location, file_layout))
    table = context.catalog.table(database, name)
    folders = register_partitions(context, table, groups, {}) if keys else {1: location}
    paths = [write_group(context, group, [c.name for c in data_columns], folders[group], file_layout)
             for group, *_ in groups if rows]
    write_manifest(context, paths)
    return done(rows)


def _partition_keys(columns: list[Column], partitioned_by: list[str]) -> list[Column]:
    if not partitioned_by:
        return []
    last = [c.name for c in columns[-len(partitioned_by):]]
    if last != partitioned_by or len(columns) <= len(partitioned_by):
        raise errors.QueryFailed("HIVE_COLUMN_ORDER_MISMATCH: Partition keys must be the last columns in the table "
                                 f"and in the same order as the table properties: {partitioned_by}")
    return columns[-len(partitioned_by):]


def _table_input(name: str, columns: list[Column], keys: list[Column], location: str, file_layout: Layout) -> dict[str, Any]:
    options: dict[str, Any] = {"external": True, "columns": columns, "partition_keys": keys, "location": location,
                               "serde_properties": {}, "properties": {"has_encrypted_data": "false"},
                               "stored_as": file_layout.format}
    if file_layout.format == "PARQUET":
        options["properties"]["parquet.compression"] = file_layout.compression or "GZIP"
    elif file_layout.format == "TEXTFILE":
        delimiter = file_layout.delimiter
        options["serde_properties"] = {"field.delim": delimiter, "serialization.format": delimiter}
    elif file_layout.compression:
        options["properties"]["write.compression"] = file_layout.compression
    return ddl.table_input(Statement("create_table", None, name, options))


def create_view(context: Context, statement: Statement) -> results.Result:
    database = context.require_database(statement.database)
    name = statement.name or ""
    existing = context.catalog.find_table(database, name)
    if existing is not None and not statement.options["replace"]:
        raise errors.QueryFailed(f"line 1:1: View 'awsdatacatalog.{database}.{name}' already exists")
    plan = Planner(context).plan(statement.options["query"], statement.options["at"])
    relation = context.connection.sql(plan.engine_sql)
    columns = [(n.lower(), t) for n, t in zip(relation.columns, relation.types)]
    document = {
        "originalSql": statement.options["query"], "catalog": "awsdatacatalog", "schema": database,
        "columns": [{"name": n, "type": _trino_type(t)} for n, t in columns], "owner": "lakelab", "runAsInvoker": False,
        "properties": {},
    }
    encoded = base64.b64encode(json.dumps(document).encode()).decode()
    table_input = {
        "Name": name, "TableType": "VIRTUAL_VIEW", "Parameters": {"presto_view": "true", "comment": "Presto View"},
        "ViewOriginalText": f"/* Presto View: {encoded} */", "ViewExpandedText": "/* Presto View */",
        "PartitionKeys": [],
        "StorageDescriptor": {"Columns": [{"Name": n, "Type": types.hive_from_duckdb(t)} for n, t in columns],
                              "Location": "", "SerdeInfo": {}, "Compressed": False, "NumberOfBuckets": 0},
    }
    if existing is not None:
        context.catalog.glue.update_table(database, existing.name, table_input)
    else:
        context.catalog.glue.create_table(database, name, table_input)
    return results.empty_result()


def _trino_type(engine_type: Any) -> str:
    info = types.athena_column_info("", engine_type)
    if info["Type"] == "decimal":
        return f"decimal({info['Precision']},{info['Scale']})"
    return types.athena_name(types.parse(types.hive_from_duckdb(engine_type)))


def unload(context: Context, statement: Statement) -> results.Result:
    file_layout = layout(statement.options["properties"], default_format="TEXTFILE")
    if file_layout.format != "PARQUET" and not statement.options["properties"].get("compression"):
        file_layout.compression = "GZIP"  # UNLOAD writes gzip-compressed text unless told otherwise
    location = statement.options["location"]
    location = location if location.endswith("/") else location + "/"
    empty_location(context, location, location)
    plan = Planner(context).plan(statement.options["query"], statement.options["at"])
    columns = result_columns(context, plan.engine_sql, [])
    keys = _partition_keys(columns, [str(c).lower() for c in statement.options["properties"].get("partitioned_by", [])])
    rows, groups = materialize(context, plan.engine_sql, [k.name for k in keys])
    paths = []
    for group, *values in groups:
        folder = location + "".join(f"{k.name}={v}/" for k, v in zip(keys, values))
        if rows:
            paths.append(write_group(context, group, [c.name for c in columns[: len(columns) - len(keys)]], folder,
                                     file_layout))
    write_manifest(context, paths)
    return done(rows)
