"""Column types in the three spellings the emulator meets.

- Hive, as the Glue catalog stores them: ``int``, ``string``, ``array<struct<a:int>>``.
- DuckDB, the engine: ``INTEGER``, ``VARCHAR``, ``STRUCT("a" INTEGER)[]``.
- Athena's result metadata (Trino names): ``integer``, ``varchar``, ``array``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator.engine.errors import QueryFailed

_HIVE_TO_DUCKDB = {
    "tinyint": "TINYINT", "smallint": "SMALLINT", "int": "INTEGER", "integer": "INTEGER",
    "bigint": "BIGINT", "float": "FLOAT", "real": "FLOAT", "double": "DOUBLE", "boolean": "BOOLEAN",
    "string": "VARCHAR", "varchar": "VARCHAR", "char": "VARCHAR", "date": "DATE", "timestamp": "TIMESTAMP",
    "binary": "BLOB", "varbinary": "BLOB", "json": "VARCHAR",
}
_CANONICAL = {"integer": "int", "real": "float", "varbinary": "binary", "json": "string"}


@dataclass
class HiveType:
    name: str  # lower case: int, decimal, array, map, struct, ...
    params: list[int] = field(default_factory=list)
    children: list[HiveType] = field(default_factory=list)
    field_names: list[str] = field(default_factory=list)

    @property
    def is_text(self) -> bool:
        return self.name in ("string", "varchar", "char")

    def hive(self) -> str:
        """Glue's canonical spelling."""
        if self.name == "array":
            return f"array<{self.children[0].hive()}>"
        if self.name == "map":
            return f"map<{self.children[0].hive()},{self.children[1].hive()}>"
        if self.name == "struct":
            parts = ",".join(f"{n}:{c.hive()}" for n, c in zip(self.field_names, self.children))
            return f"struct<{parts}>"
        name = _CANONICAL.get(self.name, self.name)
        return f"{name}({','.join(map(str, self.params))})" if self.params else name

    def duckdb(self) -> str:
        if self.name == "array":
            return f"{self.children[0].duckdb()}[]"
        if self.name == "map":
            return f"MAP({self.children[0].duckdb()}, {self.children[1].duckdb()})"
        if self.name == "struct":
            parts = ", ".join(f'"{n}" {c.duckdb()}' for n, c in zip(self.field_names, self.children))
            return f"STRUCT({parts})"
        if self.name == "decimal":
            precision, scale = (self.params + [10, 0])[:2] if len(self.params) != 1 else (self.params[0], 0)
            return f"DECIMAL({precision},{scale})"
        return _HIVE_TO_DUCKDB[self.name]


_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_ ]*?(?=\s*[<>(),:]|\s*$)|\d+|[<>(),:])")


def parse(text: str) -> HiveType:
    """Parse a Hive (or Trino) type name; unknown names fail as Athena fails a bad DDL."""
    tokens = [t for t in _TOKEN.findall(text.strip()) if t.strip()]
    parsed, rest = _parse(tokens, text)
    if rest:
        raise QueryFailed(f"Unknown type '{text}'")
    return parsed


def _parse(tokens: list[str], text: str) -> tuple[HiveType, list[str]]:
    if not tokens:
        raise QueryFailed(f"Unknown type '{text}'")
    name, rest = tokens[0].strip().lower(), tokens[1:]
    name = {"double precision": "double", "row": "struct", "timestamp(3)": "timestamp"}.get(name, name)
    if name in ("array", "map", "struct") and rest[:1] in (["<"], ["("]):
        return _parse_complex(name, rest[1:], text)
    if name not in _HIVE_TO_DUCKDB and name != "decimal":
        raise QueryFailed(f"Unknown type '{text}'")
    params: list[int] = []
    if rest[:1] == ["("]:
        end = rest.index(")")
        params = [int(t) for t in rest[1:end] if t != ","]
        rest = rest[end + 1 :]
    if name == "timestamp":
        params = []  # Athena keeps millisecond timestamps whatever precision is written
    return HiveType(name, params), rest


def _parse_complex(name: str, tokens: list[str], text: str) -> tuple[HiveType, list[str]]:
    result = HiveType(name)
    while True:
        if name == "struct":
            field_name = tokens[0].strip().lower()
            # Hive writes name:type, Trino's row() writes name type
            tokens = tokens[2:] if tokens[1:2] == [":"] else [tokens[0].split()[-1]] + tokens[1:]
            if " " in field_name:
                field_name = field_name.split()[0]
            result.field_names.append(field_name)
        child, tokens = _parse(tokens, text)
        result.children.append(child)
        if not tokens:
            raise QueryFailed(f"Unknown type '{text}'")
        separator, tokens = tokens[0], tokens[1:]
        if separator in (">", ")"):
            return result, tokens
        if separator != ",":
            raise QueryFailed(f"Unknown type '{text}'")


# --- from Arrow (Parquet footers) -------------------------------------------------------


def hive_from_arrow(arrow: Any) -> Any:
    """A Parquet (Arrow) type as the Glue catalog names it, in the crawler's mergeable form.

    A Hive primitive name (``"bigint"``), ``("array", element)``, ``("map", key, value)`` or
    ``("struct", ((name, type), ...))``; unknown types are strings.
    """
    import pyarrow as pa
    import pyarrow.types as t

    simple = [
        (t.is_boolean, "boolean"), (t.is_int8, "tinyint"), (t.is_int16, "smallint"), (t.is_int32, "int"),
        (t.is_int64, "bigint"), (t.is_uint8, "smallint"), (t.is_uint16, "int"), (t.is_uint32, "bigint"),
        (t.is_uint64, "bigint"), (t.is_float16, "float"), (t.is_float32, "float"), (t.is_float64, "double"),
        (t.is_date, "date"), (t.is_timestamp, "timestamp"), (t.is_binary, "binary"),
        (t.is_large_binary, "binary"), (t.is_fixed_size_binary, "binary"),
    ]
    for test, name in simple:
        if test(arrow):
            return name
    if t.is_decimal(arrow):
        return f"decimal({arrow.precision},{arrow.scale})"
    if isinstance(arrow, pa.MapType):
        return ("map", hive_from_arrow(arrow.key_type), hive_from_arrow(arrow.item_type))
    if t.is_list(arrow) or t.is_large_list(arrow) or t.is_fixed_size_list(arrow):
        return ("array", hive_from_arrow(arrow.value_type))
    if t.is_struct(arrow):
        fields = [arrow.field(index) for index in range(arrow.num_fields)]
        return ("struct", tuple((item.name, hive_from_arrow(item.type)) for item in fields))
    if t.is_dictionary(arrow):
        return hive_from_arrow(arrow.value_type)
    return "string"


# --- from DuckDB result types -------------------------------------------------------------

_DUCKDB_TO_HIVE = {
    "tinyint": "tinyint", "smallint": "smallint", "integer": "int", "bigint": "bigint", "hugeint": "bigint",
    "utinyint": "smallint", "usmallint": "int", "uinteger": "bigint", "ubigint": "bigint",
    "float": "float", "double": "double", "boolean": "boolean", "varchar": "string", "date": "date",
    "timestamp": "timestamp", "timestamp_ms": "timestamp", "timestamp_s": "timestamp", "timestamp_ns": "timestamp",
    "timestamp with time zone": "timestamp", "blob": "binary", "uuid": "string", "time": "string",
    "interval": "string", "enum": "string", "bit": "string",
}

_DUCKDB_TO_ATHENA = {
    "tinyint": "tinyint", "smallint": "smallint", "integer": "integer", "bigint": "bigint", "hugeint": "bigint",
    "utinyint": "smallint", "usmallint": "integer", "uinteger": "bigint", "ubigint": "bigint",
    "float": "float", "double": "double", "boolean": "boolean", "varchar": "varchar", "date": "date",
    "timestamp": "timestamp", "timestamp_ms": "timestamp", "timestamp_s": "timestamp", "timestamp_ns": "timestamp",
    "timestamp with time zone": "timestamp with time zone", "time": "time", "blob": "varbinary",
    "interval": "interval day to second", "uuid": "uuid", "list": "array", "array": "array", "map": "map",
    "struct": "row", "decimal": "decimal", "enum": "varchar", "\"null\"": "unknown", "null": "unknown",
}


def hive_from_duckdb(duck_type: Any) -> str:
    """Glue column type for an engine result column (CTAS, views)."""
    kind = duck_type.id
    if kind in ("list", "array"):
        return f"array<{hive_from_duckdb(duck_type.children[0][1])}>"
    if kind == "map":
        key, value = (child for _, child in duck_type.children)
        return f"map<{hive_from_duckdb(key)},{hive_from_duckdb(value)}>"
    if kind == "struct":
        return "struct<" + ",".join(f"{n}:{hive_from_duckdb(c)}" for n, c in duck_type.children) + ">"
    if kind == "decimal":
        precision, scale = (value for _, value in duck_type.children)
        return f"decimal({precision},{scale})"
    if str(duck_type) == "JSON":
        return "string"
    if kind not in _DUCKDB_TO_HIVE:
        raise QueryFailed(f"NOT_SUPPORTED: Unsupported Hive type: {str(duck_type).lower()}")
    return _DUCKDB_TO_HIVE[kind]


def athena_column_info(name: str, duck_type: Any) -> dict[str, Any]:
    """One ``ResultSetMetadata.ColumnInfo`` entry, as Athena reports it."""
    kind = "json" if str(duck_type) == "JSON" else _DUCKDB_TO_ATHENA.get(duck_type.id, "varchar")
    precision, scale = 0, 0
    if kind == "decimal":
        precision, scale = (value for _, value in duck_type.children)
    elif kind in ("varchar", "varbinary", "json"):
        precision = 2147483647
    elif kind in _PRECISIONS:
        precision = _PRECISIONS[kind]
    if kind in ("timestamp", "timestamp with time zone", "time"):
        scale = 3
    return {
        "CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": name, "Label": name,
        "Type": kind, "Precision": precision, "Scale": scale, "Nullable": "UNKNOWN",
        "CaseSensitive": kind in ("varchar", "json"),
    }


_PRECISIONS = {"tinyint": 3, "smallint": 5, "integer": 10, "bigint": 19, "float": 17, "double": 17,
               "boolean": 0, "date": 0, "timestamp": 3, "timestamp with time zone": 3}


def athena_name(hive_type: HiveType) -> str:
    """Trino's spelling of a Hive type, as DESCRIBE of a view and view metadata show it."""
    mapping = {"int": "integer", "string": "varchar", "float": "real", "binary": "varbinary", "struct": "row"}
    if hive_type.name == "array":
        return f"array({athena_name(hive_type.children[0])})"
    if hive_type.name == "map":
        return f"map({athena_name(hive_type.children[0])}, {athena_name(hive_type.children[1])})"
    if hive_type.name == "struct":
        inner = ", ".join(f"{n} {athena_name(c)}" for n, c in zip(hive_type.field_names, hive_type.children))
        return f"row({inner})"
    base = mapping.get(_CANONICAL.get(hive_type.name, hive_type.name), hive_type.name)
    return f"{base}({','.join(map(str, hive_type.params))})" if hive_type.params and base == "decimal" else base
