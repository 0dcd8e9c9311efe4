"""The lake's data contracts: what a file of each table must look like to enter ``validated/``.

A contract names a table's columns in order, each with a type, and the columns that may not be
empty. Week 3's validator ships ``CONTRACTS`` in its deployment package as JSON; the checks judge
every landed file with :func:`problem`, the course's reference reading of the same contracts.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

CONTRACTS: dict[str, dict] = {
    "orders": {
        "columns": {
            "order_id": "string", "customer_id": "string", "order_ts": "timestamp", "status": "string",
            "sku": "string", "product_name": "string", "quantity": "integer", "unit_price": "decimal",
            "amount": "decimal", "currency": "string", "country": "string", "channel": "string",
        },
        "required": ["order_id", "customer_id", "order_ts", "status", "quantity", "unit_price", "amount", "currency"],
    },
    "customers": {
        "columns": {
            "customer_id": "string", "first_name": "string", "last_name": "string", "email": "string",
            "phone": "string", "street_address": "string", "city": "string", "country": "string",
            "date_of_birth": "date", "signup_date": "date", "marketing_opt_in": "boolean", "segment": "string",
        },
        "required": ["customer_id", "email", "country", "signup_date"],
    },
}

# How each type is written in the lake's CSV files (the datasets' README documents the same).
PATTERNS = {"string": r"(?s).*", "integer": r"-?\d+", "decimal": r"-?\d+(\.\d+)?", "boolean": r"true|false"}
TIME_FORMATS = {"date": "%Y-%m-%d", "timestamp": "%Y-%m-%dT%H:%M:%SZ"}


def parses(kind: str, text: str) -> bool:
    """Whether ``text`` is a value of the contract type ``kind`` (dates must also exist)."""
    if kind in TIME_FORMATS:
        try:
            datetime.strptime(text, TIME_FORMATS[kind])
        except ValueError:
            return False
        return True
    return re.fullmatch(PATTERNS[kind], text) is not None


def problem(table: str, body: bytes) -> str | None:
    """Why ``body`` breaks the contract of ``table`` (the first reason found), or None if it keeps it."""
    if not body:
        return "empty file (0 bytes)"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"not UTF-8: byte 0x{body[error.start]:02x} at offset {error.start}"
    contract = CONTRACTS[table]
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, [])
    if header != list(contract["columns"]):
        return header_problem(table, header)
    for number, row in enumerate(rows, start=1):
        found = row_problem(contract, header, row)
        if found:
            return f"row {number}: {found}"
    return None


def header_problem(table: str, header: list[str]) -> str:
    expected = list(CONTRACTS[table]["columns"])
    missing = [column for column in expected if column not in header]
    unexpected = [column for column in header if column not in expected]
    details = []
    if missing:
        details.append(f"missing {', '.join(missing)}")
    if unexpected:
        details.append(f"unexpected {', '.join(unexpected)}")
    return f"header does not match the {table} contract: {'; '.join(details) or 'columns in another order'}"


def row_problem(contract: dict, header: list[str], row: list[str]) -> str | None:
    if len(row) != len(header):
        return f"{len(row)} fields, the header has {len(header)}"
    for column, value in zip(header, row):
        kind = contract["columns"][column]
        if value == "" and column in contract["required"]:
            return f"{column} is required"
        if value != "" and not parses(kind, value):
            return f"{column} {ascii(value)} does not parse as {kind}"
    return None
