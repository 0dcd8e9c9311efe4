"""A JSON reader that remembers where each value is: the ``span`` of Access Analyzer's finding locations.

A location names a value by its ``path`` (``[{"value": "Statement"}, {"index": 0}, {"value":
"Sid"}]``) and gives its ``span``: start and end positions, each a line (from 1), a column (from 0)
and an offset (characters from 0), the end just past the value -- for a string, its quotes included
(the shape of the ``validate-policy`` example in the AWS CLI's reference, where ``"Sid": ""`` on
line 5 spans columns 19 to 21).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_WHITESPACE = " \t\n\r"


class SyntaxFault(ValueError):
    """The document is not JSON; ``offset`` is where reading stopped."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"JSON syntax error at {offset}")
        self.offset = offset


@dataclass(frozen=True)
class Located:
    """A parsed document and the (start, end) offsets of every value in it, by path."""

    text: str
    value: Any
    spans: dict[Path, tuple[int, int]]

    def position(self, offset: int) -> dict[str, int]:
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1)
        return {"line": line, "column": column, "offset": offset}

    def location(self, path: Path) -> dict[str, Any]:
        """Access Analyzer's ``Location`` of the value at ``path`` (or of the nearest enclosing value)."""
        found = path
        while found not in self.spans and found:
            found = found[:-1]
        start, end = self.spans.get(found, (0, len(self.text)))
        steps = [{"index": step} if isinstance(step, int) else {"value": step} for step in path]
        return {"path": steps, "span": {"start": self.position(start), "end": self.position(end)}}


def parse(text: str) -> Located:
    """``text`` read as JSON with each value's span; raises :class:`SyntaxFault`."""
    spans: dict[Path, tuple[int, int]] = {}
    value, end = _value(text, _skip(text, 0), (), spans)
    if _skip(text, end) != len(text):
        raise SyntaxFault(_skip(text, end))
    return Located(text, value, spans)


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in _WHITESPACE:
        position += 1
    return position


def _value(text: str, position: int, path: Path, spans: dict[Path, tuple[int, int]]) -> tuple[Any, int]:
    if position >= len(text):
        raise SyntaxFault(position)
    first = text[position]
    if first == "{":
        value, end = _object(text, position, path, spans)
    elif first == "[":
        value, end = _array(text, position, path, spans)
    elif first == '"':
        value, end = _string(text, position)
    else:
        value, end = _literal(text, position)
    spans[path] = (position, end)
    return value, end


def _object(text: str, position: int, path: Path, spans: dict[Path, tuple[int, int]]) -> tuple[dict, int]:
    found: dict[str, Any] = {}
    position = _skip(text, position + 1)
    if position < len(text) and text[position] == "}":
        return found, position + 1
    while True:
        if position >= len(text) or text[position] != '"':
            raise SyntaxFault(position)
        key, position = _string(text, position)
        position = _skip(text, position)
        if position >= len(text) or text[position] != ":":
            raise SyntaxFault(position)
        found[key], position = _value(text, _skip(text, position + 1), (*path, key), spans)
        position = _skip(text, position)
        if position < len(text) and text[position] == ",":
            position = _skip(text, position + 1)
            continue
        if position < len(text) and text[position] == "}":
            return found, position + 1
        raise SyntaxFault(position)


def _array(text: str, position: int, path: Path, spans: dict[Path, tuple[int, int]]) -> tuple[list, int]:
    found: list[Any] = []
    position = _skip(text, position + 1)
    if position < len(text) and text[position] == "]":
        return found, position + 1
    while True:
        item, position = _value(text, position, (*path, len(found)), spans)
        found.append(item)
        position = _skip(text, position)
        if position < len(text) and text[position] == ",":
            position = _skip(text, position + 1)
            continue
        if position < len(text) and text[position] == "]":
            return found, position + 1
        raise SyntaxFault(position)


def _string(text: str, position: int) -> tuple[str, int]:
    end = position + 1
    while end < len(text) and text[end] != '"':
        end += 2 if text[end] == "\\" else 1
    if end >= len(text):
        raise SyntaxFault(position)
    try:
        return json.loads(text[position:end + 1]), end + 1
    except ValueError:
        raise SyntaxFault(position) from None


def _literal(text: str, position: int) -> tuple[Any, int]:
    for word, meaning in (("true", True), ("false", False), ("null", None)):
        if text.startswith(word, position):
            return meaning, position + len(word)
    number = _NUMBER.match(text, position)
    if number is None:
        raise SyntaxFault(position)
    return json.loads(number.group(0)), number.end()
