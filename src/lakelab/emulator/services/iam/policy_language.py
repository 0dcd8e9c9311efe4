"""The small language inside policy strings: wildcards and policy variables.

``*`` and ``?`` match any run of characters and any one character, in actions (without regard to
case) and in resources and ``...Like`` conditions (with regard to case). ``${aws:username}`` and
its kin are replaced by the request's values before matching; a variable the request has no
value for makes the string match nothing, as on AWS, unless it names a default
(``${aws:username, 'nobody'}``). ``${*}``, ``${?}`` and ``${$}`` stand for the literal characters.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Union

ConditionValues = Union[str, list[str], tuple[str, ...]]
RequestKeys = Mapping[str, ConditionValues]  # lower-case condition key -> value(s)

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_LITERALS = {"*": "*", "?": "?", "$": "$"}
_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$")


def has_variables(text: str) -> bool:
    return "${" in text


@functools.lru_cache(maxsize=4096)
def wildcard_regex(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """``pattern`` (no variables) as a regular expression matching whole strings."""
    body = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.compile(body, (re.IGNORECASE | re.DOTALL) if ignore_case else re.DOTALL)


def variable_value(name: str, keys: RequestKeys) -> str | None:
    """The value ``${name}`` stands for in a request with ``keys``; None when it has none."""
    if name in _LITERALS:
        return _LITERALS[name]
    with_default = _DEFAULT.match(name)
    key, default = (with_default.group(1), with_default.group(2)) if with_default else (name.strip(), None)
    value = keys.get(key.lower())
    if isinstance(value, str):
        return value
    return default  # absent, or multivalued (which no variable can stand for)


def resolve_variables(text: str, keys: RequestKeys) -> str | None:
    """``text`` with its variables replaced (for exact comparisons); None if one has no value."""
    if not has_variables(text):
        return text
    missing = False

    def replace(found: re.Match[str]) -> str:
        nonlocal missing
        value = variable_value(found.group(1), keys)
        missing = missing or value is None
        return value or ""

    resolved = _VARIABLE.sub(replace, text)
    return None if missing else resolved


def pattern_regex(pattern: str, keys: RequestKeys, ignore_case: bool = False) -> re.Pattern[str] | None:
    """``pattern``'s wildcards as a regex, with variables matched literally; None if one has no value."""
    if not has_variables(pattern):
        return wildcard_regex(pattern, ignore_case)
    pieces: list[str] = []
    position = 0
    for found in _VARIABLE.finditer(pattern):
        pieces.append(wildcard_regex(pattern[position:found.start()], ignore_case).pattern)
        value = variable_value(found.group(1), keys)
        if value is None:
            return None
        pieces.append(re.escape(value))  # a variable's value is text, never a wildcard
        position = found.end()
    pieces.append(wildcard_regex(pattern[position:], ignore_case).pattern)
    return re.compile("".join(pieces), (re.IGNORECASE | re.DOTALL) if ignore_case else re.DOTALL)


def matches(pattern: str, value: str, keys: RequestKeys, ignore_case: bool = False) -> bool:
    regex = pattern_regex(pattern, keys, ignore_case)
    return regex is not None and regex.fullmatch(value) is not None


def arn_matches(pattern: str, arn: str, keys: RequestKeys) -> bool:
    """``ArnLike``: each of the six colon-separated parts matched on its own, wildcards allowed."""
    pattern_parts, arn_parts = pattern.split(":", 5), arn.split(":", 5)
    if len(pattern_parts) != 6 or len(arn_parts) != 6:
        return pattern == "*" or matches(pattern, arn, keys)
    return all(matches(p, a, keys) for p, a in zip(pattern_parts, arn_parts))


def as_list(value: object) -> list:
    """A policy element's value as a list (policies write one value bare, several as a list)."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]
