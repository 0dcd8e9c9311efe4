"""Logs Insights values: what a field, a literal or an expression is worth for one record, how
values compare (numbers as numbers, the rest as text), how they are shown in results, and the
sort page's natural order (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Sort.html).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

from lakelab.emulator.services.logs import insights_language as language


class Time(int):
    """Milliseconds since the epoch, shown as Logs Insights shows times."""

    def __str__(self) -> str:
        moment = datetime.fromtimestamp(self / 1000, UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{self % 1000:03d}"


def show(found: Any) -> str:
    if isinstance(found, bool):
        return "true" if found else "false"
    if isinstance(found, float) and not isinstance(found, Time):
        return str(int(found)) if found.is_integer() else repr(found)
    return str(found)


def number(found: Any) -> float | None:
    if isinstance(found, bool) or found is None:
        return None
    try:
        return float(found)
    except (TypeError, ValueError):
        return None


def truthy(found: Any) -> bool:
    return bool(found) and found is not None


def value(expression: tuple, record: dict[str, Any]) -> Any:
    kind = expression[0]
    if kind == "field":
        return record.get(expression[1])
    if kind == "literal":
        return expression[1]
    if kind == "duration":
        return expression[1]
    if kind == "and":
        return truthy(value(expression[1], record)) and truthy(value(expression[2], record))
    if kind == "or":
        return truthy(value(expression[1], record)) or truthy(value(expression[2], record))
    if kind == "not":
        return not truthy(value(expression[1], record))
    if kind == "negated":  # not like / not in: false, like a comparison, when the field is absent
        return value(expression[1][1], record) is not None and not value(expression[1], record)
    if kind == "compare":
        return compare(expression[1], value(expression[2], record), value(expression[3], record))
    if kind == "like":
        found = value(expression[1], record)
        if found is None:
            return False
        pattern = expression[2]
        return bool(pattern[1].search(show(found))) if pattern[0] == "regex" else pattern[1] in show(found)
    if kind == "in":
        found = value(expression[1], record)
        return any(compare("=", found, value(member, record)) for member in expression[2])
    if kind == "arithmetic":
        return _arithmetic(expression[1], value(expression[2], record), value(expression[3], record))
    if kind == "call":
        return _call(expression[1], expression[2], record)
    raise language.QueryError(f"{expression[1] if len(expression) > 1 else kind} is allowed only in stats")


def compare(operator: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        return False
    left_number, right_number = number(left), number(right)
    if left_number is not None and right_number is not None and not (isinstance(left, str) and isinstance(right, str)):
        left, right = left_number, right_number
    else:
        left, right = show(left), show(right)
    return {"=": left == right, "!=": left != right, "<": left < right, "<=": left <= right,
            ">": left > right, ">=": left >= right}[operator]


def _arithmetic(operator: str, left: Any, right: Any) -> float | None:
    left_number, right_number = number(left), number(right)
    if left_number is None or right_number is None:
        return None
    if operator in ("/", "%") and right_number == 0:
        return None
    return {"+": left_number + right_number, "-": left_number - right_number, "*": left_number * right_number,
            "/": left_number / (right_number or 1), "%": left_number % (right_number or 1)}[operator]


def _call(name: str, arguments: list[tuple], record: dict[str, Any]) -> Any:
    found = [value(a, record) for a in arguments]
    lowered = name.lower()
    if lowered == "bin":
        width = int(float(found[0] or 0) * 1000) if found else 0
        if width <= 0:
            raise language.QueryError("bin needs a positive period such as 5m")
        return Time(record["@timestamp"] // width * width)
    if lowered in ("ispresent",):
        return found[0] is not None
    if lowered in ("isempty", "isblank"):
        text = "" if found[0] is None else show(found[0])
        return text == "" or (lowered == "isblank" and not text.strip())
    if lowered == "coalesce":
        return next((f for f in found if f is not None), None)
    if found and found[0] is None:
        return None
    text_functions = {"strlen": lambda: float(len(show(found[0]))), "tolower": lambda: show(found[0]).lower(),
                      "toupper": lambda: show(found[0]).upper(), "trim": lambda: show(found[0]).strip(),
                      "concat": lambda: "".join(show(f) for f in found if f is not None),
                      "substr": lambda: show(found[0])[int(found[1]):(int(found[1]) + int(found[2])
                                                                       if len(found) > 2 else None)],
                      "replace": lambda: show(found[0]).replace(show(found[1]), show(found[2])),
                      "frommillis": lambda: Time(int(number(found[0]) or 0)),
                      "tomillis": lambda: float(int(found[0])) if isinstance(found[0], Time) else None}
    if lowered in text_functions:
        return text_functions[lowered]()
    operand = number(found[0]) if found else None
    if operand is None:
        return None
    return {"abs": abs, "ceil": math.ceil, "floor": math.floor, "sqrt": math.sqrt, "log": math.log}[lowered](operand)


def sort_key(found: Any) -> tuple:
    """The sort page's order: non-numbers first (natural order by chunks), then numbers by value; nulls last."""
    if found is None:
        return (2,)
    if isinstance(found, (int, float)) and not isinstance(found, bool):
        return (1, float(found))
    text = show(found)
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return (1, float(text))
    chunks = tuple((0, len(c), int(c)) if c.isdigit() else (1, 0, c) for c in re.findall(r"\d+|\D+", text))
    return (0, chunks)
