"""SHOW and DESCRIBE: catalog facts as Athena prints them (tab-separated text, no header)."""

from __future__ import annotations

import fnmatch

from lakelab.emulator.engine import errors
from lakelab.emulator.services.athena import governance, results
from lakelab.emulator.engine.catalog import Column, Table
from lakelab.emulator.services.athena.context import Context
from lakelab.emulator.services.athena.grammar import Statement
from lakelab.emulator.services.athena.results import Result


def _matches(name: str, pattern: str | None) -> bool:
    """Hive's SHOW patterns: ``*`` is any text and ``|`` separates alternatives."""
    if not pattern:
        return True
    return any(fnmatch.fnmatchcase(name, p.strip().lower()) for p in pattern.split("|"))


def show_tables(context: Context, statement: Statement) -> Result:
    database = context.require_database(statement.database)
    want_views = statement.kind == "show_views"
    names = []
    for name in context.catalog.table_names(database):
        table = context.catalog.find_table(database, name)
        is_view = table is not None and table.definition.get("TableType") == "VIRTUAL_VIEW"
        if _matches(name, statement.options.get("pattern")) and (is_view or not want_views):
            names.append([name])
    return results.text_result(["views" if want_views else "tab_name"], names)


def show_databases(context: Context, statement: Statement) -> Result:
    names = [[n] for n in context.catalog.database_names() if _matches(n, statement.options.get("pattern"))]
    return results.text_result(["database_name"], names)


def _table(context: Context, statement: Statement) -> Table:
    database = context.require_database(statement.database)
    found = context.catalog.find_table(database, statement.name or "")
    if found is None:
        raise errors.QueryFailed(f"FAILED: SemanticException [Error 10001]: Table not found {statement.name}")
    return found


def show_partitions(context: Context, statement: Statement) -> Result:
    table = _table(context, statement)
    if not table.partition_keys:
        raise errors.QueryFailed(f"FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. "
                                 f"Table {table.name} is not a partitioned table")
    keys = [k.name for k in table.partition_keys]
    lines = sorted("/".join(f"{k}={v}" for k, v in zip(keys, p.values)) for p in table.partitions())
    return results.text_result(["partition"], [[line] for line in lines])


def show_columns(context: Context, statement: Statement) -> Result:
    table = _table(context, statement)
    shown = governance.visible(table, table.columns + table.partition_keys, hidden_table_fails=True)
    return results.text_result(["field"], [[c.name] for c in shown])


def show_properties(context: Context, statement: Statement) -> Result:
    table = _table(context, statement)
    rows = [[k, v] for k, v in sorted(table.parameters.items())]
    return results.text_result(["prpt_name", "prpt_value"], rows)


def describe(context: Context, statement: Statement) -> Result:
    table = _table(context, statement)
    shown = governance.visible(table, table.columns + table.partition_keys, hidden_table_fails=True)
    keys = [c for c in table.partition_keys if c in shown]
    rows = [_describe_row(c) for c in shown]
    if keys:
        rows += [["", "", ""], ["# Partition Information", "", ""], _describe_row_text("# col_name", "data_type", "comment"),
                 ["", "", ""]]
        rows += [_describe_row(c) for c in keys]
    if statement.options.get("formatted"):
        rows += [["", "", ""], ["# Detailed Table Information", "", ""],
                 _describe_row_text("Database:", table.database, ""), _describe_row_text("Location:", table.location, ""),
                 _describe_row_text("Table Type:", table.definition.get("TableType", ""), "")]
    return results.text_result(["col_name", "data_type", "comment"], rows)


def _describe_row(column: Column) -> list[str]:
    return _describe_row_text(column.name, column.type.hive(), column.comment or "")


def _describe_row_text(name: str, data_type: str, comment: str) -> list[str]:
    # Athena pads each field to 20 characters, as Hive's DESCRIBE does
    return [f"{name:<20}", f"{data_type:<20}", f"{comment:<20}"]


def show_create_table(context: Context, statement: Statement) -> Result:
    table = _table(context, statement)
    if table.definition.get("TableType") == "VIRTUAL_VIEW":
        return show_create_view(context, statement)
    lines = [f"CREATE EXTERNAL TABLE `{table.database}.{table.name}`("]
    lines += _column_lines(governance.visible(table, table.columns, hidden_table_fails=True))
    keys = governance.visible(table, table.partition_keys, hidden_table_fails=True) if table.partition_keys else []
    if keys:
        lines += ["PARTITIONED BY ( "] + _column_lines(keys)
    serde = table.storage.get("SerdeInfo") or {}
    lines += ["ROW FORMAT SERDE ", f"  '{serde.get('SerializationLibrary', '')}' "]
    if table.serde_parameters:
        lines.append("WITH SERDEPROPERTIES ( ")
        lines += _property_lines(table.serde_parameters)
    lines += ["STORED AS INPUTFORMAT ", f"  '{table.storage.get('InputFormat', '')}' ", "OUTPUTFORMAT ",
              f"  '{table.storage.get('OutputFormat', '')}'", "LOCATION", f"  '{table.location}'"]
    shown = {k: v for k, v in table.parameters.items() if k != "EXTERNAL"}
    if shown:
        lines.append("TBLPROPERTIES (")
        lines += _property_lines(shown)
    return results.text_result(["createtab_stmt"], [[line] for line in lines])


def _column_lines(columns: list[Column]) -> list[str]:
    lines = []
    for index, column in enumerate(columns):
        comment = f" COMMENT '{column.comment}'" if column.comment else ""
        end = ")" if index == len(columns) - 1 else ", "
        lines.append(f"  `{column.name}` {column.type.hive()}{comment}{end}")
    return lines


def _property_lines(properties: dict[str, str]) -> list[str]:
    items = list(properties.items())
    escaped = [(k, v.encode("unicode_escape").decode().replace("'", "\\'")) for k, v in items]
    return [f"  '{k}'='{v}'" + (")" if i == len(items) - 1 else ", ") for i, (k, v) in enumerate(escaped)]


def show_create_view(context: Context, statement: Statement) -> Result:
    from lakelab.emulator.services.athena.query import view_definition

    table = _table(context, statement)
    sql, _ = view_definition(table)
    text = f'CREATE VIEW "{table.database}"."{table.name}" AS\n{sql}'
    return results.text_result(["createtab_stmt"], [[line] for line in text.split("\n")])
