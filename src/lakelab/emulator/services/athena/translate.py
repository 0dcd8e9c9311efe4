"""Athena SQL (Trino's dialect) to the engine's SQL, keeping Athena's answers.

sqlglot transpiles the syntax; what it leaves to the engine but Athena answers differently is
rewritten here: integer division truncates (``7/2`` is 3), ``date_diff`` counts whole units
elapsed (not boundaries crossed), ``format_datetime``/``parse_datetime`` take Joda patterns,
``DECIMAL '1.20'`` keeps its own precision, adding days to a DATE stays a DATE,
``json_extract_scalar`` is NULL for objects and arrays, and result columns are named as Athena
names them (``_col0``, lower case). Constructs that cannot be matched fail with NOT_SUPPORTED.
"""

from __future__ import annotations

from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.trino import Trino
from sqlglot.errors import ErrorLevel, ParseError, TokenError, UnsupportedError

from lakelab.emulator.engine import errors
from lakelab.emulator.services.athena import joda

_INTEGERS = {exp.DType.TINYINT, exp.DType.SMALLINT, exp.DType.INT, exp.DType.BIGINT}
# Athena functions the engine lacks or spells differently; each is a macro in functions.py.
RENAMED = {"to_iso8601", "url_extract_host", "url_extract_path", "millisecond", "nan", "infinity", "json_size"}


class AthenaDialect(Trino):
    class Parser(Trino.Parser):
        FUNCTIONS = {
            **Trino.Parser.FUNCTIONS,
            "PARSE_DATETIME": lambda args: exp.Anonymous(this="PARSE_DATETIME", expressions=args),
            "FORMAT_DATETIME": lambda args: exp.Anonymous(this="FORMAT_DATETIME", expressions=args),
        }


def parse(sql: str, line_offset: int = 0, column_offset: int = 0) -> exp.Expression:
    """One statement, or FAILED with Athena's ``line L:C: mismatched input`` message."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=AthenaDialect) if s is not None]
    except ParseError as error:
        detail = error.errors[0] if error.errors else {}
        found = detail.get("highlight", "")
        line, column = detail.get("line", 1), detail.get("col", 1) - len(found) + 1
        line, column = line + line_offset, column + (column_offset if line == 1 else 0)
        raise errors.syntax_error(line, max(column, 1), found, detail.get("description", "")) from None
    except TokenError as error:
        raise errors.QueryFailed(f"line 1:1: {error}") from None
    if len(statements) != 1:
        raise errors.QueryFailed("line 1:1: Only one sql statement is allowed. Got: " + str(len(statements)))
    return statements[0]


def position(node: exp.Expression) -> str:
    """``line L:C: `` of a node as Athena reports it (the start of its first identifier)."""
    starts = [
        (i.meta["line"], i.meta["col"] - len(i.this) - (2 if i.quoted else 0) + 1)
        for i in node.find_all(exp.Identifier) if "line" in i.meta
    ]
    return errors.at(*min(starts)) if starts else ""


def name_result_columns(tree: exp.Expression) -> list[int]:
    """Unnamed result columns are ``_col0``, ``_col1``... as in Athena; returns their positions."""
    from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

    normalize_identifiers(tree, dialect=AthenaDialect)  # unquoted names are lower case, as in Athena
    select = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
    if isinstance(tree, exp.SetOperation):
        select = tree.left
        while isinstance(select, exp.SetOperation):
            select = select.left
    if not isinstance(select, exp.Select):
        return []
    unnamed = []
    for index, expression in enumerate(list(select.expressions)):
        if isinstance(expression, (exp.Alias, exp.Column, exp.Star)):
            continue
        expression.replace(exp.alias_(expression.copy(), f"_col{index}"))
        unnamed.append(index)
    return unnamed


def to_engine(tree: exp.Expression, schema: dict[str, dict[str, str]]) -> str:
    """Engine SQL for a resolved query; ``schema`` types the tables it reads."""
    tree = _rewrite(tree, (_decimal_literals,))  # typed decimals first: their scale decides divisions
    if _needs_types(tree):
        tree = _typed(tree, schema)
    return generate(_rewrite(tree, _ALL_REWRITES))


def _needs_types(tree: exp.Expression) -> bool:
    """Typing costs milliseconds; only divisions and date arithmetic depend on operand types."""
    if tree.find(exp.Div, exp.Avg, exp.DateAdd, exp.TimestampTrunc, exp.DateTrunc):
        return True
    return any(isinstance(n.right, exp.Interval) for n in tree.find_all(exp.Add, exp.Sub))


def generate(tree: exp.Expression) -> str:
    try:
        return tree.sql(dialect="duckdb", unsupported_level=ErrorLevel.RAISE)
    except UnsupportedError as error:
        raise errors.QueryFailed(f"NOT_SUPPORTED: {error}") from None


def expression_sql(node: exp.Expression) -> str:
    """An untyped expression (partition predicates) in engine SQL."""
    return generate(_rewrite(node.copy(), (_date_functions, _decimal_literals, _renamed)))


def _rewrite(tree: exp.Expression, rewrites: tuple[Any, ...]) -> exp.Expression:
    """Apply ``rewrites`` bottom-up, so nested expressions are rewritten before their parents."""
    for node in reversed(list(tree.walk(bfs=False))):
        new = node
        for rewrite in rewrites:
            new = rewrite(new)
        if new is node:
            continue
        if new.type is None and node.type is not None:
            new.type = node.type
        if node is tree:
            tree = new
        else:
            node.replace(new)
    return tree


def _typed(tree: exp.Expression, schema: dict[str, dict[str, str]]) -> exp.Expression:
    from sqlglot.optimizer.annotate_types import annotate_types
    from sqlglot.optimizer.qualify import qualify

    try:
        tree = qualify(tree.copy(), schema=schema, dialect=AthenaDialect, validate_qualify_columns=False,
                       quote_identifiers=False, identify=False)
    except Exception:  # qualification is only needed for types; untyped divisions are decided at run time
        pass
    try:
        return annotate_types(tree, schema=schema, dialect=AthenaDialect)
    except Exception:
        return tree


def _kind(node: exp.Expression) -> Any:
    found = node.type
    return found.this if found is not None else exp.DType.UNKNOWN


def _integer_division(node: exp.Expression) -> exp.Expression:
    if not isinstance(node, exp.Div):
        return node
    left, right = _kind(node.left), _kind(node.right)
    if left in _INTEGERS and right in _INTEGERS:
        return exp.IntDiv(this=node.left, expression=node.right)
    scales = (_decimal_scale(node.left), _decimal_scale(node.right))
    if None not in scales and (left == exp.DType.DECIMAL or right == exp.DType.DECIMAL or _is_decimal_literal(node)):
        # Athena divides decimals exactly, to the larger scale of the two (the engine would answer a double)
        return _as_decimal(node.copy(), max(scales))  # type: ignore[type-var]
    if exp.DType.UNKNOWN in (left, right):
        return exp.Anonymous(this="athena_divide", expressions=[node.left, node.right])
    return node


def _decimal_scale(node: exp.Expression) -> int | None:
    """The scale of a decimal (0 for integers), None when the operand is not exact."""
    if isinstance(node, exp.Literal) and not node.is_string:
        text = node.name.lower()
        return None if "e" in text else len(text.partition(".")[2])
    if _kind(node) in _INTEGERS:
        return 0
    declared = node.to if isinstance(node, (exp.Cast, exp.TryCast)) else node.type
    if declared is not None and declared.this == exp.DType.DECIMAL and len(declared.expressions) == 2:
        return int(declared.expressions[1].this.name)
    return None


def _is_decimal_literal(node: exp.Div) -> bool:
    return any(isinstance(n, exp.Literal) and not n.is_string and "." in n.name and "e" not in n.name.lower()
               for n in (node.left, node.right))


def _as_decimal(node: exp.Expression, scale: int) -> exp.Expression:
    rounded = exp.Round(this=node, decimals=exp.Literal.number(scale))
    return exp.cast(rounded, exp.DataType.build(f"DECIMAL(38, {scale})"))


def _decimal_average(node: exp.Expression) -> exp.Expression:
    """avg() of decimals is a decimal of the same scale in Athena (a double in the engine)."""
    average = node.this if isinstance(node, exp.Window) else node
    if not isinstance(average, exp.Avg) or (isinstance(node, exp.Avg) and isinstance(node.parent, exp.Window)):
        return node
    if _kind(average.this) != exp.DType.DECIMAL:
        return node
    scale = _decimal_scale(average.this)
    return node if scale is None else _as_decimal(node.copy(), scale)


def _date_functions(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.DateDiff):
        unit = exp.Literal.string((node.text("unit") or "day").lower())
        # Athena counts whole units elapsed; the engine's date_sub does, its date_diff counts boundaries.
        return exp.Anonymous(this="date_sub", expressions=[unit, node.expression, node.this])
    if isinstance(node, exp.Anonymous) and node.name.upper() in ("FORMAT_DATETIME", "PARSE_DATETIME"):
        parsing = node.name.upper() == "PARSE_DATETIME"
        value, pattern = (node.expressions + [None, None])[:2]
        if not isinstance(pattern, exp.Literal) or not pattern.is_string:
            raise errors.not_supported(f"{node.name.lower()} with a pattern that is not a string literal")
        converted = exp.Literal.string(joda.to_strftime(pattern.name, parsing))
        return exp.Anonymous(this="strptime" if parsing else "strftime", expressions=[value, converted])
    if isinstance(node, exp.JSONExtractScalar):
        return exp.Anonymous(this="athena_json_extract_scalar", expressions=[node.this, node.expression])
    return node


def _decimal_literals(node: exp.Expression) -> exp.Expression:
    if not isinstance(node, (exp.Cast, exp.TryCast)) or not node.to.is_type(exp.DType.DECIMAL):
        return node
    if node.to.expressions:
        return node
    text = node.this.name if isinstance(node.this, exp.Literal) and node.this.is_string else None
    if text is None:
        precision, scale = 38, 0  # Trino's DECIMAL without parameters
    else:
        digits = text.strip().lstrip("+-")
        whole, _, fraction = digits.partition(".")
        precision, scale = max(len(whole.lstrip("0")) + len(fraction), 1), len(fraction)
    node.set("to", exp.DataType.build(f"DECIMAL({precision}, {scale})"))
    return node


def _date_arithmetic(node: exp.Expression) -> exp.Expression:
    """DATE plus days, weeks, months or years, or truncated, is a DATE in Athena (the engine makes a TIMESTAMP)."""
    if isinstance(node, (exp.TimestampTrunc, exp.DateTrunc)) and _kind(node.this) == exp.DType.DATE:
        return exp.cast(node.copy(), "DATE")
    if isinstance(node, exp.DateAdd) and _kind(node.this) == exp.DType.DATE:
        if (node.text("unit") or "day").lower() in ("day", "week", "month", "quarter", "year"):
            return exp.cast(node.copy(), "DATE")
    if isinstance(node, (exp.Add, exp.Sub)) and _kind(node.left) == exp.DType.DATE:
        interval = node.right
        if isinstance(interval, exp.Interval) and interval.text("unit").lower() in ("day", "week", "month", "year"):
            return exp.cast(node.copy(), "DATE")
    return node


def _renamed(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Anonymous) and node.name.lower() in RENAMED:
        return exp.Anonymous(this=f"athena_{node.name.lower()}", expressions=node.expressions)
    if isinstance(node, exp.ArrayDistinct):
        # Athena keeps first occurrences in order; the engine's list_distinct does not keep order
        return exp.Anonymous(this="athena_array_distinct", expressions=[node.this])
    if isinstance(node, exp.AtTimeZone):
        # Athena converts the instant to the zone; shown as the zone's wall-clock time (without the zone name)
        instant = exp.cast(node.this.copy(), "TIMESTAMPTZ")
        return exp.Anonymous(this="timezone", expressions=[node.args["zone"], instant])
    if isinstance(node, exp.Typeof):
        return exp.Lower(this=node.copy())
    return node


_ALL_REWRITES = (_integer_division, _decimal_average, _date_functions, _date_arithmetic, _renamed)
