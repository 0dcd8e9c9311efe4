"""Which statement a query string is, and the parts of DDL and utility statements.

Queries (SELECT, WITH, VALUES) go to the SQL translator; everything else is parsed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator.engine import types
from lakelab.emulator.services.athena.tokens import Cursor

STATEMENT_STARTS = "'ALTER', 'CREATE', 'DESC', 'DESCRIBE', 'DROP', 'EXPLAIN', 'INSERT', 'MSCK', 'SELECT', 'SHOW', 'UNLOAD', 'VALUES', 'WITH', '('"

# kind -> (StatementType, SubstatementType) as GetQueryExecution reports them
KINDS = {
    "query": ("DML", "SELECT"), "insert": ("DML", "INSERT"), "unload": ("DML", "UNLOAD"),
    "ctas": ("DDL", "CREATE_TABLE_AS_SELECT"), "create_table": ("DDL", "CREATE_TABLE"),
    "create_database": ("DDL", "CREATE_DATABASE"), "drop_database": ("DDL", "DROP_DATABASE"),
    "drop_table": ("DDL", "DROP_TABLE"), "create_view": ("DDL", "CREATE_VIEW"), "drop_view": ("DDL", "DROP_VIEW"),
    "msck": ("DDL", "MSCK_REPAIR_TABLE"), "add_partitions": ("DDL", "ALTER_TABLE_ADD_PARTITION"),
    "drop_partitions": ("DDL", "ALTER_TABLE_DROP_PARTITION"), "set_location": ("DDL", "ALTER_TABLE_SET_LOCATION"),
    "set_properties": ("DDL", "ALTER_TABLE_SET_TBLPROPERTIES"), "add_columns": ("DDL", "ALTER_TABLE_ADD_COLUMNS"),
    "show_tables": ("UTILITY", "SHOW_TABLES"), "show_databases": ("UTILITY", "SHOW_DATABASES"),
    "show_partitions": ("UTILITY", "SHOW_PARTITIONS"), "show_create_table": ("UTILITY", "SHOW_CREATE_TABLE"),
    "show_columns": ("UTILITY", "SHOW_COLUMNS"), "show_views": ("UTILITY", "SHOW_VIEWS"),
    "show_properties": ("UTILITY", "SHOW_TBLPROPERTIES"), "describe": ("UTILITY", "DESCRIBE_TABLE"),
    "show_create_view": ("UTILITY", "SHOW_CREATE_VIEW"), "explain": ("UTILITY", "EXPLAIN"),
    # Iceberg statements: UPDATE, DELETE and MERGE as PyAthena reads them (OPTIMIZE and VACUUM unverified)
    "merge": ("DML", "MERGE"), "update": ("DML", "UPDATE"), "delete": ("DML", "DELETE"),
    "optimize": ("DML", "OPTIMIZE"), "vacuum": ("DML", "VACUUM"),
}


@dataclass
class Statement:
    kind: str
    database: str | None = None
    name: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


def classify(sql: str) -> str:
    """The statement kind from its first words, without failing (for StatementType)."""
    try:
        return parse(sql).kind
    except Exception:
        words = re.findall(r"[A-Za-z]+", re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S))[:1]
        first = words[0].upper() if words else ""
        by_first_word = {"SELECT": "query", "WITH": "query", "VALUES": "query", "INSERT": "insert",
                         "SHOW": "show_tables", "DESCRIBE": "describe", "DESC": "describe"}
        return by_first_word.get(first, "create_table")


def parse(sql: str) -> Statement:
    cursor = Cursor(sql)
    first = cursor.token.upper
    if first in ("SELECT", "WITH", "VALUES", "(", "TABLE"):
        return Statement("query")
    rule = _RULES.get(first)
    if rule is None:
        cursor.fail(STATEMENT_STARTS)
    statement = rule(cursor)
    if statement.kind not in ("ctas", "insert", "create_view", "explain", "unload", "merge", "update", "delete"):
        cursor.end()
    return statement


def _create(cursor: Cursor) -> Statement:
    cursor.expect("CREATE")
    if cursor.accept("DATABASE") or cursor.accept("SCHEMA"):
        return _create_database(cursor)
    replace = cursor.accept("OR", "REPLACE")
    if cursor.accept("VIEW"):
        return _create_view(cursor, replace)
    external = cursor.accept("EXTERNAL")
    if not cursor.at("TABLE"):
        cursor.fail("'DATABASE', 'EXTERNAL', 'OR', 'SCHEMA', 'TABLE', 'VIEW'" if not external else "'TABLE'")
    cursor.expect("TABLE")
    if_not_exists = cursor.accept("IF", "NOT", "EXISTS")
    database, name = cursor.qualified_name()
    if not external and (cursor.at("WITH") or cursor.at("AS")):
        return _ctas(cursor, database, name, if_not_exists)
    from lakelab.emulator.services.athena import grammar_tables

    return grammar_tables.create_table(cursor, database, name, if_not_exists, external)


def _create_database(cursor: Cursor) -> Statement:
    if_not_exists = cursor.accept("IF", "NOT", "EXISTS")
    name = cursor.identifier().lower()
    options: dict[str, Any] = {"if_not_exists": if_not_exists}
    while cursor.token.kind != "eof":
        if cursor.accept("COMMENT"):
            options["comment"] = cursor.string()
        elif cursor.accept("LOCATION"):
            options["location"] = cursor.string()
        elif cursor.accept("WITH", "DBPROPERTIES"):
            from lakelab.emulator.services.athena.grammar_tables import properties

            options["properties"] = properties(cursor)
        else:
            cursor.fail("'COMMENT', 'LOCATION', 'WITH DBPROPERTIES', <EOF>")
    return Statement("create_database", None, name, options)


def _create_view(cursor: Cursor, replace: bool) -> Statement:
    database, name = cursor.qualified_name()
    cursor.expect("AS")
    query, line, column = cursor.rest()
    return Statement("create_view", database, name, {"replace": replace, "query": query, "at": (line, column)})


def _ctas(cursor: Cursor, database: str | None, name: str, if_not_exists: bool) -> Statement:
    properties = _with_properties(cursor)
    cursor.expect("AS")
    query, line, column = cursor.rest()
    with_data = True
    found = re.search(r"\s+WITH\s+(NO\s+)?DATA\s*$", query, flags=re.IGNORECASE)
    if found:
        with_data = found.group(1) is None
        query = query[: found.start()]
    options = {"if_not_exists": if_not_exists, "properties": properties, "query": query,
               "at": (line, column), "with_data": with_data}
    return Statement("ctas", database, name, options)


def _with_properties(cursor: Cursor) -> dict[str, Any]:
    """Trino's ``WITH (key = value, ...)`` table properties."""
    properties: dict[str, Any] = {}
    if cursor.accept("WITH"):
        cursor.expect("(")
        while True:
            key = cursor.identifier().lower()
            cursor.expect("=")
            properties[key] = _property_value(cursor)
            if not cursor.accept(","):
                break
        cursor.expect(")")
    return properties


def _property_value(cursor: Cursor) -> Any:
    if cursor.accept("ARRAY"):
        cursor.expect("[")
        items = []
        while not cursor.at("]"):
            items.append(cursor.string())
            if not cursor.accept(","):
                break
        cursor.expect("]")
        return items
    if cursor.token.kind == "number":
        value = cursor.token.text
        cursor.index += 1
        return value
    if cursor.token.upper in ("TRUE", "FALSE"):
        value = cursor.token.upper.lower()
        cursor.index += 1
        return value
    return cursor.string()


def _insert(cursor: Cursor) -> Statement:
    cursor.expect("INSERT", "INTO")
    database, name = cursor.qualified_name()
    columns: list[str] = []
    if cursor.at("(") and cursor.peek().upper not in ("SELECT", "WITH", "VALUES"):
        cursor.expect("(")
        columns.append(cursor.identifier().lower())
        while cursor.accept(","):
            columns.append(cursor.identifier().lower())
        cursor.expect(")")
    query, line, column = cursor.rest()
    return Statement("insert", database, name, {"columns": columns, "query": query, "at": (line, column)})


def _drop(cursor: Cursor) -> Statement:
    cursor.expect("DROP")
    if cursor.accept("DATABASE") or cursor.accept("SCHEMA"):
        if_exists = cursor.accept("IF", "EXISTS")
        name = cursor.identifier().lower()
        cascade = cursor.accept("CASCADE")
        cursor.accept("RESTRICT")
        return Statement("drop_database", None, name, {"if_exists": if_exists, "cascade": cascade})
    kind = "drop_view" if cursor.accept("VIEW") else None
    if kind is None:
        cursor.expect("TABLE")
        kind = "drop_table"
    if_exists = cursor.accept("IF", "EXISTS")
    database, name = cursor.qualified_name()
    cursor.accept("PURGE")
    return Statement(kind, database, name, {"if_exists": if_exists})


def _msck(cursor: Cursor) -> Statement:
    cursor.expect("MSCK", "REPAIR", "TABLE")
    database, name = cursor.qualified_name()
    return Statement("msck", database, name)


def _describe(cursor: Cursor) -> Statement:
    cursor.index += 1
    formatted = cursor.accept("FORMATTED") or cursor.accept("EXTENDED")
    database, name = cursor.qualified_name()
    partition = None
    if cursor.at("PARTITION"):
        from lakelab.emulator.services.athena.grammar_tables import partition_spec

        cursor.expect("PARTITION")
        partition = partition_spec(cursor)
    return Statement("describe", database, name, {"formatted": formatted, "partition": partition})


def _explain(cursor: Cursor) -> Statement:
    return Statement("explain")


def _unload(cursor: Cursor) -> Statement:
    cursor.expect("UNLOAD", "(")
    start, depth = cursor.token, 1
    while cursor.token.kind != "eof":
        depth += {"(": 1, ")": -1}.get(cursor.token.text, 0)
        if depth == 0:
            break
        cursor.index += 1
    query = cursor.sql[start.start : cursor.token.start]
    cursor.expect(")", "TO")
    location = cursor.string()
    properties = _with_properties(cursor)
    cursor.end()
    options = {"query": query, "at": (start.line - 1, start.column - 1), "location": location,
               "properties": properties}
    return Statement("unload", None, None, options)


def _show(cursor: Cursor) -> Statement:
    from lakelab.emulator.services.athena import grammar_tables

    return grammar_tables.show(cursor)


def _alter(cursor: Cursor) -> Statement:
    from lakelab.emulator.services.athena import grammar_tables

    return grammar_tables.alter(cursor)


def _row_changes(cursor: Cursor) -> Statement:
    from lakelab.emulator.services.athena import grammar_iceberg

    return grammar_iceberg.statement(cursor)


_RULES = {"CREATE": _create, "DROP": _drop, "INSERT": _insert, "MSCK": _msck, "DESCRIBE": _describe,
          "DESC": _describe, "SHOW": _show, "ALTER": _alter, "EXPLAIN": _explain, "UNLOAD": _unload,
          "DELETE": _row_changes, "UPDATE": _row_changes, "MERGE": _row_changes, "VACUUM": _row_changes,
          "OPTIMIZE": _row_changes}


def column_type(cursor: Cursor) -> types.HiveType:
    """A column type, possibly nested (``array<struct<a:int>>``), read up to the next , or )."""
    start = cursor.token
    depth, parts = 0, []
    while cursor.token.kind != "eof":
        text = cursor.token.text
        if depth == 0 and (text in (",", ")") or cursor.token.upper == "COMMENT") and parts:
            break
        depth += {"<": 1, "(": 1, ">": -1, ")": -1}.get(text, 0)
        parts.append(cursor.token.value if cursor.token.kind == "backtick" else text)
        cursor.index += 1
    try:
        return types.parse(" ".join(parts))
    except Exception:
        from lakelab.emulator.engine import errors

        raise errors.QueryFailed(
            f"{errors.at(start.line, start.column)}Unknown type '{' '.join(parts)}'"
        ) from None
