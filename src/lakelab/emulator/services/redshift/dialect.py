"""Redshift SQL to the engine's: sqlglot's Redshift reader and DuckDB writer, plus what they miss.

Queries and DML are parsed as Redshift (PostgreSQL 8 lineage) and written for DuckDB; on the way,
system views (``SVV_TABLE_INFO``, ``STL_LOAD_ERRORS``, ``SYS_LOAD_ERROR_DETAIL``, ``SYS_LOAD_HISTORY``,
``SYS_QUERY_HISTORY``, ``PG_TABLE_DEF``) and tables of external schemas (Spectrum) are replaced by
views the statement's cursor holds, and result columns are named as Redshift names them (lower case;
``count``, ``sum``, ``?column?``). Failures are worded as Redshift words them:
``ERROR: syntax error at or near "SELEC"``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError


class StatementFailed(Exception):
    """A statement that ends FAILED; ``str()`` is DescribeStatement's ``Error``."""


def error(message: str) -> StatementFailed:
    return StatementFailed(message if message.startswith(("ERROR:", "FATAL:")) else f"ERROR: {message}")


def not_supported(what: str) -> StatementFailed:
    return error(f"{what} is not supported by the Lake Labs emulator")


# --- splitting and parameters ---------------------------------------------------------------------

def split(sql: str) -> list[str]:
    """Statements of a SQL text, split at semicolons outside quotes and comments."""
    found, current, index, quote = [], [], 0, ""
    while index < len(sql):
        char = sql[index]
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in ("'", '"'):
            quote = char
            current.append(char)
        elif sql.startswith("--", index):
            end = sql.find("\n", index)
            index = len(sql) if end < 0 else end
            continue
        elif sql.startswith("/*", index):
            end = sql.find("*/", index + 2)
            index = len(sql) if end < 0 else end + 2
            continue
        elif char == ";":
            found.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    found.append("".join(current))
    return [s.strip() for s in found if s.strip()]


_PARAMETER = re.compile(r"('(?:[^']|'')*')|(\"(?:[^\"]|\"\")*\")|(::)|:([A-Za-z_][A-Za-z0-9_]*)")


def bind(sql: str, parameters: list[dict[str, str]] | None) -> str:
    """``:name`` placeholders replaced by the Data API's parameter values, as string literals Redshift
    casts to the type the context needs (https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html)."""
    values = {p.get("name"): p.get("value") for p in parameters or []}

    def replace(found: re.Match[str]) -> str:
        if found.group(4) is None:
            return found.group(0)
        name = found.group(4)
        if name not in values:
            raise error(f"Parameter \"{name}\" is not given a value")  # worded here (unverified)
        return "'" + str(values[name]).replace("'", "''") + "'"

    return _PARAMETER.sub(replace, sql)


# --- statements ---------------------------------------------------------------------------------------

def first_words(sql: str, count: int = 4) -> list[str]:
    return [w.upper() for w in re.findall(r"[A-Za-z_]+", sql)[:count]]


def parse(sql: str) -> exp.Expression:
    """The Redshift statement's tree; a statement that does not parse fails with Redshift's error."""
    try:
        tree = sqlglot.parse_one(_getdate(sql), read="redshift")
    except (ParseError, TokenError) as failure:
        raise syntax_error(sql, failure) from None
    if isinstance(tree, exp.Command):
        raise syntax_error(sql, None)
    return tree


def syntax_error(sql: str, failure: Exception | None) -> StatementFailed:
    """``ERROR: syntax error at or near "<token>"``, with the token PostgreSQL's grammar stops at."""
    import duckdb

    try:
        duckdb.connect(":memory:").extract_statements(sql)
    except duckdb.ParserException as engine:
        found = re.search(r'syntax error at (?:or near "(.*?)"|end of input)', str(engine))
        if found:
            return error(f'syntax error at or near "{found.group(1)}"' if found.group(1) is not None
                         else "syntax error at end of input")
    except Exception:
        pass
    detail = ""
    if isinstance(failure, ParseError) and failure.errors:
        near = (failure.errors[0].get("highlight") or "").strip()
        detail = f' at or near "{near}"' if near else ""
    return error(f"syntax error{detail}")


def _getdate(sql: str) -> str:
    # GETDATE() is the session's timestamp without time zone, to the second (AWS: r_GETDATE).
    return re.sub(r"(?i)\bGETDATE\s*\(\s*\)", "DATE_TRUNC('second', SYSDATE)", sql)


Replacer = Callable[[exp.Table], "exp.Expression | None"]


def to_engine(tree: exp.Expression, replace_table: Replacer) -> str:
    """Engine SQL for a parsed statement; ``replace_table`` swaps system and external tables."""
    _approximate(tree)
    common = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    for table in list(tree.find_all(exp.Table)):
        if not table.name or (not table.db and table.name.lower() in common):
            continue
        replacement = replace_table(table)
        if replacement is not None:
            table.replace(replacement)
    if isinstance(tree, exp.Query):
        name_columns(tree)
    if isinstance(tree, exp.Merge):
        return _merge_sql(tree)
    return tree.sql(dialect="duckdb")


def _approximate(tree: exp.Expression) -> None:
    """sqlglot reads ``APPROXIMATE COUNT(DISTINCT x)`` as approximate already (HyperLogLog in both)."""


def _merge_sql(tree: exp.Merge) -> str:
    # sqlglot writes Redshift's ``INSERT VALUES (...)`` as ``INSERT (VALUES(...))``, which DuckDB refuses.
    return re.sub(r"INSERT \(VALUES\((.*?)\)\)", r"INSERT VALUES (\1)", tree.sql(dialect="duckdb"), flags=re.S)


def name_columns(tree: exp.Query) -> None:
    """Result columns named as Redshift names them: lower case, functions by name, else ``?column?``."""
    select = tree
    while isinstance(select, exp.SetOperation):
        select = select.this
    if not isinstance(select, exp.Select):
        return
    for index, projection in enumerate(list(select.expressions)):
        if isinstance(projection, (exp.Alias, exp.Star)) or (isinstance(projection, exp.Column)
                                                              and isinstance(projection.this, exp.Star)):
            continue
        name = _column_name(projection)
        select.expressions[index] = exp.alias_(projection, name, quoted=True)
        select.expressions[index].parent = select


def _column_name(node: exp.Expression) -> str:
    if isinstance(node, exp.WithinGroup):
        return _column_name(node.this)
    if isinstance(node, exp.GroupConcat):
        return "listagg"
    if isinstance(node, exp.Coalesce):
        return "coalesce" if not node.args.get("is_nvl") else "nvl"
    if isinstance(node, exp.Column):
        return node.name.lower()
    if isinstance(node, exp.Cast):
        return _column_name(node.this) if isinstance(node.this, exp.Column) else node.to.this.name.lower() \
            if isinstance(node.to.this, str) else _cast_name(node)
    if isinstance(node, exp.ApproxDistinct) or isinstance(node, exp.Count):
        return "count"
    if isinstance(node, exp.CurrentTimestamp) or isinstance(node, exp.AtTimeZone):
        return "timestamptz" if isinstance(node, exp.CurrentTimestamp) else "?column?"
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func):
        return node.sql(dialect="redshift").split("(", 1)[0].strip().lower() or "?column?"
    return "?column?"


def _cast_name(node: exp.Cast) -> str:
    return node.to.sql(dialect="redshift").split("(", 1)[0].strip().lower()


# --- engine failures in Redshift's words ------------------------------------------------------------

_ENGINE_ERRORS = (
    (r"Table with name ([^\s!]+) does not exist", 'relation "{0}" does not exist'),
    (r"Table with name ([^\s!]+) already exists", 'relation "{0}" already exists'),
    (r"View with name ([^\s!]+) does not exist", 'relation "{0}" does not exist'),
    (r"Schema with name ([^\s!]+) does not exist", 'schema "{0}" does not exist'),
    (r'Referenced column "([^"]+)" not found', 'column "{0}" does not exist'),
    (r'Column "([^"]+)" referenced that exists in the SELECT clause', 'column "{0}" does not exist'),
    (r'Table "([^"]+)" does not have a column named "([^"]+)"', 'column "{1}" of relation "{0}" does not exist'),
    (r"(?:Scalar|Aggregate|Table) Function with name (\w+) does not exist", "function {0} does not exist"),
    (r"Could not convert string '([^']*)' to INT\d+", 'invalid input syntax for integer: "{0}"'),
    (r"Could not convert string '([^']*)' to (\w+)", 'invalid input syntax for type {1}: "{0}"'),
    (r"NOT NULL constraint failed: [^.]+\.(\w+)", "Cannot insert a NULL value into column {0}"),
    (r"CHECK constraint failed on table .* CHECK\(\(strlen\(\"?([^\")]+)\"?\) <= (\d+)\)\)",
     "value too long for type character varying({1})"),
    (r"(?i)Division by zero", "division by zero"),
    (r"INTERRUPT", "Query cancelled."),
)


def engine_error(failure: Exception) -> StatementFailed:
    """An engine exception in Redshift's words (``relation "x" does not exist``...)."""
    message = str(failure).split("\n")[0].strip()
    for pattern, template in _ENGINE_ERRORS:
        found = re.search(pattern, message)
        if found:
            return error(template.format(*(g.lower() if g else g for g in found.groups())))
    message = re.sub(r"^[A-Z][a-z]+ Error: ", "", message)
    return error(message)
