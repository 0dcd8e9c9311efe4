"""Hive DDL for tables (CREATE EXTERNAL TABLE, ALTER TABLE) and the SHOW statements."""

from __future__ import annotations

from typing import Any

from lakelab.emulator.engine.catalog import Column
from lakelab.emulator.services.athena.grammar import Statement, column_type
from lakelab.emulator.services.athena.tokens import Cursor

_TABLE_CLAUSES = "'COMMENT', 'PARTITIONED', 'CLUSTERED', 'ROW', 'WITH', 'STORED', 'LOCATION', 'TBLPROPERTIES', <EOF>"
_DELIMITED = {
    ("FIELDS", "TERMINATED", "BY"): "field.delim", ("ESCAPED", "BY"): "escape.delim",
    ("COLLECTION", "ITEMS", "TERMINATED", "BY"): "collection.delim",
    ("MAP", "KEYS", "TERMINATED", "BY"): "mapkey.delim", ("LINES", "TERMINATED", "BY"): "line.delim",
    ("NULL", "DEFINED", "AS"): "serialization.null.format",
}


def create_table(cursor: Cursor, database: str | None, name: str, if_not_exists: bool, external: bool) -> Statement:
    options: dict[str, Any] = {"if_not_exists": if_not_exists, "external": external, "columns": [],
                               "partition_keys": [], "serde_properties": {}, "properties": {}}
    if cursor.at("("):
        options["columns"] = column_list(cursor)
    while cursor.token.kind != "eof":
        _table_clause(cursor, options)
    return Statement("create_table", database, name, options)


def _table_clause(cursor: Cursor, options: dict[str, Any]) -> None:
    if cursor.accept("COMMENT"):
        options["comment"] = cursor.string()
    elif cursor.accept("PARTITIONED", "BY"):
        if cursor.peek().kind == "word" and cursor.peek(2).text in (",", ")", "("):
            options["partition_transforms"] = _transforms(cursor)  # an Iceberg table: day(ts), bucket(16, id)
        else:
            options["partition_keys"] = column_list(cursor)
    elif cursor.accept("CLUSTERED", "BY"):
        options["bucketed_by"] = _name_list(cursor)
        if cursor.accept("SORTED", "BY"):
            _name_list(cursor)
        cursor.expect("INTO")
        options["bucket_count"] = cursor.identifier()
        cursor.expect("BUCKETS")
    elif cursor.accept("ROW", "FORMAT"):
        _row_format(cursor, options)
    elif cursor.accept("WITH", "SERDEPROPERTIES"):
        options["serde_properties"].update(properties(cursor))
    elif cursor.accept("STORED", "AS"):
        if cursor.accept("INPUTFORMAT"):
            options["input_format"] = cursor.string()
            cursor.expect("OUTPUTFORMAT")
            options["output_format"] = cursor.string()
        else:
            options["stored_as"] = cursor.identifier().upper()
    elif cursor.accept("LOCATION"):
        options["location"] = cursor.string()
    elif cursor.accept("TBLPROPERTIES"):
        options["properties"].update(properties(cursor))
    else:
        cursor.fail(_TABLE_CLAUSES)


def _row_format(cursor: Cursor, options: dict[str, Any]) -> None:
    if cursor.accept("SERDE"):
        options["serde"] = cursor.string()
        if cursor.accept("WITH", "SERDEPROPERTIES"):
            options["serde_properties"].update(properties(cursor))
        return
    cursor.expect("DELIMITED")
    options["serde"] = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
    matched = True
    while matched:
        matched = False
        for words, key in _DELIMITED.items():
            if cursor.at(words[0]):
                cursor.expect(*words)  # a typo in the clause is reported where it is
                options["serde_properties"][key] = cursor.string()
                matched = True
    delimiter = options["serde_properties"].get("field.delim")
    if delimiter is not None:
        options["serde_properties"]["serialization.format"] = delimiter


def column_list(cursor: Cursor) -> list[Column]:
    cursor.expect("(")
    columns = []
    while True:
        name = cursor.identifier().lower()
        hive_type = column_type(cursor)
        comment = cursor.string() if cursor.accept("COMMENT") else ""
        columns.append(Column(name, hive_type, comment))
        if not cursor.accept(","):
            break
    cursor.expect(")")
    return columns


def _transforms(cursor: Cursor) -> list[str]:
    """Iceberg partition transforms: ``(category, day(ts), bucket(16, id))`` -> their texts."""
    cursor.expect("(")
    found = []
    while True:
        text = cursor.identifier()
        if cursor.accept("("):
            arguments = []
            while not cursor.at(")"):
                arguments.append(cursor.token.text if cursor.token.kind == "number" else cursor.identifier())
                if cursor.token.kind == "number":
                    cursor.index += 1
                cursor.accept(",")
            cursor.expect(")")
            text = f"{text}({', '.join(arguments)})"
        found.append(text)
        if not cursor.accept(","):
            break
    cursor.expect(")")
    return found


def _name_list(cursor: Cursor) -> list[str]:
    cursor.expect("(")
    names = [cursor.identifier().lower()]
    while cursor.accept(","):
        names.append(cursor.identifier().lower())
    cursor.expect(")")
    return names


def properties(cursor: Cursor) -> dict[str, str]:
    cursor.expect("(")
    found: dict[str, str] = {}
    while not cursor.at(")"):
        key = cursor.string()
        cursor.expect("=")
        found[key] = cursor.string()
        if not cursor.accept(","):
            break
    cursor.expect(")")
    return found


def partition_spec(cursor: Cursor) -> dict[str, str]:
    cursor.expect("(")
    spec: dict[str, str] = {}
    while True:
        key = cursor.identifier().lower()
        cursor.expect("=")
        token = cursor.token
        if token.kind not in ("string", "number", "word", "quoted"):
            cursor.fail("<value>")
        spec[key] = token.value
        cursor.index += 1
        if not cursor.accept(","):
            break
    cursor.expect(")")
    return spec


def show(cursor: Cursor) -> Statement:
    cursor.expect("SHOW")
    if cursor.accept("TABLES") or cursor.accept("VIEWS"):
        kind = "show_views" if cursor.tokens[cursor.index - 1].upper == "VIEWS" else "show_tables"
        database = cursor.identifier().lower() if (cursor.accept("IN") or cursor.accept("FROM")) else None
        cursor.accept("LIKE")
        pattern = cursor.string() if cursor.token.kind == "string" else None
        return Statement(kind, database, None, {"pattern": pattern})
    if cursor.accept("DATABASES") or cursor.accept("SCHEMAS"):
        cursor.accept("LIKE")
        pattern = cursor.string() if cursor.token.kind == "string" else None
        return Statement("show_databases", None, None, {"pattern": pattern})
    for words, kind in ((("PARTITIONS",), "show_partitions"), (("CREATE", "TABLE"), "show_create_table"),
                        (("CREATE", "VIEW"), "show_create_view"), (("TBLPROPERTIES",), "show_properties")):
        if cursor.accept(*words):
            database, name = cursor.qualified_name()
            if kind == "show_properties" and cursor.at("("):
                cursor.expect("(")
                cursor.string()
                cursor.expect(")")
            return Statement(kind, database, name)
    if cursor.accept("COLUMNS"):
        if not (cursor.accept("IN") or cursor.accept("FROM")):
            cursor.fail("'IN', 'FROM'")
        database, name = cursor.qualified_name()
        if cursor.accept("IN") or cursor.accept("FROM"):
            database = cursor.identifier().lower()
        return Statement("show_columns", database, name)
    cursor.fail("'TABLES', 'DATABASES', 'SCHEMAS', 'PARTITIONS', 'CREATE', 'COLUMNS', 'VIEWS', 'TBLPROPERTIES'")
    raise AssertionError  # fail() raises


def alter(cursor: Cursor) -> Statement:
    cursor.expect("ALTER", "TABLE")
    database, name = cursor.qualified_name()
    if cursor.accept("ADD"):
        if cursor.accept("COLUMNS"):
            return Statement("add_columns", database, name, {"columns": column_list(cursor)})
        if_not_exists = cursor.accept("IF", "NOT", "EXISTS")
        partitions = []
        cursor.expect("PARTITION")
        while True:
            spec = partition_spec(cursor)
            location = cursor.string() if cursor.accept("LOCATION") else None
            partitions.append((spec, location))
            if not cursor.accept("PARTITION"):
                break
        return Statement("add_partitions", database, name, {"if_not_exists": if_not_exists, "partitions": partitions})
    if cursor.accept("DROP"):
        if_exists = cursor.accept("IF", "EXISTS")
        specs = []
        while cursor.accept("PARTITION"):
            specs.append(partition_spec(cursor))
            cursor.accept(",")
        if not specs:
            cursor.fail("'PARTITION'")
        return Statement("drop_partitions", database, name, {"if_exists": if_exists, "partitions": specs})
    if cursor.accept("SET", "LOCATION"):
        return Statement("set_location", database, name, {"location": cursor.string()})
    if cursor.accept("SET", "TBLPROPERTIES"):
        return Statement("set_properties", database, name, {"properties": properties(cursor)})
    cursor.fail("'ADD', 'DROP', 'SET'")
    raise AssertionError
