"""Query failures worded as Athena words them, so learners can search the real messages.

A failed query ends FAILED with ``StateChangeReason`` such as
``TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.sales.x' does not exist``.
"""

from __future__ import annotations

import re

USER = 2  # Athena's ErrorCategory: 1 system, 2 user, 3 other
SYSTEM = 1


class QueryFailed(Exception):
    """A query that ends FAILED; ``str()`` is the StateChangeReason."""

    def __init__(self, message: str, category: int = USER) -> None:
        super().__init__(message)
        self.category = category


class ScanLimitExceeded(Exception):
    """The workgroup's BytesScannedCutoffPerQuery was passed after ``scanned`` bytes: CANCELLED."""

    REASON = "Query cancelled! : Bytes scanned limit was exceeded"

    def __init__(self, scanned: int) -> None:
        super().__init__(self.REASON)
        self.scanned = scanned


def at(line: int, column: int) -> str:
    return f"line {line}:{column}: "


def syntax_error(line: int, column: int, found: str, expecting: str = "") -> QueryFailed:
    shown = "<EOF>" if found == "" else found
    detail = f". Expecting: {expecting}" if expecting else ""
    return QueryFailed(f"{at(line, column)}mismatched input '{shown}'{detail}")


def table_not_found(database: str, table: str, where: str = "") -> QueryFailed:
    return QueryFailed(f"TABLE_NOT_FOUND: {where}Table 'awsdatacatalog.{database}.{table}' does not exist")


def schema_not_found(database: str, where: str = "") -> QueryFailed:
    return QueryFailed(f"SCHEMA_NOT_FOUND: {where}Schema '{database}' does not exist")


def not_supported(what: str) -> QueryFailed:
    return QueryFailed(f"NOT_SUPPORTED: {what} is not supported by the Lake Labs emulator")


# DuckDB's wording -> Athena's error name and message. The first pattern that matches wins.
_ENGINE_ERRORS: list[tuple[str, str, str]] = [
    (r'Referenced column "([^"]+)" not found', "COLUMN_NOT_FOUND", "Column '{0}' cannot be resolved"),
    (r'Column "([^"]+)" referenced that exists in the SELECT clause', "COLUMN_NOT_FOUND",
     "Column '{0}' cannot be resolved"),
    (r'Values list "[^"]*" does not have a column named "([^"]+)"', "COLUMN_NOT_FOUND", "Column '{0}' cannot be resolved"),
    (r"(?:Scalar|Aggregate|Table) Function with name (\w+) does not exist", "FUNCTION_NOT_FOUND",
     "Function '{0}' not registered"),
    (r"No function matches the given name and argument types '([^']+)'", "FUNCTION_NOT_FOUND",
     "Unexpected parameters for function {0}"),
    (r"Division by zero", "DIVISION_BY_ZERO", "Division by zero"),
    (r"Could not convert string '([^']*)' to (\w+)", "INVALID_CAST_ARGUMENT", "Cannot cast '{0}' to {1}"),
    (r"Type INT128 with value (\S+) can't be cast .* INT64", "NUMERIC_VALUE_OUT_OF_RANGE", "bigint overflow: {0}"),
    (r"Conversion Error: (.*)", "INVALID_CAST_ARGUMENT", "{0}"),
    (r"Overflow in .*", "NUMERIC_VALUE_OUT_OF_RANGE", "{m}"),
    (r"value (\S+) can't be cast because the value is out of range for the destination type (\w+)",
     "NUMERIC_VALUE_OUT_OF_RANGE", "Value {0} is out of range for {1}"),
    (r"Out of Range Error: (.*)", "NUMERIC_VALUE_OUT_OF_RANGE", "{0}"),
    (r"Malformed JSON|JSON .*error|Invalid JSON", "HIVE_CURSOR_ERROR", "Row is not a valid JSON Object - {m}"),
    (r"INTERRUPT", "USER_CANCELED", "Query was canceled"),
]


def from_engine(error: Exception) -> QueryFailed:
    """Translate an engine exception into Athena's error name and message."""
    message = str(error).split("\n")[0].strip()
    for pattern, name, template in _ENGINE_ERRORS:
        found = re.search(pattern, message)
        if found:
            return QueryFailed(f"{name}: " + template.format(*found.groups(), m=message))
    return QueryFailed(f"GENERIC_USER_ERROR: {message}")
