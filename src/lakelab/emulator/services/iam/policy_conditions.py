"""A statement's ``Condition`` block: operators, set qualifiers and ``...IfExists``, as AWS reads them.

Within one block every operator must hold, and within an operator every key; the values listed
for one key are alternatives. A key the request lacks makes a positive operator false and a
negated one (``StringNotEquals``, ``NotIpAddress`` ...) true, unless ``...IfExists`` makes any
operator true, or ``Null`` asks exactly that question. ``ForAllValues:`` holds when every
request value matches (and when there are none); ``ForAnyValue:`` when at least one does.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from lakelab.emulator.services.iam.policy_language import (
    RequestKeys,
    arn_matches,
    as_list,
    matches,
    resolve_variables,
)

Comparison = Callable[[str, str, RequestKeys], bool]  # (request value, policy value, keys) -> match


class UnknownConditionOperator(ValueError):
    """A policy names an operator AWS does not have."""


def _string_equals(value: str, expected: str, keys: RequestKeys) -> bool:
    return resolve_variables(expected, keys) == value


def _string_equals_ignore_case(value: str, expected: str, keys: RequestKeys) -> bool:
    resolved = resolve_variables(expected, keys)
    return resolved is not None and resolved.lower() == value.lower()


def _string_like(value: str, pattern: str, keys: RequestKeys) -> bool:
    return matches(pattern, value, keys)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


@functools.lru_cache(maxsize=1024)
def _instant(text: str) -> float | None:
    """A date as epoch seconds: ISO 8601 (``2026-01-01``, ``...T12:00:00Z``) or epoch seconds."""
    number = _number(text)
    if number is not None:
        return number
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)).timestamp()


def _ordered(read: Callable[[str], float | None], test: Callable[[float, float], bool]) -> Comparison:
    def compare(value: str, expected: str, keys: RequestKeys) -> bool:
        left, right = read(value), read(expected)
        return left is not None and right is not None and test(left, right)

    return compare


@functools.lru_cache(maxsize=256)
def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None


def _ip_address(value: str, cidr: str, keys: RequestKeys) -> bool:
    network = _network(cidr)
    try:
        return network is not None and ipaddress.ip_address(value) in network
    except ValueError:
        return False


def _bool(value: str, expected: str, keys: RequestKeys) -> bool:
    return value.lower() == expected.lower()


def _binary(value: str, expected: str, keys: RequestKeys) -> bool:
    try:
        return base64.b64decode(value) == base64.b64decode(expected)
    except ValueError:
        return False


def _arn_like(value: str, pattern: str, keys: RequestKeys) -> bool:
    return arn_matches(pattern, value, keys)


_EQ, _LT, _LE = (lambda a, b: a == b), (lambda a, b: a < b), (lambda a, b: a <= b)
_GT, _GE = (lambda a, b: a > b), (lambda a, b: a >= b)

# base operator -> (the positive comparison, whether the operator negates it)
OPERATORS: dict[str, tuple[Comparison, bool]] = {
    "StringEquals": (_string_equals, False), "StringNotEquals": (_string_equals, True),
    "StringEqualsIgnoreCase": (_string_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ignore_case, True),
    "StringLike": (_string_like, False), "StringNotLike": (_string_like, True),
    "Bool": (_bool, False), "BinaryEquals": (_binary, False),
    "IpAddress": (_ip_address, False), "NotIpAddress": (_ip_address, True),
    "ArnEquals": (_arn_like, False), "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True), "ArnNotLike": (_arn_like, True),
}
for _kind, _read in (("Numeric", _number), ("Date", _instant)):
    OPERATORS.update({
        f"{_kind}Equals": (_ordered(_read, _EQ), False), f"{_kind}NotEquals": (_ordered(_read, _EQ), True),
        f"{_kind}LessThan": (_ordered(_read, _LT), False), f"{_kind}LessThanEquals": (_ordered(_read, _LE), False),
        f"{_kind}GreaterThan": (_ordered(_read, _GT), False),
        f"{_kind}GreaterThanEquals": (_ordered(_read, _GE), False),
    })


@dataclass(frozen=True)
class Condition:
    """One key under one operator: ``"StringLike": {"s3:prefix": ["home/", "home/*"]}``."""

    operator: str  # as written, for messages
    key: str  # lower-case: condition keys are case-insensitive
    expected: tuple[str, ...]
    compare: Comparison | None  # None for Null
    negated: bool = False
    if_exists: bool = False
    qualifier: str = ""  # "ForAllValues", "ForAnyValue" or ""

    def holds(self, keys: RequestKeys) -> bool:
        found = keys.get(self.key)
        if self.compare is None:  # Null: "true" asks for absence, "false" for presence
            return any((found is None) == (value.lower() == "true") for value in self.expected)
        if found is None:
            return self.if_exists or self.qualifier == "ForAllValues" or (self.negated and not self.qualifier)
        values = [found] if isinstance(found, str) else list(found)
        results = (self._value_holds(value, keys) for value in values)
        if self.qualifier == "ForAllValues" or (self.negated and not self.qualifier):
            return all(results)  # a plain negated operator: no request value may match
        return any(results)

    def _value_holds(self, value: str, keys: RequestKeys) -> bool:
        matched = any(self.compare(value, expected, keys) for expected in self.expected)  # type: ignore[misc]
        return not matched if self.negated else matched


def parse_operator(name: str) -> tuple[str, str, bool]:
    """``"ForAnyValue:StringLikeIfExists"`` -> ``("ForAnyValue", "StringLike", True)``."""
    qualifier, _, base = name.rpartition(":")
    if qualifier not in ("", "ForAllValues", "ForAnyValue"):
        raise UnknownConditionOperator(name)
    if_exists = base.endswith("IfExists") and base != "IfExists"
    base = base[: -len("IfExists")] if if_exists else base
    if base != "Null" and base not in OPERATORS:
        raise UnknownConditionOperator(name)
    return qualifier, base, if_exists


def _text(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def compile_conditions(block: dict) -> tuple[Condition, ...]:
    """A statement's ``Condition`` element, ready to test (``UnknownConditionOperator`` if malformed)."""
    compiled = []
    for operator, keys in (block or {}).items():
        qualifier, base, if_exists = parse_operator(operator)
        compare, negated = OPERATORS.get(base, (None, False))
        for key, expected in keys.items():
            values = tuple(_text(value) for value in as_list(expected))
            compiled.append(Condition(operator, key.lower(), values, compare, negated, if_exists, qualifier))
    return tuple(compiled)
