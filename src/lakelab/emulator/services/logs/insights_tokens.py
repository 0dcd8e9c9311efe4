"""Logs Insights query text cut into tokens, and the errors that locate what could not be read.

Errors read as AWS's ``MalformedQueryException`` messages do: "unexpected symbol found <text>
at line 1 and position <n>" (positions count from 1), with the offending span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<quoted_name>`[^`]+`)
  | (?P<number>\d+(?:\.\d+)?(?:ms|mo|s|m|h|d|w|q|y)?(?![\w@]))
  | (?P<name>[@A-Za-z_][\w@.$]*(?<!\.))
  | (?P<op>=~|!=|<=|>=|\|\||&&|[=<>+\-*/%(),\[\]|])
""", re.VERBOSE)


class QueryError(ValueError):
    """A query this emulator cannot run; ``start``/``end`` locate the offending text."""

    def __init__(self, message: str, start: int = 0, end: int = 0) -> None:
        super().__init__(message)
        self.start, self.end = start, end


@dataclass
class Token:
    kind: str
    text: str
    start: int
    end: int


def unexpected(token: Token | None, text: str) -> QueryError:
    if token is None:
        return QueryError(f"unexpected end of query at line 1 and position {len(text)}", len(text), len(text))
    return QueryError(f"unexpected symbol found {token.text} at line 1 and position {token.start + 1}",
                      token.start, token.end)


def tokenize(text: str) -> list[Token]:
    found, position, previous = [], 0, None
    while position < len(text):
        if text[position] == "/" and previous is not None and (previous.text.lower() in ("like", "=~") or (
                len(found) >= 2 and found[-2].text.lower() == "parse")):
            close = _regex_end(text, position)
            found.append(previous := Token("regex", text[position + 1:close], position, close + 1))
            position = close + 1
            continue
        match = _TOKEN.match(text, position)
        if not match:
            raise QueryError(f"unexpected symbol found {text[position]} at line 1 and position {position + 1}",
                             position, position + 1)
        kind = match.lastgroup or ""
        if kind != "space":
            found.append(previous := Token(kind, match.group(), position, match.end()))
        position = match.end()
    return found


def _regex_end(text: str, start: int) -> int:
    position = start + 1
    while position < len(text):
        if text[position] == "\\":
            position += 2
            continue
        if text[position] == "/":
            return position
        position += 1
    raise QueryError(f"unexpected end of query at line 1 and position {len(text)}", start, len(text))
