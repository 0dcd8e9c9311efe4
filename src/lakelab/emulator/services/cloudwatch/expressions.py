"""Metric math: the expressions of ``Metrics[]`` in alarms and ``GetMetricData``, parsed and evaluated.

A subset of the syntax and functions of "Using math expressions with CloudWatch metrics"
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html):
numbers, query ids, ``+ - * / ^``, comparisons ``< <= > >= == !=``, ``AND OR NOT`` (as 1 and 0),
parentheses, arrays ``[m1, m2]``, and the functions ``ABS``, ``CEIL``, ``FLOOR``, ``SQRT``, ``LOG``,
``LOG10``, ``EXP``, ``FILL(series, value)``, ``IF(condition, a[, b])``, ``SUM``/``AVG``/``MIN``/``MAX``/``STDDEV``
(of an array: per timestamp; of one series: one value), ``DIFF``, ``RATE``, and ``ANOMALY_DETECTION_BAND``
(see :func:`anomaly_band`). A binary operation between two series keeps the timestamps both have,
as the page describes. Any other function is refused by name when the alarm or query is put,
never answered wrongly.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Series = dict[float, float]
Value = Any  # float | Series | list[Series] | Band


class ExpressionError(ValueError):
    """An expression this emulator cannot parse or evaluate; the message says why."""


@dataclass
class Band:
    lower: Series
    upper: Series


_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)"
                    r"|(<=|>=|==|!=|[-+*/^()\[\],<>]))")
FUNCTIONS = {"ABS", "CEIL", "FLOOR", "SQRT", "LOG", "LOG10", "EXP", "FILL", "IF", "SUM", "AVG", "MIN", "MAX",
             "STDDEV", "DIFF", "RATE", "ANOMALY_DETECTION_BAND"}
_BINARY = [("OR",), ("AND",), ("<", "<=", ">", ">=", "==", "!="), ("+", "-"), ("*", "/"), ("^",)]


def tokens(text: str) -> list[str]:
    found, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            if text[position:].strip() == "":
                break
            raise ExpressionError(f"Invalid character in expression at position {position}: {text[position]!r}")
        found.append(next(g for g in match.groups() if g is not None))
        position = match.end()
    return found


class _Parser:
    def __init__(self, text: str) -> None:
        self.items, self.at = tokens(text), 0

    def peek(self) -> str | None:
        return self.items[self.at] if self.at < len(self.items) else None

    def take(self, expected: str | None = None) -> str:
        item = self.peek()
        if item is None or (expected is not None and item.upper() != expected):
            raise ExpressionError(f"Syntax error in expression: expected {expected or 'a term'}, found {item!r}")
        self.at += 1
        return item

    def expression(self, level: int = 0) -> tuple:
        if level == len(_BINARY):
            return self.unary()
        left = self.expression(level + 1)
        while (self.peek() or "").upper() in _BINARY[level]:
            operator = self.take().upper()
            left = ("op", operator, left, self.expression(level + 1))
        return left

    def unary(self) -> tuple:
        if self.peek() == "-":
            self.take()
            return ("op", "*", ("number", -1.0), self.unary())
        if (self.peek() or "").upper() == "NOT":
            self.take()
            return ("not", self.unary())
        return self.atom()

    def atom(self) -> tuple:
        item = self.take()
        if item == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if item == "[":
            members = [self.expression()]
            while self.peek() == ",":
                self.take()
                members.append(self.expression())
            self.take("]")
            return ("array", members)
        if item[0].isdigit() or item[0] == ".":
            return ("number", float(item))
        if self.peek() == "(":
            return self.call(item.upper())
        return ("id", item)

    def call(self, name: str) -> tuple:
        if name not in FUNCTIONS:
            raise ExpressionError(f"Unsupported function {name} in expression (the Lake Labs emulator implements "
                                  f"{', '.join(sorted(FUNCTIONS))})")
        self.take("(")
        arguments = [] if self.peek() == ")" else [self.expression()]
        while self.peek() == ",":
            self.take()
            arguments.append(self.expression())
        self.take(")")
        return ("call", name, arguments)


def parse(text: str) -> tuple:
    parser = _Parser(text)
    tree = parser.expression()
    if parser.peek() is not None:
        raise ExpressionError(f"Syntax error in expression: unexpected {parser.peek()!r}")
    return tree


def references(tree: tuple) -> set[str]:
    """The query ids an expression reads."""
    kind = tree[0]
    if kind == "id":
        return {tree[1]}
    if kind == "op":
        return references(tree[2]) | references(tree[3])
    if kind == "not":
        return references(tree[1])
    if kind in ("array",):
        return set().union(*(references(t) for t in tree[1]))
    if kind == "call":
        return set().union(set(), *(references(t) for t in tree[2]))
    return set()


def evaluate(tree: tuple, values: dict[str, Value], history: Callable[[str], Series] | None = None) -> Value:
    """The value of ``tree`` given each id's value; ``history(id)`` feeds ANOMALY_DETECTION_BAND."""
    kind = tree[0]
    if kind == "number":
        return tree[1]
    if kind == "id":
        if tree[1] not in values:
            raise ExpressionError(f"Unrecognized metric id {tree[1]} in expression")
        return values[tree[1]]
    if kind == "array":
        return [evaluate(t, values, history) for t in tree[1]]
    if kind == "not":
        return _map(evaluate(tree[1], values, history), lambda v: 0.0 if v else 1.0)
    if kind == "op":
        return _binary(tree[1], evaluate(tree[2], values, history), evaluate(tree[3], values, history))
    name, arguments = tree[1], tree[2]
    if name == "ANOMALY_DETECTION_BAND":
        return anomaly_band(arguments, values, history)
    return _call(name, [evaluate(t, values, history) for t in arguments])


_OPERATORS: dict[str, Callable[[float, float], float | None]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b if b else None, "^": lambda a, b: a ** b,
    "<": lambda a, b: float(a < b), "<=": lambda a, b: float(a <= b), ">": lambda a, b: float(a > b),
    ">=": lambda a, b: float(a >= b), "==": lambda a, b: float(a == b), "!=": lambda a, b: float(a != b),
    "AND": lambda a, b: float(bool(a) and bool(b)), "OR": lambda a, b: float(bool(a) or bool(b)),
}


def _binary(operator: str, left: Value, right: Value) -> Value:
    apply = _OPERATORS[operator]
    if isinstance(left, list) or isinstance(right, list):
        raise ExpressionError(f"Operator {operator} cannot take an array of time series in the Lake Labs emulator")
    if isinstance(left, dict) and isinstance(right, dict):
        return _clean({t: apply(left[t], right[t]) for t in left if t in right})
    if isinstance(left, dict):
        return _clean({t: apply(v, right) for t, v in left.items()})
    if isinstance(right, dict):
        return _clean({t: apply(left, v) for t, v in right.items()})
    return apply(left, right)


def _clean(series: dict[float, float | None]) -> Series:
    return {t: v for t, v in series.items() if v is not None and not math.isnan(v)}


def _map(value: Value, function: Callable[[float], float]) -> Value:
    if isinstance(value, dict):
        return _clean({t: _safe(function, v) for t, v in value.items()})
    if isinstance(value, list):
        return [_map(v, function) for v in value]
    return _safe(function, value)


def _safe(function: Callable[[float], float], value: float) -> float | None:
    try:
        return function(value)
    except (ValueError, OverflowError, ZeroDivisionError):
        return None


_ELEMENTWISE = {"ABS": abs, "CEIL": math.ceil, "FLOOR": math.floor, "SQRT": math.sqrt, "LOG": math.log,
                "LOG10": math.log10, "EXP": math.exp}
_AGGREGATES: dict[str, Callable[[list[float]], float]] = {
    "SUM": sum, "AVG": statistics.fmean, "MIN": min, "MAX": max,
    "STDDEV": lambda v: statistics.pstdev(v) if len(v) > 1 else 0.0}


def _call(name: str, arguments: list[Value]) -> Value:
    if name in _ELEMENTWISE:
        return _map(_one(name, arguments), lambda v: float(_ELEMENTWISE[name](v)))
    if name in _AGGREGATES:
        return _aggregate(name, _one(name, arguments))
    if name == "FILL":
        return _fill(arguments)
    if name == "IF":
        return _if(arguments)
    series = _one(name, arguments)
    if not isinstance(series, dict):
        raise ExpressionError(f"{name} takes a time series")
    stamps = sorted(series)
    if name == "DIFF":
        return {b: series[b] - series[a] for a, b in zip(stamps, stamps[1:])}
    return {b: (series[b] - series[a]) / (b - a) for a, b in zip(stamps, stamps[1:])}  # RATE: per second


def _one(name: str, arguments: list[Value]) -> Value:
    if len(arguments) != 1:
        raise ExpressionError(f"{name} takes exactly one argument")
    return arguments[0]


def _aggregate(name: str, value: Value) -> Value:
    function = _AGGREGATES[name]
    if isinstance(value, list):  # an array of series: one series, per timestamp
        stamps = sorted(set().union(*(set(s) for s in value if isinstance(s, dict))))
        return {t: function([s[t] for s in value if isinstance(s, dict) and t in s]) for t in stamps}
    if isinstance(value, dict):  # one series: one value, as a scalar
        return function(list(value.values())) if value else math.nan
    return value


def _fill(arguments: list[Value]) -> Value:
    if len(arguments) != 2 or not isinstance(arguments[0], dict) or isinstance(arguments[1], (dict, list)):
        raise ExpressionError("FILL takes a time series and a number in the Lake Labs emulator (REPEAT and LINEAR "
                              "are not implemented)")
    filled = dict(arguments[0])
    filled["__fill__"] = arguments[1]  # resolved by :func:`fill_missing` once the periods are known
    return filled


def fill_missing(series: Value, stamps: list[float]) -> Value:
    """A FILLed series with its fill value at every period it lacks (other values unchanged)."""
    if isinstance(series, dict) and "__fill__" in series:
        value = series.pop("__fill__")
        for stamp in stamps:
            series.setdefault(stamp, value)
    return series


def _if(arguments: list[Value]) -> Value:
    if len(arguments) not in (2, 3):
        raise ExpressionError("IF takes a condition, a value if true, and optionally a value if false")
    condition, when_true = arguments[0], arguments[1]
    when_false = arguments[2] if len(arguments) == 3 else None
    if not isinstance(condition, dict):
        return when_true if condition else when_false
    answer: Series = {}
    for stamp, holds in condition.items():
        chosen = when_true if holds else when_false
        value = chosen.get(stamp) if isinstance(chosen, dict) else chosen
        if value is not None:
            answer[stamp] = value
    return answer


def anomaly_band(arguments: list[tuple], values: dict[str, Value], history: Callable[[str], Series] | None) -> Band:
    """``ANOMALY_DETECTION_BAND(m1, k)``: here the mean of the metric's history +/- k standard deviations.

    AWS trains a model on up to two weeks of the metric (with daily and weekly seasonality);
    this emulator uses the plain mean and population standard deviation of the metric's
    datapoints over the last two weeks, the same band at every period. ``k`` defaults to 2, as on AWS.
    """
    if not arguments or arguments[0][0] != "id" or len(arguments) > 2:
        raise ExpressionError("ANOMALY_DETECTION_BAND takes a metric id and optionally a number of standard deviations")
    width = evaluate(arguments[1], values, history) if len(arguments) == 2 else 2.0
    current = values.get(arguments[0][1])
    past = list((history(arguments[0][1]) if history else current or {}).values())
    if not isinstance(current, dict) or not past:
        return Band({}, {})
    mean, spread = statistics.fmean(past), (statistics.pstdev(past) if len(past) > 1 else 0.0)
    return Band({t: mean - width * spread for t in current}, {t: mean + width * spread for t in current})
