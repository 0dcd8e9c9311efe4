"""Glue's built-in CSV classifier: delimiter, header and column types.

The rules follow the Glue developer guide ("Built-in CSV classifier"):

- the delimiters tried are comma, pipe, tab, semicolon and Ctrl-A; every row must split into
  the same number of columns, at least two, and there must be at least two rows;
- the first row is a header only when every cell in it parses as STRING (cells but the last
  are shorter than 150 characters) and some column of the data parses as another type. A file
  whose data is all strings therefore gets no header and columns ``col0``, ``col1``, ... (the
  guide says ``col1``; crawled tables start at ``col0``), a classic surprise kept on purpose;
- types are boolean, bigint, double and string. Dates and timestamps stay ``string``: that is
  what crawled CSV tables show (Glue's CSV classifier only types them with a custom classifier's
  custom datatypes), unlike Parquet, whose file schema carries them;
- when fields are quoted, the table uses OpenCSVSerde (``quoteChar``, ``separatorChar``) and
  ``areColumnsQuoted`` is ``true``; otherwise LazySimpleSerDe with ``field.delim``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

LAZY_SIMPLE_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
DELIMITERS = (",", "|", "\t", ";", "\x01")
HEADER_CELL_LIMIT = 150

_INTEGER = r"[+-]?\d+"
_DECIMAL = r"[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?"
_BOOLEANS = re.compile(r"(?:true|false)(?:\n(?:true|false))*")
_INTEGERS = re.compile(f"{_INTEGER}(?:\n{_INTEGER})*")
_DECIMALS = re.compile(f"{_DECIMAL}(?:\n{_DECIMAL})*")


@dataclass
class CsvResult:
    columns: dict[str, str]
    records: int
    bytes_used: int  # text bytes of the data rows counted, for extrapolating the record count
    serde: str
    serde_parameters: tuple[tuple[str, str], ...]
    table_parameters: tuple[tuple[str, str], ...]


def classify_csv(text: str, complete: bool, max_rows: int) -> CsvResult:
    from lakelab.emulator.services.glue.schema_inference import Unclassifiable

    lines = text.splitlines(keepends=True)
    if not complete and lines and not lines[-1].endswith(("\n", "\r")):
        lines.pop()  # the sample ends inside this line
    # Types come from the first rows; the record count from every line of the sample.
    sample_lines = sum(1 for line in lines if line.strip())
    sample_bytes = sum(len(line.encode()) for line in lines)
    text = "".join(lines[: max_rows + 1])
    delimiter, rows = _split(text, Unclassifiable)
    width = len(rows[0])
    types = _column_types(rows[1:], width)
    header = _is_header(rows, types)
    if header:
        names = _column_names(rows[0])
    else:  # the first row is data too
        names = [f"col{index}" for index in range(width)]
        types = _column_types(rows, width)
    header_bytes = len(lines[0].encode()) if header else 0
    serde, serde_parameters, quoted = _serde(text, delimiter)
    table_parameters = [("areColumnsQuoted", quoted), ("columnsOrdered", "true"), ("delimiter", delimiter)]
    if header:
        table_parameters.append(("skip.header.line.count", "1"))
    header_rows = 1 if header else 0
    records = len(rows) - header_rows if len(lines) <= max_rows + 1 else sample_lines - header_rows
    return CsvResult(
        dict(zip(names, (kind or "string" for kind in types))), records, sample_bytes - header_bytes,
        serde, serde_parameters, tuple(table_parameters),
    )


def _split(text: str, unclassifiable: type[Exception]) -> tuple[str, list[list[str]]]:
    """The delimiter that splits every row into the same number (two or more) of columns."""
    first_line = text.split("\n", 1)[0]
    candidates = [delimiter for delimiter in DELIMITERS if delimiter in first_line]
    if not candidates:
        raise unclassifiable("no delimiter Glue recognises (comma, pipe, tab, semicolon, Ctrl-A) and no other format")
    best: tuple[str, list[list[str]]] | None = None
    for delimiter in candidates:
        try:
            rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row]
        except csv.Error:
            continue
        if len({len(row) for row in rows}) == 1 and (best is None or len(rows[0]) > len(best[1][0])):
            best = (delimiter, rows)
    if best is None:
        raise unclassifiable("rows with different numbers of columns (a ragged CSV)")
    if len(best[1]) < 2:
        raise unclassifiable("fewer than two rows (a CSV table needs two rows and two columns)")
    return best


def value_type(cell: str) -> str | None:
    """The Glue CSV type of one cell; None for an empty cell, which fits any type."""
    return _column_type([cell])


def _column_types(rows: list[list[str]], width: int) -> list[str | None]:
    return [_column_type([row[index] for row in rows]) for index in range(width)]


def _column_type(cells: list[str]) -> str | None:
    """The narrowest type every non-empty cell fits; one regex over the whole column is much
    faster than one per cell, and crawls of many files spend their time here."""
    values = [value for value in (cell.strip() for cell in cells) if value]
    if not values:
        return None
    joined = "\n".join(values)
    if _BOOLEANS.fullmatch(joined.lower()):
        return "boolean"
    if _INTEGERS.fullmatch(joined):
        fits = all(-(2**63) <= int(value) < 2**63 for value in values if len(value) > 18)
        return "bigint" if fits else "string"
    return "double" if _DECIMALS.fullmatch(joined) else "string"


def _is_header(rows: list[list[str]], data_types: list[str | None]) -> bool:
    first = rows[0]
    if any(value_type(cell) != "string" or len(cell) >= HEADER_CELL_LIMIT for cell in first[:-1]):
        return False
    if value_type(first[-1]) not in ("string", None):
        return False
    return any(kind not in ("string", None) for kind in data_types)


def _column_names(cells: list[str]) -> list[str]:
    """Catalog names: lowercased; an empty trailing cell and repeated names get unique names."""
    names: list[str] = []
    for index, cell in enumerate(cells):
        name = cell.strip().lower() or f"col{index}"
        candidate, suffix = name, 1
        while candidate in names:
            candidate, suffix = f"{name}_{suffix}", suffix + 1
        names.append(candidate)
    return names


def _serde(text: str, delimiter: str) -> tuple[str, tuple[tuple[str, str], ...], str]:
    if re.search(f'(?:^|{re.escape(delimiter)})"', text, re.MULTILINE):
        return OPEN_CSV_SERDE, (("quoteChar", '"'), ("separatorChar", delimiter)), "true"
    return LAZY_SIMPLE_SERDE, (("field.delim", delimiter),), "false"
