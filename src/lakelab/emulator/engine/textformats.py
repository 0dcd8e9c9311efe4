"""Text tables (LazySimpleSerDe, OpenCSVSerde) and JSON lines, read the way Athena reads them.

Athena reads every text field as a string and then converts it to the declared type; a value that
does not convert becomes NULL and the query still answers (the "malformed rows" behaviour).
Missing trailing fields are NULL, extra fields are ignored, LazySimpleSerDe has no quoting and
writes NULL as ``\\N``, OpenCSVSerde has quoting and no NULLs.
"""

from __future__ import annotations

from lakelab.emulator.engine import catalog
from lakelab.emulator.engine.catalog import Table
from lakelab.emulator.engine.quoting import ident, literal, string_list
from lakelab.emulator.engine.types import HiveType

# Hive's default separators for nested levels: fields ^A, collection items ^B, map keys ^C, ...
_LEVEL_SEPARATORS = ["\x01", "\x02", "\x03", "\x04", "\x05", "\x06", "\x07", "\x08"]
_INTEGERS = ("tinyint", "smallint", "int", "integer", "bigint")


def source(kind: str, table: Table, paths: list[str]) -> str:
    serde = table.serde_parameters
    skip = int(table.parameters.get("skip.header.line.count", "0") or 0)
    if kind == catalog.JSON:
        return _json_source(table, paths)
    if kind == catalog.CLOUDTRAIL:
        return _cloudtrail_source(paths)
    names = [c.name for c in table.columns]
    columns = "{" + ", ".join(f"{literal(n)}: 'VARCHAR'" for n in names) + "}"
    common = (f"header = false, auto_detect = false, columns = {columns}, null_padding = true, "
              f"strict_mode = false, skip = {skip}, compression = 'auto'")
    if kind == catalog.OPEN_CSV:
        delimiter, quote = serde.get("separatorChar", ","), serde.get("quoteChar", '"')
        # OpenCSV reads a doubled quote inside quotes as one quote (what spreadsheets and pandas write);
        # the engine allows one escape, so that one wins over backslash escapes.
        escape = quote
        return (f"read_csv({string_list(paths)}, delim = {literal(delimiter)}, quote = {literal(quote)}, "
                f"escape = {literal(escape)}, force_not_null = {string_list(names)}, {common})")
    delimiter = field_delimiter(table)
    null_text = serde.get("serialization.null.format", "\\N")
    if serde.get("escape.delim"):
        return _escaped_source(table, paths, skip)
    return (f"read_csv({string_list(paths)}, delim = {literal(delimiter)}, quote = '', escape = '', "
            f"nullstr = {literal(null_text)}, {common})")


# Private-use characters stand in for escaped separators while a line is split.
_ESCAPED_ESCAPE, _ESCAPED_DELIMITER = "\ue000", "\ue001"


def _escaped_source(table: Table, paths: list[str], skip: int) -> str:
    """LazySimpleSerDe with ``escape.delim``: ``\\,`` is a comma inside a field (awswrangler's to_csv writes it)."""
    escape, delimiter = table.serde_parameters["escape.delim"], field_delimiter(table)
    line = (f"replace(replace(lakelab_line, {literal(escape * 2)}, {literal(_ESCAPED_ESCAPE)}), "
            f"{literal(escape + delimiter)}, {literal(_ESCAPED_DELIMITER)})")
    lines = (f"read_csv({string_list(paths)}, delim = '\x00', quote = '', escape = '', header = false, "
             f"auto_detect = false, columns = {{'lakelab_line': 'VARCHAR'}}, strict_mode = false, skip = {skip}, "
             "compression = 'auto')")
    return f"(SELECT string_split({line}, {literal(delimiter)}) AS lakelab_fields FROM {lines})"


def _escaped_field(table: Table, index: int) -> str:
    escape, delimiter = table.serde_parameters["escape.delim"], field_delimiter(table)
    null_text = table.serde_parameters.get("serialization.null.format", "\\N")
    raw = f"lakelab_fields[{index + 1}]"
    restored = (f"replace(replace({raw}, {literal(_ESCAPED_DELIMITER)}, {literal(delimiter)}), "
                f"{literal(_ESCAPED_ESCAPE)}, {literal(escape)})")
    return f"CASE WHEN {raw} = {literal(null_text)} THEN NULL ELSE {restored} END"


def field_delimiter(table: Table) -> str:
    serde = table.serde_parameters
    return _hive_byte(serde.get("field.delim") or serde.get("serialization.format"), "\x01")


def _hive_byte(value: str | None, default: str) -> str:
    """Hive reads a separator given as a number as that byte (``'1'`` is ^A), otherwise its first character."""
    if not value:
        return default
    return chr(int(value)) if value.isdigit() and int(value) < 128 else value[0]


def _json_source(table: Table, paths: list[str]) -> str:
    serde = table.serde_parameters
    ignore = serde.get("ignore.malformed.json", "false").lower() == "true"
    columns = ", ".join(
        f"{literal(_json_key(table, c.name))}: {literal(_json_engine_type(c.type))}" for c in table.columns
    )
    return (f"read_json({string_list(paths)}, format = 'newline_delimited', columns = {{{columns}}}, "
            f"ignore_errors = {str(ignore).lower()}, compression = 'auto')")


def _json_key(table: Table, column: str) -> str:
    # The OpenX SerDe maps columns to differently named keys with 'mapping.<column>'.
    return table.serde_parameters.get(f"mapping.{column}", column)


def _json_engine_type(hive_type: HiveType) -> str:
    return hive_type.duckdb() if hive_type.name in ("array", "map", "struct") else "VARCHAR"


def select_list(kind: str, table: Table) -> list[str]:
    if kind == catalog.CLOUDTRAIL:
        return [f"{_record_cell(_record_member('lakelab_record', c.name, 0), c.type, 1)} AS {ident(c.name)}"
                for c in table.columns]
    if kind == catalog.JSON:
        return [
            f"{_json_cell(ident(_json_key(table, c.name)), c.type)} AS {ident(c.name)}" for c in table.columns
        ]
    separators = _separators(table)
    escaped = kind == catalog.TEXT and bool(table.serde_parameters.get("escape.delim"))
    return [
        f"{convert(_escaped_field(table, i) if escaped else ident(c.name), c.type, separators, 1)} AS {ident(c.name)}"
        for i, c in enumerate(table.columns)
    ]


def _cloudtrail_source(paths: list[str]) -> str:
    """CloudTrail log files: one gzipped JSON object each, whose ``Records`` array holds the rows."""
    files = (f"read_json({string_list(paths)}, columns = {{'Records': 'JSON[]'}}, compression = 'auto', "
             "maximum_object_size = 268435456)")
    return f"(SELECT unnest(Records) AS lakelab_record FROM {files})"


def _record_member(record: str, name: str, depth: int) -> str:
    """``record``'s member ``name``, whatever its case: the JsonSerDe fills column eventname from eventName."""
    key = f"key{depth}"
    found = f"list_filter(json_keys({record}), lambda {key}: lower({key}) = {literal(name.lower())})[1]"
    return f"json_extract({record}, '$.\"' || {found} || '\"')"


def _record_cell(value: str, hive_type: HiveType, depth: int) -> str:
    """A JSON value as the declared type; objects and arrays in a string column stay JSON text."""
    if hive_type.name == "struct":
        fields = ", ".join(f"{literal(name)}: {_record_cell(_record_member(value, name, depth), child, depth + 1)}"
                           for name, child in zip(hive_type.field_names, hive_type.children))
        return f"CASE WHEN json_type({value}) = 'OBJECT' THEN {{{fields}}} END"
    if hive_type.name == "array":
        item = f"item{depth}"
        inner = _record_cell(item, hive_type.children[0], depth + 1)
        return f"CASE WHEN json_type({value}) = 'ARRAY' THEN list_transform(CAST({value} AS JSON[]), lambda {item}: {inner}) END"
    if hive_type.name == "map":
        key = f"key{depth}"
        inner = _record_cell(f"json_extract({value}, '$.\"' || {key} || '\"')", hive_type.children[1], depth + 1)
        entries = f"list_transform(json_keys({value}), lambda {key}: {{'key': {key}, 'value': {inner}}})"
        return f"CASE WHEN json_type({value}) = 'OBJECT' THEN map_from_entries({entries}) END"
    return convert(f"json_extract_string({value}, '$')", hive_type, _LEVEL_SEPARATORS, 1)


def _json_cell(expression: str, hive_type: HiveType) -> str:
    if hive_type.name in ("array", "map", "struct"):
        return expression
    return convert(expression, hive_type, _LEVEL_SEPARATORS, 1)


def _separators(table: Table) -> list[str]:
    serde = table.serde_parameters
    separators = list(_LEVEL_SEPARATORS)
    separators[0] = field_delimiter(table)
    # Hive's own misspelling 'colelction.delim' is what some tools still write
    separators[1] = _hive_byte(serde.get("collection.delim") or serde.get("colelction.delim"), separators[1])
    separators[2] = _hive_byte(serde.get("mapkey.delim"), separators[2])
    return separators


def convert(expression: str, hive_type: HiveType, separators: list[str], level: int) -> str:
    """Engine SQL turning Hive's text for one value into the declared type (NULL if it cannot)."""
    name = hive_type.name
    if hive_type.is_text:
        return expression
    if name in _INTEGERS:
        return f"CASE WHEN regexp_full_match({expression}, '[+-]?[0-9]+') THEN TRY_CAST({expression} AS {hive_type.duckdb()}) END"
    if name == "boolean":
        return f"CASE lower({expression}) WHEN 'true' THEN true WHEN 'false' THEN false END"
    if name == "array":
        return _array(expression, hive_type, separators, level)
    if name == "map":
        return _map(expression, hive_type, separators, level)
    if name == "struct":
        return _struct(expression, hive_type, separators, level)
    # trim() keeps the engine from pushing the cast into the CSV reader, where it would be strict
    converted = f"TRY_CAST(trim({expression}) AS {hive_type.duckdb()})"
    return f"date_trunc('millisecond', {converted})" if name == "timestamp" else converted


def _array(expression: str, hive_type: HiveType, separators: list[str], level: int) -> str:
    item = f"item{level}"
    inner = convert(item, hive_type.children[0], separators, level + 1)
    split = f"string_split({expression}, {literal(separators[level])})"
    return f"CASE WHEN {expression} = '' THEN [] ELSE list_transform({split}, lambda {item}: {inner}) END"


def _map(expression: str, hive_type: HiveType, separators: list[str], level: int) -> str:
    entry = f"entry{level}"
    key_separator = literal(separators[level + 1])
    key = convert(f"split_part({entry}, {key_separator}, 1)", hive_type.children[0], separators, level + 2)
    value = convert(f"split_part({entry}, {key_separator}, 2)", hive_type.children[1], separators, level + 2)
    split = f"string_split({expression}, {literal(separators[level])})"
    entries = f"list_transform({split}, lambda {entry}: {{'key': {key}, 'value': {value}}})"
    return f"CASE WHEN {expression} = '' THEN MAP() ELSE map_from_entries({entries}) END"


def _struct(expression: str, hive_type: HiveType, separators: list[str], level: int) -> str:
    separator = literal(separators[level])
    fields = ", ".join(
        f"{literal(name)}: {convert(f'split_part({expression}, {separator}, {i + 1})', child, separators, level + 1)}"
        for i, (name, child) in enumerate(zip(hive_type.field_names, hive_type.children))
    )
    return f"CASE WHEN {expression} IS NULL THEN NULL ELSE {{{fields}}} END"
