"""Running one statement: route it by kind, and word engine errors as Athena does."""

from __future__ import annotations

import re
from collections.abc import Callable

from lakelab.emulator.services.athena import ctas, ddl, governance, iceberg, insert, results, show, translate
from lakelab.emulator.engine import errors
from lakelab.emulator.services.athena.context import Context
from lakelab.emulator.services.athena.grammar import Statement
from lakelab.emulator.services.athena.query import Planner
from lakelab.emulator.services.athena.results import Result


def select(context: Context, statement: Statement) -> Result:
    plan = Planner(context).plan(context.query)
    return results.fetch(context.connection, plan.engine_sql)


def explain(context: Context, statement: Statement) -> Result:
    raise errors.not_supported("EXPLAIN")


def _iceberg_or(handler: Callable[[Context, Statement], Result], iceberg_handler: Callable[..., Result],
                when: Callable[[Context, Statement], object]) -> Callable[[Context, Statement], Result]:
    """Iceberg tables' statements go to ``iceberg``; the others keep their handler."""
    def route(context: Context, statement: Statement) -> Result:
        found = when(context, statement)
        if found is None or found is False:
            return handler(context, statement)
        return iceberg_handler(context, statement) if found is True else iceberg_handler(context, found)
    return route


def _existing_iceberg(context: Context, statement: Statement) -> object:
    table = context.catalog.find_table(context.database_of(statement.database), statement.name or "")
    return iceberg.is_iceberg(table) or None


def _new_iceberg(context: Context, statement: Statement) -> object:
    properties = statement.options.get("properties") or {}
    table_type = {k.lower(): v for k, v in properties.items()}.get("table_type", "")
    if str(table_type).upper() == iceberg.ICEBERG:
        return True
    if statement.options.get("partition_transforms"):  # PARTITIONED BY (col) without a type: Iceberg's form
        raise errors.QueryFailed("line 1:1: mismatched input ')'. Expecting: <type> (a Hive table's partition "
                                 "columns have types; partition transforms need 'table_type'='ICEBERG')")
    return None


def _found_iceberg(context: Context, statement: Statement) -> object:
    table = context.catalog.find_table(context.database_of(statement.database), statement.name or "")
    return table if iceberg.is_iceberg(table) else None


def _dropped_iceberg(context: Context, statement: Statement) -> object:
    table = context.catalog.find_table(context.database_of(statement.database), statement.name or "")
    return table if statement.kind == "drop_table" and iceberg.is_iceberg(table) else None


HANDLERS: dict[str, Callable[[Context, Statement], Result]] = {
    "query": select, "explain": explain, "ctas": ctas.ctas, "create_view": ctas.create_view,
    "unload": ctas.unload, "insert": insert.insert,
    "create_database": ddl.create_database, "drop_database": ddl.drop_database,
    "create_table": ddl.create_table, "drop_table": ddl.drop_table, "drop_view": ddl.drop_table,
    "msck": ddl.repair, "add_partitions": ddl.add_partitions, "drop_partitions": ddl.drop_partitions,
    "set_location": ddl.alter_table, "set_properties": ddl.alter_table, "add_columns": ddl.alter_table,
    "show_tables": show.show_tables, "show_views": show.show_tables, "show_databases": show.show_databases,
    "show_partitions": show.show_partitions, "show_columns": show.show_columns,
    "show_create_table": show.show_create_table, "show_create_view": show.show_create_view,
    "show_properties": show.show_properties, "describe": show.describe,
    "merge": iceberg.merge, "update": iceberg.update, "delete": iceberg.delete, "optimize": iceberg.optimize,
    "vacuum": iceberg.vacuum,
}
HANDLERS.update({
    "create_table": _iceberg_or(ddl.create_table, iceberg.create_table, _new_iceberg),
    "ctas": _iceberg_or(ctas.ctas, iceberg.ctas, _new_iceberg),
    "insert": _iceberg_or(insert.insert, iceberg.insert, _existing_iceberg),
    "add_columns": _iceberg_or(ddl.alter_table, iceberg.add_columns, _existing_iceberg),
    "drop_table": _iceberg_or(ddl.drop_table, iceberg.drop, _dropped_iceberg),
    "set_properties": _iceberg_or(ddl.alter_table, iceberg.set_properties, _existing_iceberg),
    "show_create_table": _iceberg_or(show.show_create_table, iceberg.show_create_table, _found_iceberg),
    **{kind: _iceberg_or(HANDLERS[kind], iceberg.refuse, _existing_iceberg)
       for kind in ("add_partitions", "drop_partitions", "msck", "set_location", "show_partitions")},
})


def run(context: Context, statement: Statement) -> Result:
    try:
        governance.require_change(context, statement.kind, statement.database, statement.name)
        return HANDLERS[statement.kind](context, statement)
    except errors.QueryFailed:
        raise
    except Exception as error:
        if not _is_engine_error(error):
            raise
        located = _located(errors.from_engine(error), context.query)
        raise governance.denied_column(context, str(error), _position(str(located))) or located from None


def _position(message: str) -> str:
    found = re.search(r"line \d+:\d+: ", message)
    return found.group(0) if found else ""


def _is_engine_error(error: Exception) -> bool:
    return type(error).__module__.startswith(("duckdb", "_duckdb"))


def _located(failure: errors.QueryFailed, query: str) -> errors.QueryFailed:
    """Add ``line L:C:`` to a missing-column error, where the column is in the learner's query."""
    found = re.match(r"COLUMN_NOT_FOUND: Column '([^']+)'", str(failure))
    if not found:
        return failure
    try:
        from sqlglot import exp

        tree = translate.parse(query)
    except errors.QueryFailed:
        return failure
    for column in tree.find_all(exp.Column):
        if column.name.lower() == found.group(1).lower():
            where = translate.position(column)
            return errors.QueryFailed(str(failure).replace("COLUMN_NOT_FOUND: ", f"COLUMN_NOT_FOUND: {where}", 1))
    return failure
