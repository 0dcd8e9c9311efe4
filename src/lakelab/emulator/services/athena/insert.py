"""INSERT INTO: new files under the table (or partition) location, new partitions registered."""

from __future__ import annotations

from lakelab.emulator.engine import catalog, errors, textformats, types
from lakelab.emulator.services.athena import results
from lakelab.emulator.services.athena.context import Context
from lakelab.emulator.services.athena.grammar import Statement
from lakelab.emulator.services.athena.query import Planner
from lakelab.emulator.engine.quoting import ident
from lakelab.emulator.services.athena.writes import Layout, done, materialize, register_partitions, write_group, write_manifest


def insert(context: Context, statement: Statement) -> results.Result:
    database = context.database_of(statement.database)
    table = context.catalog.table(database, statement.name or "")
    kind = table.kind
    if kind == catalog.VIEW:
        raise errors.not_supported(f"INSERT INTO the view '{table.qualified}'")
    plan = Planner(context).plan(statement.options["query"], statement.options["at"])
    relation = context.connection.sql(plan.engine_sql)
    keys = table.partition_keys
    every = table.columns + keys
    targets = statement.options["columns"] or [c.name for c in every]
    unknown = [t for t in targets if t not in {c.name for c in every}]
    if unknown:
        raise errors.QueryFailed(f"COLUMN_NOT_FOUND: line 1:1: Insert column name does not exist in target table: {unknown[0]}")
    if len(relation.columns) != len(targets):
        declared = ", ".join(types.athena_name(c.type) for c in every if c.name in targets)
        found = ", ".join(types.athena_column_info("", t)["Type"] for t in relation.types)
        raise errors.QueryFailed(f"TYPE_MISMATCH: line 1:1: Insert query has mismatched column types: "
                                 f"Table: [{declared}], Query: [{found}]")
    rows, groups = materialize(context, _shaped(plan.engine_sql, every, targets), [k.name for k in keys])
    if keys:
        known = {tuple(p.values): p.location for p in table.partitions()}
        folders = register_partitions(context, table, groups, known)
    else:
        folders = {1: table.location}
    file_layout = _layout(table, kind)
    paths = [write_group(context, group, [c.name for c in table.columns], folders[group], file_layout)
             for group, *_ in groups if rows]
    write_manifest(context, paths)
    return done(rows)


def _shaped(engine_sql: str, columns: list[catalog.Column], targets: list[str]) -> str:
    """The query's columns, by position, cast to the table's columns (missing ones NULL)."""
    aliases = ", ".join(f"lakelab_{i}" for i in range(len(targets)))
    select = []
    for column in columns:
        declared = column.type.duckdb()
        value = f"lakelab_{targets.index(column.name)}" if column.name in targets else "NULL"
        select.append(f"CAST({value} AS {declared}) AS {ident(column.name)}")
    return f"SELECT {', '.join(select)} FROM ({engine_sql}) AS lakelab_query({aliases})"


def _layout(table: catalog.Table, kind: str) -> Layout:
    if kind == catalog.PARQUET:
        compression = table.parameters.get("parquet.compression") or table.parameters.get("write.compression")
        return Layout("PARQUET", compression.upper() if compression else None)
    if kind == catalog.JSON:
        return Layout("JSON")
    if kind == catalog.OPEN_CSV:
        raise errors.not_supported(f"INSERT INTO an OpenCSVSerde table ('{table.qualified}')")
    return Layout("TEXTFILE", None, textformats.field_delimiter(table))
