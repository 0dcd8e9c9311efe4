"""The Iceberg statements' grammar: MERGE INTO, UPDATE, DELETE, OPTIMIZE and VACUUM.

MERGE, UPDATE and DELETE are told apart and their target named here; their clauses are parsed
with the SQL translator when they run (``iceberg``). OPTIMIZE and VACUUM are parsed here, as in
https://docs.aws.amazon.com/athena/latest/ug/optimize-statement.html and vacuum-statement.html.
"""

from __future__ import annotations

from lakelab.emulator.services.athena.grammar import Statement
from lakelab.emulator.services.athena.tokens import Cursor


def statement(cursor: Cursor) -> Statement:
    first = cursor.token.upper
    if first == "MERGE":
        cursor.expect("MERGE", "INTO")
        return _dml("merge", cursor)
    if first == "UPDATE":
        cursor.expect("UPDATE")
        return _dml("update", cursor)
    if first == "DELETE":
        cursor.expect("DELETE", "FROM")
        return _dml("delete", cursor)
    if first == "OPTIMIZE":
        cursor.expect("OPTIMIZE")
        database, name = cursor.qualified_name()
        cursor.expect("REWRITE", "DATA", "USING", "BIN_PACK")
        where = None
        if cursor.accept("WHERE"):
            where, _, _ = cursor.rest()
            cursor.index = len(cursor.tokens) - 1
        return Statement("optimize", database, name, {"where": where})
    cursor.expect("VACUUM")
    database, name = cursor.qualified_name()
    return Statement("vacuum", database, name)


def _dml(kind: str, cursor: Cursor) -> Statement:
    database, name = cursor.qualified_name()
    return Statement(kind, database, name, {"sql": cursor.sql.strip().rstrip(";")})
