"""``information_schema`` (schemata, tables, columns, views) built from the Glue catalog."""

from __future__ import annotations

from lakelab.emulator.engine import catalog, errors, types
from lakelab.emulator.services.athena import governance
from lakelab.emulator.services.athena.context import Context
from lakelab.emulator.engine.quoting import ident, literal
from lakelab.emulator.engine.scans import Scan

_COLUMNS = {
    "schemata": ["catalog_name", "schema_name"],
    "tables": ["table_catalog", "table_schema", "table_name", "table_type"],
    "views": ["table_catalog", "table_schema", "table_name", "view_definition"],
    "columns": ["table_catalog", "table_schema", "table_name", "column_name", "ordinal_position",
                "column_default", "is_nullable", "data_type", "comment", "extra_info"],
}


def view(context: Context, name: str) -> Scan:
    if name not in _COLUMNS:
        raise errors.table_not_found("information_schema", name)
    rows = list(_rows(context, name))
    names = _COLUMNS[name]
    column_types = {n: ("BIGINT" if n == "ordinal_position" else "VARCHAR") for n in names}
    if not rows:
        empty = ", ".join(f"CAST(NULL AS {column_types[n]}) AS {ident(n)}" for n in names)
        return Scan(f"SELECT {empty} LIMIT 0", column_types)
    values = ", ".join("(" + ", ".join(_value(v) for v in row) + ")" for row in rows)
    return Scan(f"SELECT * FROM (VALUES {values}) AS t({', '.join(ident(n) for n in names)})", column_types)


def _value(value: object) -> str:
    if value is None:
        return "NULL"
    return str(value) if isinstance(value, int) else literal(str(value))


def _rows(context: Context, name: str):  # type: ignore[no-untyped-def]
    found = context.catalog
    for database in found.database_names():
        if name == "schemata":
            yield [catalog.CATALOG, database]
            continue
        for table_name in found.table_names(database):
            table = found.find_table(database, table_name)
            if table is None:
                continue
            if table.definition.get("TableType") != "VIRTUAL_VIEW" and governance.hidden(table):
                continue  # Lake Formation hides a table its caller holds nothing on
            yield from _table_rows(name, database, table)
    if name == "schemata":
        yield [catalog.CATALOG, "information_schema"]


def _table_rows(name: str, database: str, table: catalog.Table):  # type: ignore[no-untyped-def]
    is_view = table.definition.get("TableType") == "VIRTUAL_VIEW"
    if name == "tables":
        yield [catalog.CATALOG, database, table.name, "VIEW" if is_view else "BASE TABLE"]
    elif name == "views" and is_view:
        from lakelab.emulator.services.athena.query import view_definition

        yield [catalog.CATALOG, database, table.name, view_definition(table)[0]]
    elif name == "columns":
        shown = governance.visible(table, table.columns + table.partition_keys)
        for position, column in enumerate(shown, start=1):
            extra = "partition key" if column in table.partition_keys else None
            yield [catalog.CATALOG, database, table.name, column.name, position, None, "YES",
                   types.athena_name(column.type), column.comment or None, extra]
