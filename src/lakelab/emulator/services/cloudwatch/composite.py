"""Composite alarms: ``AlarmRule`` parsed and evaluated over the states of other alarms.

The rule syntax of ``PutCompositeAlarm`` (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/
API_PutCompositeAlarm.html): ``ALARM(name)``, ``OK(name)``, ``INSUFFICIENT_DATA(name)`` (a name or an
alarm ARN, quoted or not), ``TRUE``, ``FALSE``, ``AND``, ``OR``, ``NOT`` and parentheses. A composite
alarm is ALARM when its rule holds and OK otherwise; it is evaluated when it is put and whenever
one of the alarms it names changes state.
"""

from __future__ import annotations

import re
from typing import Any

from lakelab.emulator import seam

_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"|([A-Za-z_][A-Za-z0-9_]*)(?=\s*\()'
                    r'|(AND|OR|NOT|TRUE|FALSE)\b|([^\s()"]+))')


class RuleError(ValueError):
    pass


def _tokens(rule: str) -> list[tuple[str, str]]:
    found, position = [], 0
    while position < len(rule) and rule[position:].strip():
        match = _TOKEN.match(rule, position)
        if not match:
            raise RuleError(f"Syntax error in AlarmRule at position {position}")
        open_, close, quoted, function, keyword, bare = match.groups()
        if open_:
            found.append(("(", "("))
        elif close:
            found.append((")", ")"))
        elif quoted is not None:
            found.append(("name", quoted))
        elif function:
            found.append(("function", function))
        elif keyword:
            found.append(("keyword", keyword.upper()))
        else:
            found.append(("name", bare))
        position = match.end()
    return found


def parse(rule: str) -> tuple:
    items = _tokens(rule)
    position = 0

    def peek() -> tuple[str, str] | None:
        return items[position] if position < len(items) else None

    def take(kind: str) -> str:
        nonlocal position
        item = peek()
        if item is None or item[0] != kind:
            raise RuleError(f"Syntax error in AlarmRule: expected {kind}, found {item[1] if item else 'the end'}")
        position += 1
        return item[1]

    def expression() -> tuple:
        left = term()
        while peek() == ("keyword", "OR"):
            take("keyword")
            left = ("or", left, term())
        return left

    def term() -> tuple:
        left = factor()
        while peek() == ("keyword", "AND"):
            take("keyword")
            left = ("and", left, factor())
        return left

    def factor() -> tuple:
        item = peek()
        if item == ("keyword", "NOT"):
            take("keyword")
            return ("not", factor())
        if item in (("keyword", "TRUE"), ("keyword", "FALSE")):
            take("keyword")
            return ("constant", item[1] == "TRUE")
        if item and item[0] == "(":
            take("(")
            inner = expression()
            take(")")
            return inner
        state = take("function").upper()
        if state not in ("ALARM", "OK", "INSUFFICIENT_DATA"):
            raise RuleError(f"Unknown function {state} in AlarmRule: use ALARM, OK or INSUFFICIENT_DATA")
        take("(")
        name = take("name")
        take(")")
        return ("state", state, name.split(":alarm:", 1)[-1])

    tree = expression()
    if peek() is not None:
        raise RuleError(f"Syntax error in AlarmRule: unexpected {peek()[1]}")  # type: ignore[index]
    return tree


def names(tree: tuple) -> set[str]:
    if tree[0] == "state":
        return {tree[2]}
    if tree[0] in ("and", "or"):
        return names(tree[1]) | names(tree[2])
    if tree[0] == "not":
        return names(tree[1])
    return set()


def holds(tree: tuple, states: dict[str, str]) -> bool:
    kind = tree[0]
    if kind == "constant":
        return tree[1]
    if kind == "state":
        return states.get(tree[2]) == tree[1]
    if kind == "not":
        return not holds(tree[1], states)
    if kind == "and":
        return holds(tree[1], states) and holds(tree[2], states)
    return holds(tree[1], states) or holds(tree[2], states)


def check(backend: Any, rule: str) -> None:
    """Refuse a rule that does not parse or names alarms that do not exist (unverified wording)."""
    try:
        tree = parse(rule)
    except RuleError as error:
        raise seam.CloudWatchValidationError(str(error)) from None
    missing = sorted(names(tree) - set(backend.alarms))
    if missing:
        raise seam.CloudWatchValidationError(
            f"Could not save the composite alarm as alarms [{', '.join(missing)}] in the alarm rule do not exist")


def evaluate(backend: Any, alarm: Any) -> tuple[str, str] | None:
    """The composite alarm's state and reason (the reason's wording is the emulator's own)."""
    tree = parse(alarm.rule)
    states = {name: backend.alarms[name].state_value for name in names(tree) if name in backend.alarms}
    if holds(tree, states):
        firing = sorted(n for n, s in states.items() if s == "ALARM")
        return "ALARM", f"The alarm rule holds (in ALARM: {', '.join(firing) or 'none'})"  # wording unverified
    return "OK", "The alarm rule does not hold"


def parents(backend: Any, name: str) -> list[Any]:
    """The composite alarms whose rule names ``name``."""
    answer = []
    for alarm in list(backend.alarms.values()):
        if alarm.rule:
            try:
                if name in names(parse(alarm.rule)):
                    answer.append(alarm)
            except RuleError:
                continue
    return answer
