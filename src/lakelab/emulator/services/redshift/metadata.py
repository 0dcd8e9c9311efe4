"""The Data API's metadata operations: ListDatabases, ListSchemas, ListTables, DescribeTable.

Patterns are SQL LIKE patterns (``%`` and ``_``), as the API reference describes them; external
(Spectrum) schemas list their Glue tables as ``EXTERNAL TABLE``. Each call connects as a statement
does, so the same IAM permissions decide (``targets.database_user``).
"""

from __future__ import annotations

import fnmatch
from typing import Any

from lakelab.emulator.services.redshift import results, targets, warehouse
from lakelab.emulator.services.redshift.targets import DataApiError


def _metadata_warehouse(body: dict[str, Any]) -> warehouse.Warehouse:
    target = targets.resolve(body)
    targets.database_user(target, body)
    database = str(body.get("ConnectedDatabase") or body.get("Database") or "").lower()
    if not database:
        raise DataApiError("ValidationException", "Database is required.")
    if database not in warehouse.databases(target.account_id, target.region, target.storage, target.default_database):
        raise DataApiError("DatabaseConnectionException", f'FATAL: database "{database}" does not exist')
    return warehouse.warehouse(target.account_id, target.region, target.storage, database)


def _like(pattern: str | None, value: str) -> bool:
    if not pattern:
        return True
    return fnmatch.fnmatchcase(value, pattern.replace("*", "[*]").replace("?", "[?]").replace("%", "*")
                               .replace("_", "?"))


def _paged(items: list[Any], key: str, body: dict[str, Any]) -> dict[str, Any]:
    start, size = int(body.get("NextToken") or 0), int(body.get("MaxResults") or 1000)
    answer: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        answer["NextToken"] = str(start + size)
    return answer


def list_databases(body: dict[str, Any]) -> dict[str, Any]:
    target = targets.resolve(body)
    targets.database_user(target, body)
    names = warehouse.databases(target.account_id, target.region, target.storage, target.default_database)
    return _paged(sorted(names), "Databases", body)


def list_schemas(body: dict[str, Any]) -> dict[str, Any]:
    found = _metadata_warehouse(body)
    return _paged([s for s in found.schemas() if _like(body.get("SchemaPattern"), s)], "Schemas", body)


def list_tables(body: dict[str, Any]) -> dict[str, Any]:
    found = _metadata_warehouse(body)
    schema_pattern, table_pattern = body.get("SchemaPattern"), body.get("TablePattern")
    tables = [{"name": name, "schema": schema, "type": kind} for schema, name, kind in found.tables()
              if _like(schema_pattern, schema) and _like(table_pattern, name)]
    tables += _external_tables(found, schema_pattern, table_pattern)
    return _paged(tables, "Tables", body)


def _external_tables(found: warehouse.Warehouse, schema_pattern: str | None, table_pattern: str | None
                     ) -> list[dict[str, str]]:
    from lakelab.emulator.engine import catalog as engine_catalog

    glue = engine_catalog.Catalog(found.account_id, found.region)
    listed = []
    for schema, (database, _) in sorted(found.external_schemas.items()):
        if not _like(schema_pattern, schema) or glue.find_database(database) is None:
            continue
        listed += [{"name": name.lower(), "schema": schema, "type": "EXTERNAL TABLE"}
                   for name in glue.table_names(database) if _like(table_pattern, name.lower())]
    return listed


def describe_table(body: dict[str, Any]) -> dict[str, Any]:
    found = _metadata_warehouse(body)
    schema, table = str(body.get("Schema") or "public").lower(), str(body.get("Table") or "").lower()
    columns = found.columns(schema, table) if table else []
    design = found.designs.get(f"{schema}.{table}")
    metadata = []
    for position, (name, engine_type, nullable, default) in enumerate(columns):
        if design and name in design.identities:  # shown as Redshift shows an IDENTITY column's default
            seed, step = design.identities[name]
            default = f"\"identity\"({found.table_id(f'{schema}.{table}')}, {position}, '{seed},{step}'::text)"
        described = results.column_metadata(results.Result([(name, engine_type)], []))[0]
        described.update({"nullable": 1 if nullable else 0, "schemaName": schema, "tableName": table,
                          "length": 256 if engine_type.upper() == "VARCHAR" else 0})
        if default:
            described["columnDefault"] = default
        metadata.append(described)
    answer = _paged(metadata, "ColumnList", body)
    answer["TableName"] = table
    return answer
